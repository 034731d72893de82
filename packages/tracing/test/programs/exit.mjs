// Records spans, then leaves the way argv[2] says; the test reads the trace file argv[3].
import { begin, beginAsync, end, registerSpans } from "@spanfn/tracing";
import { install } from "@spanfn/tracing/node";

const [mode, out] = process.argv.slice(2);
install({ out, flushIntervalMs: 0 });
const s = registerSpans("programs/exit", "exit.mjs", [["work", 1], ["last words", 2], ["pending", 3]]);

for (let i = 0; i < 3; i++) end(begin(s));
const open = begin(s + 1);
beginAsync(s + 2);
process.stdout.write("program output\n");

switch (mode) {
  case "normal":
    end(open);
    break;
  case "exit":
    process.exit(3);
  case "throw":
    throw new Error("crash with a span open");
  case "sigint":
    process.kill(process.pid, "SIGINT");
    setTimeout(() => {}, 5000);
    break;
  default:
    throw new Error(`unknown mode ${mode}`);
}

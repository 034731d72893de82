// Records nested spans in a hot loop through a writer thread hosting the outputs named in
// argv[3] (comma-separated files in ./outputs, or "missing"), with the trace file argv[2] ("-":
// none). Prints when its spans were all recorded ({ ended }), then the outputs' results as JSON at
// exit. argv[4] "pause": halfway, the outputs are flushed, which hands them the blocks that
// waited, and the reply printed ({ flushed }); the rest of the spans come after a pause.
// "linger": the program waits half a second on its event loop before it ends.
import { begin, beginAsync, end, endAsync, flush, registerSpans } from "@spanfn/tracing";
import { install, TraceWriterSink } from "@spanfn/tracing/node";

const [out, names, mode] = process.argv.slice(2);
const OPTIONS = { counting: { loadDelayMs: 300, finishDelayMs: 300 }, failing: { after: 2 }, missing: {} };
const outputs = names.split(",").map((name) => ({ module: new URL(`./outputs/${name}.mjs`, import.meta.url).href, options: OPTIONS[name] }));
const sink = new TraceWriterSink(out === "-" ? undefined : out, { outputs, attach: () => 1 });
install({
  sink,
  demote: false,
  flushIntervalMs: 0,
  onExit: () => process.stdout.write(JSON.stringify(sink.results()) + "\n"),
});
const s = registerSpans("programs/outputs", "outputs.mjs", [["outer", 1], ["inner", 2], ["async", 3]]);

const spans = 30000;
for (let i = 0; i < spans; i++) {
  if (i === spans / 2 && mode === "pause") {
    flush();
    process.stdout.write(JSON.stringify({ flushed: await sink.flushOutputs(5000) }) + "\n");
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  const o = begin(s);
  end(begin(s + 1));
  end(o);
}
endAsync(beginAsync(s + 2));
flush();
if (mode === "linger") await new Promise((resolve) => setTimeout(resolve, 500));
process.stdout.write(JSON.stringify({ ended: Date.now() }) + "\n");

// Prints the nice value of each of this process's threads, once the writer thread is up: the
// writer's is above the program's (Linux, where /proc names threads).
import { readdirSync, readFileSync } from "node:fs";
import { begin, end, flush, registerSpans } from "@spanfn/tracing";
import { install } from "@spanfn/tracing/node";

install({ out: process.argv[2], flushIntervalMs: 0, demote: false });
const site = registerSpans("programs/writer-priority", "writer-priority.mjs", [["f", 1]]);
// More than the writer sink lets wait: the writer thread starts at once, not at exit.
for (let i = 0; i < 400000; i++) end(begin(site));
flush();
// The writer lowers its priority as it starts: wait for it, without the event loop.
const deadline = Date.now() + 5000;
const niceOf = (task) => Number(readFileSync(`/proc/self/task/${task}/stat`, "utf8").split(") ")[1].split(" ")[16]);
let nices = [];
do {
  nices = readdirSync("/proc/self/task").map(niceOf);
} while (!nices.some((n) => n > 0) && Date.now() < deadline);
process.stdout.write(JSON.stringify({ main: niceOf(String(process.pid)), nices }));

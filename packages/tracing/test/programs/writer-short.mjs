// Records argv[4] spans (default three), waits argv[3] ms on its event loop (if given and not 0),
// then says whether a thread of this process runs at the writer's lower priority, that is,
// whether the writer thread has started (Linux, where /proc names threads). The trace file
// argv[2] is written either way.
import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { begin, end, flush, registerSpans } from "@spanfn/tracing";
import { install } from "@spanfn/tracing/node";

install({ out: process.argv[2], flushIntervalMs: 0, demote: false });
const site = registerSpans("programs/writer-short", "writer-short.mjs", [["f", 1]]);
const spans = Number(process.argv[4] ?? 3);
for (let i = 0; i < spans; i++) end(begin(site));
flush();
const wait = Number(process.argv[3] ?? 0);
if (wait > 0) await delay(wait);
const niceOf = (task) => Number(readFileSync(`/proc/self/task/${task}/stat`, "utf8").split(") ")[1].split(" ")[16]);
const writerRuns = () => readdirSync("/proc/self/task").some((task) => niceOf(task) > niceOf(String(process.pid)));
// A thread that has started lowers its priority as it comes up: give it the time to (without the
// event loop, where the writer sink's timer would start one). Three spans start none at once.
const deadline = Date.now() + (wait > 0 ? 5000 : spans > 3 ? 1000 : 0);
let writer = writerRuns();
while (!writer && Date.now() < deadline) writer = writerRuns();
process.stdout.write(JSON.stringify({ writer }));

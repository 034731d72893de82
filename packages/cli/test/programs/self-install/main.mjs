// A program that installs spanfn itself, as it would when run without spanfn run.
import { install } from "@spanfn/tracing/node";

install({ out: process.env.OWN_TRACE ?? "own-trace.json" });

/** @spanFn */
function work(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += i;
  return s;
}

console.log(work(1000) + work(2000));

// Naive recursion: millions of calls that each do almost nothing themselves. Under `spanfn run
// --all` a call's span includes its children's spans, so demotion has to judge what a call does
// itself to make this a counter. Prints the sum, and on stderr the time the calls took, apart
// from spanfn's start-up and its writing of the trace:
//   node bench/subjects/fib.mjs
//   node packages/cli/bin/spanfn.js run --all --out /dev/null bench/subjects/fib.mjs
function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

const started = performance.now();
let sum = 0;
for (let round = 0; round < 5; round++) sum += fib(27);
const ms = performance.now() - started;
process.stdout.write(`${sum}\n`);
process.stderr.write(`fib(27) x5: ${ms.toFixed(1)} ms\n`);

// Medium-grain compute: four functions of 2 to 7 µs each per iteration, a few µs of work per
// span, the grain where a span's recording is about 1% of the call. Prints a checksum, and on
// stderr the steady-state time (after a warm-up), apart from start-up and the trace's writing:
//   node bench/subjects/medium.mjs
//   node packages/cli/bin/spanfn.js run --all --out /tmp/medium.json bench/subjects/medium.mjs
function parse(seed) {
  let x = seed;
  for (let i = 0; i < 1500; i++) x = (x * 1103515245 + 12345) | 0;
  return x;
}

function transform(x) {
  let y = x;
  for (let i = 0; i < 5000; i++) y = (y ^ (y << 5) ^ (y >>> 3)) | 0;
  return y;
}

function validate(y) {
  let ok = 0;
  for (let i = 0; i < 3500; i++) ok = (ok + ((y >>> (i & 31)) & 1)) | 0;
  return ok;
}

function encode(y, ok) {
  let h = ok;
  for (let i = 0; i < 5000; i++) h = Math.imul(h ^ y, 16777619) | 0;
  return h;
}

const WARMUP = 10_000;
const ITERATIONS = 100_000;
let checksum = 0;
// The loops are module code, not a function: four spans an iteration.
for (let i = 0; i < WARMUP; i++) {
  const y = transform(parse(i));
  checksum ^= encode(y, validate(y));
}
const started = performance.now();
for (let i = 0; i < ITERATIONS; i++) {
  const y = transform(parse(i));
  checksum ^= encode(y, validate(y));
}
const ms = performance.now() - started;
process.stdout.write(`${checksum}\n`);
process.stderr.write(`medium x${ITERATIONS}: ${ms.toFixed(1)} ms (${((ms * 1000) / ITERATIONS).toFixed(1)} µs an iteration)\n`);

// Runs one benchmark case inside a child process and reports it to the driver as one JSON line
// on stdout. A case file hands its cases to `main(cases)`; the driver picks the case by argv:
//
//   node --expose-gc bench/cases/<group>.mjs <case> [--quick] [--repeats R]
//
// A case is { iterations, ops?, setup?(), loop(n) } for timing, where `loop(n)` runs n
// iterations of the measured body itself (so no per-iteration call through the harness is
// timed) and returns a number folded from every result, or { measure(quick) } for anything
// that reports its own numbers.

export const RESULT_PREFIX = "@@bench ";

const DEFAULT_REPEATS = 15;
const WARMUP_ITERATIONS = 200_000;
// Several calls of a smaller loop rather than one long one: the measured calls then enter a
// function V8 has already optimized as a whole, not one it only reached through on-stack
// replacement mid-loop.
const WARMUP_CHUNKS = 20;
const QUICK_DIVISOR = 10;

/** Entry point of a case file: runs the case named on the command line. */
export async function main(cases) {
  const { name, quick, repeats } = parseArgs(process.argv.slice(2));
  const bench = cases[name];
  if (bench === undefined) {
    process.stderr.write(`unknown case "${name}"; this file has: ${Object.keys(cases).join(", ")}\n`);
    process.exit(2);
  }
  const result = bench.measure !== undefined ? await bench.measure(quick) : await time(bench, quick, repeats);
  process.stdout.write(RESULT_PREFIX + JSON.stringify({ case: name, ...result }) + "\n");
}

function parseArgs([name, ...flags]) {
  const at = flags.indexOf("--repeats");
  const repeats = at === -1 ? DEFAULT_REPEATS : Number(flags[at + 1]);
  if (!(Number.isInteger(repeats) && repeats > 0)) throw new Error(`--repeats needs a positive integer`);
  return { name, quick: flags.includes("--quick"), repeats };
}

async function time(bench, quick, repeats) {
  const divisor = quick ? QUICK_DIVISOR : 1;
  const n = Math.max(1, Math.round(bench.iterations / divisor));
  const ops = bench.ops ?? 1;
  const warmup = Math.round(WARMUP_ITERATIONS / divisor);
  if (bench.setup !== undefined) await bench.setup();

  // Folding every loop's return value into one printed number keeps each result observable,
  // so V8 cannot drop the measured work as dead code.
  let checksum = 0;
  const chunk = Math.max(1, Math.round(warmup / WARMUP_CHUNKS));
  for (let done = 0; done < warmup; done += chunk) checksum = fold(checksum, await bench.loop(chunk));

  const samples = [];
  for (let r = 0; r < repeats; r++) {
    // Start every repeat from a collected heap so garbage left by the previous one (promises,
    // sealed blocks) is not billed to this one.
    globalThis.gc?.();
    const start = process.hrtime.bigint();
    const value = await bench.loop(n);
    const elapsed = Number(process.hrtime.bigint() - start);
    checksum = fold(checksum, value);
    samples.push(elapsed / (n * ops));
  }
  return { unit: ops === 1 ? "ns/call" : "ns/span", iterations: n, ops, warmup, samples, ...summarize(samples), checksum };
}

function fold(checksum, value) {
  return (checksum * 31 + Number(value)) % 1_000_000_007;
}

export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

/** The tiny bit of work every measured function does, identical across cases. */
export function work(x) {
  return (x * 31 + 7) & 0xffff;
}

/** A case that calls `fn` n times, folding results so the calls cannot be optimized away. */
export function syncLoop(fn) {
  return (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) acc = (acc + fn(i)) | 0;
    return acc;
  };
}

/** The same, awaiting each call before the next. */
export function asyncLoop(fn) {
  return async (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) acc = (acc + (await fn(i))) | 0;
    return acc;
  };
}

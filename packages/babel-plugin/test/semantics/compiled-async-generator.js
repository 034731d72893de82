// @compilers: tsc-es2015 tsc-es5 env-node6 env-ie11
// A pre-compiled async generator (tsc: __asyncGenerator/__await; Babel: _wrapAsyncGenerator),
// pulled by an async function. Afterwards a timer callback starts another async function: code
// started from a timer has no current span (in the plain run currentSpanId() is always 0, and
// it must be 0 there too), and its parent is the root.
import { currentSpanId } from "@spanfn/tracing";

/** The true parent of each function's async spans (checked on the instrumented run's trace). */
export const parents = { consume: "run", fromTimer: "root" };

export async function run(log) {
  async function* numbers(n) {
    for (let i = 0; i < n; i++) {
      await null;
      yield i;
    }
  }
  async function consume() {
    const g = numbers(2);
    const seen = [await g.next(), await g.next(), await g.next()];
    return seen.map((r) => (r.done ? "done" : r.value));
  }
  async function fromTimer() {
    return "from timer";
  }
  log(await consume());
  log(
    await new Promise((resolve) =>
      setTimeout(() => {
        log("timer callback: current span is the root", currentSpanId() === 0);
        resolve(fromTimer());
      }, 0),
    ),
  );
}

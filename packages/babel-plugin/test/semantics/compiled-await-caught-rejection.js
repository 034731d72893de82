// @compilers: tsc-es2015 tsc-es5 env-node6 env-ie11
// Pre-compiled async code (the compilers turn `await` into `yield` inside a helper): an awaited
// call rejects and the function catches it. Afterwards a timer callback starts another async
// function: code started from a timer has no current span (in the plain run currentSpanId()
// is always 0, and it must be 0 there too), and its parent is the root.
import { currentSpanId } from "@spanfn/tracing";

/** The true parent of each function's async spans (checked on the instrumented run's trace). */
export const parents = { recovers: "run", fails: "recovers", afterwards: "run", fromTimer: "root" };

export async function run(log) {
  async function fails() {
    await null;
    throw new Error("rejected");
  }
  async function recovers() {
    try {
      await fails();
      return "not reached";
    } catch (e) {
      return `recovered from ${e.message}`;
    }
  }
  async function afterwards() {
    return "afterwards";
  }
  async function fromTimer() {
    return "from timer";
  }
  log(await recovers());
  log(await afterwards());
  log(
    await new Promise((resolve) =>
      setTimeout(() => {
        log("timer callback: current span is the root", currentSpanId() === 0);
        resolve(fromTimer());
      }, 0),
    ),
  );
}

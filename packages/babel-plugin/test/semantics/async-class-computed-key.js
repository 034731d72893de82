// An await inside a class's computed key (or `extends` clause) belongs to the enclosing async function. Its caller
// goes on to call another async function (whose parent is the caller); while it waits, a timer
// callback runs another: code started from a timer has no current span (currentSpanId() is
// always 0 in the plain run, and must be 0 there too).
import { currentSpanId } from "@spanfn/tracing";

/** The true parent of each function's async spans (checked on the instrumented run's trace). */
export const parents = { makesClass: "run", startedAfterCall: "run", fromTimer: "root", afterwards: "run" };

export async function run(log) {
  async function makesClass() {
    log("makesClass start");
    class Keyed {
      [await new Promise((resolve) => setTimeout(() => resolve("awaitedKey"), 5))]() {
        return "method";
      }
      static [await "staticKey"] = "static";
    }
    class Extended extends (await Promise.resolve(Keyed)) {}
    log("makesClass after class", Object.getOwnPropertyNames(Keyed.prototype), Keyed.staticKey, new Extended().awaitedKey());
    return "made";
  }
  async function fromTimer() {
    log("fromTimer start");
    await null;
    log("fromTimer end");
  }
  async function afterwards() {
    log("afterwards start");
    await null;
    log("afterwards end");
  }
  const timerRun = new Promise((resolve) =>
    setTimeout(() => {
      log("timer callback: current span is the root", currentSpanId() === 0);
      resolve(fromTimer());
    }, 0),
  );
  async function startedAfterCall() {
    log("startedAfterCall");
  }
  const made = makesClass();
  await startedAfterCall();
  log(await made);
  await timerRun;
  await afterwards();
}

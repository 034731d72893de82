// An async generator that awaits what is sent in: `await (yield x)`. Its consumer calls
// another async function after each next(); while the generator is suspended at that yield, a
// timer callback starts an async function too. Code started from a timer has no current span
// (in the plain run currentSpanId() is always 0, and it must be 0 there too).
import { currentSpanId } from "@spanfn/tracing";

/** The true parent of each function's async spans (checked on the instrumented run's trace). */
export const parents = { consumer: "run", helper: "consumer", echo: "consumer", fromTimer: "root" };

export async function run(log) {
  async function* echo() {
    let value = "start";
    while (value !== "stop") {
      value = await (yield value.toUpperCase());
    }
    return "stopped";
  }
  async function helper(tag) {
    await null;
    return `helped ${tag}`;
  }
  async function fromTimer() {
    await null;
    return "timer work";
  }
  async function consumer() {
    const g = echo();
    for (const sent of [undefined, Promise.resolve("one"), "two", "stop"]) {
      const next = g.next(sent);
      log(await helper(String(await sent)));
      log(await next);
      log(
        await new Promise((resolve) =>
          setTimeout(() => {
            log("timer callback: current span is the root", currentSpanId() === 0);
            resolve(fromTimer());
          }, 0),
        ),
      );
    }
  }
  await consumer();
}

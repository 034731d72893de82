// The most common async generator: `for await (x of source) yield f(x)`, a pipeline stage.
// Its consumers pull from different async functions, one after the other; each of them then
// starts other async work, whose parent is that consumer. Code started from a timer must see
// no current span (in the plain run currentSpanId() is always 0).
import { currentSpanId } from "@spanfn/tracing";

/** The true parent of each function's async spans (checked on the instrumented run's trace). */
export const parents = { pull: "run", sideWork: "pull", doubled: "pull", source: "doubled" };

export async function run(log) {
  async function* source() {
    for (let i = 1; i <= 3; i++) {
      await null;
      yield i;
    }
  }
  async function* doubled() {
    for await (const x of source()) {
      yield x * 2;
    }
    log("doubled: source exhausted");
  }
  async function sideWork(name) {
    await null;
    return `${name} side work`;
  }
  async function pull(name, g) {
    const next = g.next();
    const side = sideWork(name);
    const { value, done } = await next;
    return [name, value, done, await side];
  }
  const g = doubled();
  log(await pull("first", g));
  log(await pull("second", g));
  await new Promise((resolve) => setTimeout(resolve, 0));
  log(await pull("third", g));
  log(await pull("fourth", g));
  await new Promise((resolve) =>
    setTimeout(() => {
      log("timer callback: current span is the root", currentSpanId() === 0);
      resolve();
    }, 0),
  );
}

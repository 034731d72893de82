/**
 * The promise libraries (p-queue, p-map, p-limit, p-retry, p-timeout, p-settle, p-all) driven by
 * a scripted scenario: concurrency limits, priorities, timeouts, rejections, retries and aborts.
 * Tasks wait on deferreds the script resolves in a fixed order, or on setImmediate turns, so the
 * order of every logged line is fixed by the promise machinery alone: plain and instrumented
 * runs must interleave exactly alike. Timers only race where their delays differ by far.
 * Ends with exit code 3.
 */
import PQueue from "p-queue";
import pMap, { pMapIterable, pMapSkip } from "p-map";
import pLimit from "p-limit";
import pRetry, { AbortError } from "p-retry";
import pTimeout, { TimeoutError } from "p-timeout";
import pSettle from "p-settle";
import pAll from "p-all";
import { setTimeout as sleep } from "node:timers/promises";
import { startClock } from "./timing.mjs";

const log = (...parts) => console.log(parts.join(" "));
const turn = () => new Promise((resolve) => setImmediate(resolve));
const turns = async (n) => {
  for (let i = 0; i < n; i++) await turn();
};
function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}
const describe = (error) => `${error?.name}: ${error?.message}`;

async function limits() {
  const limit = pLimit(2);
  const gates = Array.from({ length: 6 }, deferred);
  const runs = gates.map((gate, i) =>
    limit(async (x) => {
      log("limit start", i, "active", limit.activeCount, "pending", limit.pendingCount);
      const value = await gate.promise;
      if (value < 0) throw new RangeError(`task ${i} got ${value}`);
      return value * x;
    }, 10),
  );
  const outcomes = Promise.allSettled(runs);
  // Release in reverse order: only the two running tasks can finish; the others wait their turn.
  for (const i of [1, 0, 3, 2, 5, 4]) {
    await turn();
    if (i === 3) gates[i].resolve(-1);
    else gates[i].resolve(i);
  }
  for (const result of await outcomes) log("limit", result.status, result.status === "fulfilled" ? result.value : describe(result.reason));
  limit.clearQueue();
  log("limit map", (await limit.map([1, 2, 3], async (n) => n * n)).join(","));
}

async function mapping() {
  const doubled = await pMap([1, 2, 3, 4, 5, 6, 7], async (n, i) => {
    await turns(7 - n);
    log("map done", n, i);
    return n % 3 === 0 ? pMapSkip : n * 2;
  }, { concurrency: 3 });
  log("map", doubled.join(","));
  try {
    await pMap([1, 2, 3, 4], async (n) => {
      await turns(n);
      if (n % 2 === 0) throw new Error(`bad ${n}`);
      return n;
    }, { concurrency: 2, stopOnError: false });
  } catch (error) {
    log("map aggregate", error.constructor.name, error.errors.map((e) => e.message).join(","));
  }
  const controller = new AbortController();
  const aborted = pMap([1, 2, 3, 4, 5], async (n) => {
    await turns(2);
    if (n === 2) controller.abort(new Error("stop mapping"));
    return n;
  }, { concurrency: 1, signal: controller.signal });
  log("map abort", await aborted.then(String, describe));
  const seen = [];
  for await (const value of pMapIterable([5, 4, 3, 2, 1], async (n) => {
    await turns(n);
    return n * 10;
  }, { concurrency: 2, backpressure: 2 })) seen.push(value);
  log("map iterable", seen.join(","));
}

async function queueing() {
  const queue = new PQueue({ concurrency: 2, autoStart: false });
  for (const event of ["active", "completed", "error", "empty", "idle"]) {
    queue.on(event, (value) => log("queue event", event, value instanceof Error ? describe(value) : (value ?? "")));
  }
  const order = [];
  const job = (name, n, fail = false) => async () => {
    order.push(`${name}+`);
    await turns(n);
    order.push(`${name}-`);
    if (fail) throw new TypeError(`${name} failed`);
    return name;
  };
  const results = [
    queue.add(job("low", 1), { priority: 0 }),
    queue.add(job("high", 3), { priority: 5 }),
    queue.add(job("mid", 2), { priority: 2 }),
    queue.add(job("boom", 1, true), { priority: 1 }),
  ];
  const controller = new AbortController();
  results.push(queue.add(job("aborted", 1), { signal: controller.signal }));
  controller.abort(new Error("not wanted"));
  log("queue size", queue.size, "pending", queue.pending);
  queue.start();
  for (const settled of await Promise.allSettled(results)) log("queue", settled.status, settled.status === "fulfilled" ? settled.value : describe(settled.reason));
  await queue.onIdle();
  log("queue order", order.join(" "));

  const timed = new PQueue({ concurrency: 1, timeout: 20 });
  const slow = timed.add(() => sleep(300, "slow"));
  const quick = timed.add(async () => "quick");
  log("queue timeout", await slow.then(String, (e) => e.name), await quick);
  await timed.onIdle();
}

async function retrying() {
  let attempts = 0;
  const value = await pRetry(async (attempt) => {
    attempts++;
    if (attempt < 3) throw new Error(`flaky ${attempt}`);
    return `ok after ${attempt}`;
  }, { retries: 4, minTimeout: 1, factor: 1, randomize: false, onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => log("retry failed", attemptNumber, retriesLeft, error.message) });
  log("retry", value, attempts);
  try {
    await pRetry(async () => {
      throw new AbortError("give up");
    }, { retries: 5, minTimeout: 1 });
  } catch (error) {
    log("retry abort", describe(error));
  }
  try {
    await pRetry(async (attempt) => {
      throw new Error(`always ${attempt}`);
    }, { retries: 2, minTimeout: 1, factor: 1, randomize: false });
  } catch (error) {
    log("retry exhausted", describe(error));
  }
}

async function timeouts() {
  log("timeout fast", await pTimeout(Promise.resolve("in time"), { milliseconds: 1000 }));
  try {
    await pTimeout(sleep(300), { milliseconds: 10, message: "too slow" });
  } catch (error) {
    log("timeout", error instanceof TimeoutError, describe(error));
  }
  log("timeout fallback", await pTimeout(sleep(300, "late"), { milliseconds: 10, fallback: async () => "fallback" }));
  const controller = new AbortController();
  const pending = pTimeout(sleep(300), { milliseconds: 1000, signal: controller.signal });
  controller.abort(new Error("aborted by caller"));
  log("timeout abort", await pending.then(String, describe));
  const rejected = pTimeout(Promise.reject(new SyntaxError("inner")), { milliseconds: 100 });
  log("timeout inner rejection", await rejected.then(String, describe));
}

async function settling() {
  const settled = await pSettle([Promise.resolve(1), Promise.reject(new Error("two")), async () => 3, () => Promise.reject(new URIError("four"))], { concurrency: 2 });
  log("settle", settled.map((r) => (r.isFulfilled ? `ok ${r.value}` : `no ${r.reason.message}`)).join(", "));
  log("all", (await pAll([async () => 1, async () => { await turns(2); return 2; }, () => Promise.resolve(3)], { concurrency: 2 })).join(","));
  try {
    await pAll([async () => 1, async () => { throw new EvalError("all failed"); }]);
  } catch (error) {
    log("all rejected", describe(error));
  }
}

const stop = startClock();
for (const scenario of [limits, mapping, queueing, retrying, timeouts, settling]) {
  log(`== ${scenario.name}`);
  await scenario();
}
// The timers the timeouts above abandoned still run; the process exits after them.
stop();
process.exitCode = 3;

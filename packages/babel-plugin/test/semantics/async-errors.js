// @compilers: tsc-es2015 tsc-es5 env-node6 env-ie11
// Async failures: throwing before and after the first await, try/catch/finally around awaits,
// a returned (not awaited) rejected promise escaping the function's own try/catch, rejections
// with non-Error values, unhandled-then-handled rejections, await in catch and finally.
export async function run(log) {
  async function throwsSync() {
    throw new Error("before any await");
  }
  async function throwsLater() {
    await null;
    throw new Error("after an await");
  }
  const p = throwsSync();
  log("throwing async function still returns a promise", p instanceof Promise);
  await p.catch((e) => log("caught", e.message));
  await throwsLater().catch((e) => log("caught", e.message));

  async function tryAround() {
    try {
      await throwsLater();
      log("unreachable");
    } catch (e) {
      log("try/catch around await", e.message);
      return "recovered";
    } finally {
      log("finally after catch");
    }
  }
  log(await tryAround());

  const rejected = () => Promise.reject(new Error("rejected promise"));
  async function returnsUnawaited() {
    try {
      return rejected();
    } catch (e) {
      log("must not catch an un-awaited returned promise", e.message);
      return "caught (wrong)";
    } finally {
      log("finally of returnsUnawaited");
    }
  }
  try {
    log(await returnsUnawaited());
  } catch (e) {
    log("caller sees the rejection", e.message);
  }

  async function returnsAwaited() {
    try {
      return await rejected();
    } catch (e) {
      return `return await is caught: ${e.message}`;
    }
  }
  log(await returnsAwaited());

  async function rejectsWith(value) {
    await null;
    throw value;
  }
  for (const value of [undefined, null, 0, "", "text", { code: 1 }]) {
    try {
      await rejectsWith(value);
    } catch (e) {
      log("rejected with", e);
    }
  }

  async function awaitInCatchAndFinally() {
    const steps = [];
    try {
      await Promise.reject(new Error("first"));
    } catch (e) {
      steps.push(`catch ${e.message}`);
      await null;
      steps.push("catch after await");
      throw new Error("second");
    } finally {
      steps.push("finally");
      await null;
      steps.push("finally after await");
      log("steps", steps);
    }
  }
  await awaitInCatchAndFinally().catch((e) => log("final rejection", e.message));

  async function finallyOverrides() {
    try {
      await null;
      throw new Error("lost");
    } finally {
      return "finally wins";
    }
  }
  log(await finallyOverrides());

  async function nestedAsyncErrors(depth) {
    if (depth === 0) {
      await null;
      throw new Error(`bottom`);
    }
    try {
      return await nestedAsyncErrors(depth - 1);
    } catch (e) {
      throw new Error(`${e.message} < ${depth}`);
    }
  }
  await nestedAsyncErrors(4).catch((e) => log("nested", e.message));

  // Interleaved failing and succeeding calls: order of settlement.
  async function settleAfter(n, fail) {
    for (let i = 0; i < n; i++) await null;
    if (fail) throw new Error(`failed after ${n}`);
    return `ok after ${n}`;
  }
  const results = await Promise.allSettled([settleAfter(3, true), settleAfter(1, false), settleAfter(2, true), settleAfter(0, false)]);
  log("allSettled", results.map((r) => (r.status === "fulfilled" ? r.value : r.reason.message)));

  const order = [];
  await Promise.all([
    settleAfter(2, true).catch((e) => order.push(e.message)),
    settleAfter(1, false).then((v) => order.push(v)),
    settleAfter(0, true).catch((e) => order.push(e.message)),
  ]);
  log("settlement order", order);

  // A rejection that is handled late (after a turn) is still delivered.
  const late = throwsLater();
  await new Promise((resolve) => setTimeout(resolve, 0));
  await late.catch((e) => log("handled late", e.message));

  // Async arrow in a class capturing this and arguments.
  class Service {
    constructor() {
      this.name = "service";
    }
    async call() {
      const inner = async () => [this.name, arguments.length, arguments[0]];
      await null;
      return inner();
    }
  }
  log("async arrow captures", await new Service().call("arg"));

  async function awaitsRejectedThenable() {
    try {
      await { then: (_, reject) => reject(new Error("thenable rejected")) };
    } catch (e) {
      return e.message;
    }
  }
  log(await awaitsRejectedThenable());

  async function thenableThrows() {
    return {
      then() {
        throw new Error("then threw");
      },
    };
  }
  await thenableThrows().catch((e) => log("returned thenable whose then throws", e.message));
}

// @compilers: tsc-es2015 tsc-es5 env-node6 env-ie11
// Microtask timing: two async functions interleaved with a Promise.resolve().then chain and
// queueMicrotask; awaiting values, native promises, thenables, async calls; returning values,
// promises and thenables (each costs a different number of ticks); Promise combinators.
export async function run(log) {
  const ticks = (label, n) => {
    let p = Promise.resolve();
    for (let i = 1; i <= n; i++) p = p.then(() => log(`${label} tick ${i}`));
    return p;
  };

  async function a() {
    log("a start");
    await undefined;
    log("a after await undefined");
    await Promise.resolve("x");
    log("a after await resolved promise");
    await { then: (resolve) => resolve("thenable") };
    log("a after await thenable");
    const v = await b();
    log("a after await b()", v);
    return "a result";
  }
  async function b() {
    log("b start");
    await null;
    log("b after await");
    return "b result";
  }
  async function returnsPromise() {
    log("returnsPromise start");
    return Promise.resolve("returned promise");
  }
  async function returnsThenable() {
    return { then: (resolve) => resolve("returned thenable") };
  }
  async function returnsValue() {
    return "returned value";
  }
  const done = Promise.all([
    a().then((v) => log("a settled", v)),
    ticks("chain", 12),
    b().then((v) => log("b settled", v)),
    returnsPromise().then((v) => log("returnsPromise settled", v)),
    returnsThenable().then((v) => log("returnsThenable settled", v)),
    returnsValue().then((v) => log("returnsValue settled", v)),
  ]);
  queueMicrotask(() => log("queueMicrotask"));
  log("sync end");
  await done;

  log("--- concurrent loops");
  async function loop(name, n) {
    for (let i = 0; i < n; i++) {
      log(`${name} ${i}`);
      await i;
    }
    return name;
  }
  log("race", await Promise.race([loop("r1", 3), loop("r2", 2)]));
  await ticks("settle", 3);
  log("all", await Promise.all([loop("p1", 2), loop("p2", 3)]));
  log("allSettled", await Promise.allSettled([loop("s1", 1), Promise.reject(new Error("no")).catch((e) => e.message)]));
  log("any", await Promise.any([Promise.reject(1), loop("y1", 2)]));

  log("--- arrows, methods, and nested awaits");
  const arrow = async (x) => x * 2;
  const obj = {
    async method() {
      return (await arrow(await arrow(1))) + (await arrow(2));
    },
  };
  const p1 = obj.method().then((v) => log("method", v));
  const p2 = ticks("nested", 8);
  await Promise.all([p1, p2]);

  log("--- await in conditions, loops and expressions");
  async function expressions() {
    const arr = [await 1, await Promise.resolve(2)];
    const o = { [await "k"]: await "v" };
    let s = 0;
    for (const x of [1, 2, 3]) s += await x;
    while ((await s) < 10) s++;
    const t = (await true) ? await "yes" : await "no";
    log("expressions", arr, o, s, t);
  }
  await Promise.all([expressions(), ticks("expr", 12)]);

  log("--- sync part runs before the first await, callers see the promise at once");
  let flag = "before";
  async function syncPart() {
    flag = "set synchronously";
    await null;
    flag = "set after await";
  }
  const pending = syncPart();
  log(flag, pending instanceof Promise);
  await pending;
  log(flag);

  log("--- then on the returned promise vs microtasks queued inside");
  async function inside() {
    Promise.resolve().then(() => log("inside microtask"));
    return "inside value";
  }
  inside().then((v) => log("then of inside", v));
  Promise.resolve().then(() => log("outside microtask"));
  await ticks("inside", 4);

  log("--- setTimeout and microtask interplay");
  await new Promise((resolve) => {
    setTimeout(async () => {
      log("timer 1");
      await null;
      log("timer 1 after await");
    }, 0);
    setTimeout(() => {
      log("timer 2");
      resolve();
    }, 0);
  });
  log("end");
}

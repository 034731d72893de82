// The function names in stack traces (sync and async, V8's "at async f" frames), without
// file positions: the plugin wraps nothing, so no frame may be added, dropped or renamed.
// Frames below `run` (the test harness) are left out, and so are Node's own frames that drain
// the microtask queue: whether an await resumes under them depends on which timers were due.
const SCHEDULER = /^(?:runNextTicks|listOnTimeout|process\.process(?:Timers|Immediate|TicksAndRejections))$/;
function frames(error) {
  const names = [];
  for (const line of String(error.stack).split("\n").slice(1)) {
    const name = line.trim().replace(/^at /, "").replace(/ \(.*$/, "");
    if (/:\d+:\d+$/.test(name) || SCHEDULER.test(name)) continue;
    names.push(name);
    if (/\brun$/.test(name)) break;
  }
  return names;
}

export async function run(log) {
  function outer() {
    return middle();
  }
  function middle() {
    return [1].map(function inner() {
      return frames(new Error("here"));
    })[0];
  }
  log("sync", outer());

  class Thing {
    method() {
      return this.#priv();
    }
    #priv() {
      return Thing.stat();
    }
    static stat() {
      return frames(new Error("static"));
    }
    get getter() {
      return (() => frames(new Error("arrow in getter")))();
    }
  }
  log("class", new Thing().method());
  log("getter", new Thing().getter);

  async function asyncOuter() {
    await null;
    return asyncMiddle();
  }
  async function asyncMiddle() {
    return await asyncInner();
  }
  async function asyncInner() {
    await null;
    return frames(new Error("async"));
  }
  log("async", await asyncOuter());

  async function thrower() {
    await null;
    throw new Error("async throw");
  }
  async function awaitsThrower() {
    await thrower();
  }
  try {
    await awaitsThrower();
  } catch (e) {
    log("async throw", frames(e));
  }

  function* gen() {
    yield frames(new Error("generator"));
  }
  function callsGen() {
    return gen().next().value;
  }
  log("generator", callsGen());

  const viaCallback = () => [0].reduce(function reducer() {
    return frames(new Error("reducer"));
  }, null);
  log("callback", viaCallback());

  function thrownFromDeep() {
    (function level1() {
      (function level2() {
        null.boom;
      })();
    })();
  }
  try {
    thrownFromDeep();
  } catch (e) {
    log("TypeError frames", frames(e));
  }
}

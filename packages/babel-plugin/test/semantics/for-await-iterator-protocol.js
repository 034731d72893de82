// What `for await` does to an iterator, observed from the iterator's side: which properties it
// reads and when, which methods it calls, with what `this` and how many arguments (the spec
// calls next() and return() with none), for async iterators and sync ones.
export async function run(log) {
  function observed(name, values, { async = true, withReturn = true } = {}) {
    const iterator = {};
    let i = 0;
    const handler = {
      get(target, key, receiver) {
        if (typeof key === "string") log(`${name} get ${key}`);
        return Reflect.get(target, key, receiver);
      },
    };
    iterator.next = function next(...args) {
      log(`${name} next() with ${arguments.length} argument(s)`, args, this === proxy);
      const result = i < values.length ? { value: values[i++], done: false } : { value: "end", done: true };
      return async ? Promise.resolve(result) : result;
    };
    if (withReturn) {
      iterator.return = function (...args) {
        log(`${name} return() with ${arguments.length} argument(s)`, args, this === proxy);
        return async ? Promise.resolve({ done: true }) : { done: true };
      };
    }
    const proxy = new Proxy(iterator, handler);
    const iterable = {
      get [async ? Symbol.asyncIterator : Symbol.iterator]() {
        log(`${name} get @@${async ? "asyncIterator" : "iterator"}`);
        return function () {
          log(`${name} @@iterator called with ${arguments.length} argument(s)`, this === iterable);
          return proxy;
        };
      },
    };
    return iterable;
  }

  for await (const x of observed("async-full", [1, 2])) log("body", x);
  for await (const x of observed("async-break", [1, 2])) {
    log("body", x);
    break;
  }
  try {
    for await (const x of observed("async-throw", [1, 2])) throw new Error(`thrown at ${x}`);
  } catch (e) {
    log(e.message);
  }
  for await (const x of observed("async-no-return", [1, 2], { withReturn: false })) break;
  for await (const x of observed("sync-full", [Promise.resolve("p1"), "v2"], { async: false })) log("body", x);
  for await (const x of observed("sync-break", ["v1", "v2"], { async: false })) break;

  // An iterable with both methods: for await prefers @@asyncIterator and never reads @@iterator.
  const both = {
    get [Symbol.asyncIterator]() {
      log("both: get @@asyncIterator");
      return async function* () {
        yield "from async";
      };
    },
    get [Symbol.iterator]() {
      log("both: get @@iterator");
      return function* () {
        yield "from sync";
      };
    },
  };
  for await (const x of both) log(x);
  const onlySync = {
    get [Symbol.asyncIterator]() {
      log("onlySync: get @@asyncIterator");
      return undefined;
    },
    get [Symbol.iterator]() {
      log("onlySync: get @@iterator");
      return function* () {
        yield "from sync";
      };
    },
  };
  for await (const x of onlySync) log(x);
}

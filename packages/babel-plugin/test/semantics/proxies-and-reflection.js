// Instrumented functions seen through Proxy, Reflect and property introspection.
export function run(log) {
  function target(a, b) {
    return [this && this.tag, a, b, new.target === undefined];
  }
  const calls = [];
  const proxied = new Proxy(target, {
    apply(fn, thisArg, args) {
      calls.push(`apply ${args.length}`);
      return Reflect.apply(fn, thisArg, args);
    },
    construct(fn, args, newTarget) {
      calls.push(`construct ${newTarget === proxied}`);
      return Reflect.construct(fn, args, newTarget);
    },
  });
  log("proxy apply", proxied.call({ tag: "T" }, 1, 2), calls.splice(0));
  log("proxy construct", Object.keys(new proxied(1)), calls.splice(0));
  log("proxy reflects name and length", proxied.name, proxied.length);

  const handlerLog = [];
  const observed = new Proxy(
    { x: 1, method() { return this.x; } },
    {
      get(t, k, r) {
        handlerLog.push(`get ${String(k)}`);
        return Reflect.get(t, k, r);
      },
      set(t, k, v, r) {
        handlerLog.push(`set ${String(k)}`);
        return Reflect.set(t, k, v, r);
      },
      has(t, k) {
        handlerLog.push(`has ${String(k)}`);
        return Reflect.has(t, k);
      },
    },
  );
  function useObserved(o) {
    o.x = o.x + 1;
    return ["x" in o, o.method()];
  }
  log("traps fired by instrumented code", useObserved(observed), handlerLog);

  const descriptor = Object.getOwnPropertyDescriptor(target, "name");
  log("name descriptor", descriptor);
  log("length descriptor", Object.getOwnPropertyDescriptor(target, "length"));
  log("own keys", Reflect.ownKeys(target), Reflect.ownKeys(() => {}), Reflect.ownKeys(class {}));
  log("isExtensible", Object.isExtensible(target));
  const frozen = Object.freeze(function frozenFn() {
    return "still callable";
  });
  log("frozen function", frozen(), Object.isFrozen(frozen));
  function withProps() {
    return withProps.counter = (withProps.counter || 0) + 1;
  }
  withProps();
  withProps();
  log("function properties", withProps.counter);
  log("Function.prototype methods", target.apply({ tag: "A" }, [1, 2]), target.bind({ tag: "B" }, 1)(2));
}

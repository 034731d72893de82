// Returning a Proxy from a function must not touch it: no trap may fire just because a value
// is returned. A revoked proxy can be returned too (any operation on it throws).
export async function run(log) {
  const traps = [];
  const handler = {};
  for (const trap of ["get", "has", "getPrototypeOf", "getOwnPropertyDescriptor", "ownKeys", "apply", "construct"]) {
    handler[trap] = (...args) => {
      traps.push(typeof args[1] === "string" ? `${trap}(${args[1]})` : trap);
      return Reflect[trap](...args);
    };
  }
  const proxy = new Proxy({ value: 1 }, handler);
  function returnsProxy() {
    return proxy;
  }
  const got = returnsProxy();
  log("sync return: traps fired", traps.splice(0), got === proxy);

  const arrow = () => proxy;
  arrow();
  log("arrow return: traps fired", traps.splice(0));

  const { proxy: revocable, revoke } = Proxy.revocable({}, {});
  revoke();
  function returnsRevoked() {
    return revocable;
  }
  try {
    log("revoked proxy returned", returnsRevoked() === revocable);
  } catch (e) {
    log("returning a revoked proxy threw", e.constructor.name, e.message);
  }

  async function asyncReturnsProxy() {
    return proxy;
  }
  const result = await asyncReturnsProxy();
  log("async return: traps fired", traps.splice(0), result === proxy);
}

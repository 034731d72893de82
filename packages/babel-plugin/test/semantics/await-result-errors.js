// @known-difference: V8 names the callee in a TypeError from the source text; around a rewritten await it prints the generated call ("_spanfn.resume(...) is not a function") where it printed "(intermediate value)". Only the message differs: the error, its type and where it is thrown are the same.
// Error messages V8 builds from the source text around an awaited value: calling it, iterating
// it, destructuring it, constructing it.
export async function run(log) {
  const value = { notCallable: true };
  const attempts = {
    call: async () => (await value)(),
    construct: async () => new (await value)(),
    destructure: async () => {
      const [a] = await value;
      return a;
    },
    spread: async () => [...(await value)],
    forOf: async () => {
      for (const x of await value) return x;
    },
    method: async () => (await value).missing(),
  };
  for (const [name, attempt] of Object.entries(attempts)) {
    try {
      await attempt();
    } catch (e) {
      log(name, e.constructor.name, e.message);
    }
  }
}

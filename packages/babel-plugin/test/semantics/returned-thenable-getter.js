// An async function resolving its promise with a returned object reads that object's `then`
// exactly once (and calls it in a later job). Here `then` is a getter that counts its reads.
export async function run(log) {
  let reads = 0;
  const makeThenable = (value) => ({
    get then() {
      reads++;
      log(`then read #${reads}`);
      return (resolve) => resolve(value);
    },
  });
  async function returnsThenable() {
    return makeThenable("thenable value");
  }
  const p = returnsThenable();
  log("after call", reads);
  log("resolved to", await p, "reads", reads);

  let plainReads = 0;
  const notThenable = {
    get then() {
      plainReads++;
      return undefined;
    },
  };
  async function returnsObjectWithUndefinedThen() {
    return notThenable;
  }
  log("object with an undefined then", (await returnsObjectWithUndefinedThen()) === notThenable, "reads", plainReads);

  // A sync function returning the object: nobody reads `then`.
  let syncReads = 0;
  function returnsSync() {
    return {
      get then() {
        syncReads++;
        return undefined;
      },
    };
  }
  returnsSync();
  log("sync function: then reads", syncReads);
}

// A `return somePromise` that a finally block overrides (with another return, a throw, or a
// break/continue out of a loop): the function does not return that promise after all, so
// whatever the promise does (here: it never settles) must not matter to the function's span.
export async function run(log) {
  // Uninstrumented: a function returning a promise that never settles rightly has a span that
  // never ends. The functions below do not return that promise, so theirs must end.
  /** @spanFn ignore */
  const never = () => new Promise(() => {});

  async function asyncOverriddenByReturn() {
    try {
      return never();
    } finally {
      return "finally value";
    }
  }
  async function asyncOverriddenByThrow() {
    try {
      return never();
    } finally {
      throw new Error("finally threw");
    }
  }
  async function asyncOverriddenByContinue() {
    for (let i = 0; i < 2; i++) {
      try {
        return never();
      } finally {
        continue;
      }
    }
    return "after loop";
  }
  function syncOverriddenByReturn() {
    try {
      return never();
    } finally {
      return "sync finally value";
    }
  }
  function syncOverriddenByBreak() {
    do {
      try {
        return never();
      } finally {
        break;
      }
    } while (false);
    return "sync after loop";
  }

  log(await asyncOverriddenByReturn());
  await asyncOverriddenByThrow().catch((e) => log("rejected", e.message));
  log(await asyncOverriddenByContinue());
  log(syncOverriddenByReturn());
  log(syncOverriddenByBreak());
}

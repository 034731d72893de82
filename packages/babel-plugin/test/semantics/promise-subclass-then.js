// A Promise subclass that overrides `then` and delegates to `super.then` (the usual way to
// extend promises, e.g. to add logging or cancellation), used the ordinary ways.
export async function run(log) {
  let thenCalls = 0;
  class TrackedPromise extends Promise {
    then(onFulfilled, onRejected) {
      thenCalls++;
      return super.then(onFulfilled, onRejected);
    }
  }
  const p = new TrackedPromise((resolve) => resolve(21));
  const doubled = p.then((v) => v * 2);
  log("then returns the subclass", doubled instanceof TrackedPromise);
  log("awaited", await doubled);
  log("chained", await TrackedPromise.resolve(1).then((v) => v + 1).then((v) => v + 1));
  log("catch goes through then", await TrackedPromise.reject(new Error("no")).catch((e) => e.message));
  log("then calls", thenCalls);
}

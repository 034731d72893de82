// @compilers: tsc-es2015 tsc-es5 env-node6 env-ie11
// TypeScript: functions without `async` whose return type says Promise get an async span that
// ends when the returned promise settles. What they return, throw and when must not change.
type Loaded = Promise<string>;

interface Thenable<T> extends PromiseLike<T> {}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function load(name: string): Promise<string> {
  return delay(1).then(() => `loaded ${name}`);
}

function viaAlias(name: string): Loaded {
  if (name === "") throw new Error("empty name");
  return load(name);
}

function rejects(): Promise<never> {
  return Promise.reject(new Error("rejected"));
}

function returnsNonPromise(): Promise<number> {
  return 42 as unknown as Promise<number>;
}

function returnsThenable(): Thenable<string> {
  return { then: (resolve?: ((v: string) => unknown) | null) => resolve?.("thenable") } as Thenable<string>;
}

class Repo {
  constructor(private readonly prefix: string) {}
  find(id: number): Promise<string> {
    return Promise.resolve(`${this.prefix}${id}`);
  }
  findMany(...ids: number[]): Promise<string[]> {
    return Promise.all(ids.map((id) => this.find(id)));
  }
}

export async function run(log: (...values: unknown[]) => void): Promise<void> {
  const ticks = (label: string, n: number) => {
    let p = Promise.resolve();
    for (let i = 1; i <= n; i++) p = p.then(() => log(`${label} tick ${i}`));
    return p;
  };
  log(await load("a"), await viaAlias("b"));
  try {
    viaAlias("");
  } catch (e) {
    log("sync throw", (e as Error).message);
  }
  await rejects().catch((e: Error) => log("rejection", e.message));
  log("non-promise", returnsNonPromise());
  log("thenable", await returnsThenable());
  const repo = new Repo("item-");
  log(await repo.findMany(1, 2, 3));

  const order = Promise.all([
    repo.find(1).then((v) => log("find settled", v)),
    Promise.resolve("p").then((v) => log("plain settled", v)),
    ticks("ts", 4),
  ]);
  log("sync end");
  await order;
}

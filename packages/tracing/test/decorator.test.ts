import { beforeEach, describe, expect, test } from "@jest/globals";
import { currentSpanId, spanFn } from "../src/index.js";
import { memorySink, shape, take } from "./helpers.js";

const sink = memorySink();
beforeEach(() => void take(sink));

// What a TC39 decorator receives, applied by hand as the engine would.
function decorate<M extends (...args: never[]) => unknown>(decorator: (...args: never[]) => unknown, method: M, name: string, isStatic = false): M {
  return (decorator as (m: M, c: object) => M)(method, { kind: "method", name, static: isStatic });
}

class Repo {
  rows = ["a", "b"];
  find(i: number): string {
    return this.rows[i];
  }
  async load(i: number): Promise<string> {
    await null;
    return this.find(i);
  }
  static create(): Repo {
    return new Repo();
  }
}

describe("the spanFn decorator, unbuilt", () => {
  test("a sync method gets a thread span named Class.method, keeping this and the result", () => {
    const find = decorate(spanFn, Repo.prototype.find, "find");
    expect(find.call(new Repo(), 1)).toBe("b");
    expect(shape(take(sink))).toEqual(["thread-begin:Repo.find", "thread-end:Repo.find"]);
  });

  test("an explicit name and a static method", () => {
    const create = decorate(spanFn("repo.create"), Repo.create, "create", true);
    expect(create.call(Repo)).toBeInstanceOf(Repo);
    const named = decorate(spanFn, Repo.create, "create", true);
    named.call(Repo);
    expect(shape(take(sink))).toEqual([
      "thread-begin:repo.create",
      "thread-end:repo.create",
      "thread-begin:Repo.create",
      "thread-end:Repo.create",
    ]);
  });

  test("an async method gets an async span that ends when its promise settles", async () => {
    const load = decorate(spanFn, Repo.prototype.load, "load");
    const promise = load.call(new Repo(), 0);
    expect(currentSpanId()).toBe(0);
    await expect(promise).resolves.toBe("a");
    await new Promise((r) => setTimeout(r, 0));
    expect(shape(take(sink))).toEqual(["async-begin:Repo.load", "async-end:Repo.load"]);
  });

  test("TypeScript's legacy decorator shape", () => {
    const descriptor = Object.getOwnPropertyDescriptor(Repo.prototype, "find")!;
    const decorated = spanFn(Repo.prototype, "find", descriptor);
    expect((decorated.value as Repo["find"]).call(new Repo(), 0)).toBe("a");
    expect(shape(take(sink))).toEqual(["thread-begin:Repo.find", "thread-end:Repo.find"]);
  });

  test("refuses what is not a method", () => {
    expect(() => (spanFn as unknown as (v: unknown, c: object) => unknown)(undefined, { kind: "field", name: "x" })).toThrow(
      "@spanFn decorates methods; it was applied to a field",
    );
    expect(() => spanFn("")).toThrow("non-empty name");
  });
});

import { spanFn } from "@spanfn/tracing";

/** @spanFn */
export function add(a: number, b: number): number {
  return a + b;
}

export function unmarked(n: number): number {
  return n * 2;
}

export class Store {
  @spanFn
  async load(id: string): Promise<string> {
    await null;
    return id.toUpperCase();
  }
}

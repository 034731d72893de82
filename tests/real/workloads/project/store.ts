// A small service: interfaces, a generic class, async methods, an enum, a namespace, generators.
export enum Level {
  Low = 1,
  High = 10,
}

export interface Store<T> {
  get(key: string): Promise<T | undefined>;
  put(key: string, value: T): Promise<void>;
}

export namespace Keys {
  export const prefix = "k:";
  export function make(...parts: string[]): string {
    return prefix + parts.join("/");
  }
}

export class MemoryStore<T> implements Store<T> {
  private readonly data = new Map<string, T>();
  constructor(private readonly delay: (ms: number) => Promise<void>) {}

  async get(key: string): Promise<T | undefined> {
    await this.delay(1);
    return this.data.get(key);
  }

  async put(key: string, value: T): Promise<void> {
    await this.delay(0);
    if (key === "") throw new TypeError("empty key");
    this.data.set(key, value);
  }

  *keys(): Generator<string, number, undefined> {
    for (const key of [...this.data.keys()].sort()) yield key;
    return this.data.size;
  }
}

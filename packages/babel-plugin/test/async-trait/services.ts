// The async-trait situation in TypeScript: interfaces whose methods return promises, implemented
// by classes. Compiled by real compilers in async-trait.test.ts, then instrumented and run.
interface Service {
  process(s: string): Promise<string>;
}

interface Store<T> {
  get(key: string): Promise<T | undefined>;
}

type Encoded = { ok: true; bytes: number } | { ok: false; error: string };

interface Codec {
  encode(data: Uint8Array, options: Map<string, number>): Promise<Encoded>;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Simple implements Service {
  async process(s: string): Promise<string> {
    await delay(20);
    return this.audit(s.toUpperCase());
  }

  async audit(s: string): Promise<string> {
    await delay(1);
    return `${s}!`;
  }
}

export class MapStore<T> implements Store<T> {
  private readonly rows = new Map<string, T>();

  constructor(entries: Array<[string, T]>) {
    for (const [k, v] of entries) this.rows.set(k, v);
  }

  async get(key: string): Promise<T | undefined> {
    await delay(20);
    return this.rows.get(key);
  }
}

export class SizeCodec implements Codec {
  async encode(data: Uint8Array, options: Map<string, number>): Promise<Encoded> {
    await delay(20);
    const limit = options.get("limit") ?? Infinity;
    return data.length > limit ? { ok: false, error: "too big" } : { ok: true, bytes: data.length };
  }
}

export function checksum(text: string): number {
  let sum = 0;
  for (const ch of text) sum = (sum * 31 + ch.charCodeAt(0)) >>> 0;
  return sum;
}

export async function run(): Promise<string> {
  const a = await new Simple().process("a");
  const b = await new MapStore<number>([["k", 7]]).get("k");
  const c = await new SizeCodec().encode(new Uint8Array(3), new Map([["limit", 10]]));
  const d = await new Simple().process("d");
  return `${a} ${b} ${JSON.stringify(c)} ${d} ${checksum(a)}`;
}

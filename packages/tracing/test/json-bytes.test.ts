/**
 * The Chrome writer's byte encoding: numbers and times written digit by digit read back as the
 * numbers they stand for, and a writer built for bytes (copied or lent) writes exactly the text
 * the string writer writes.
 */
import { describe, expect, test } from "@jest/globals";
import { JsonBytes } from "../src/sinks/json-bytes.js";
import { ChromeTraceWriter, type EventBlock } from "../src/index.js";

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("JsonBytes", () => {
  test("integers as String() writes them; anything else through String()", () => {
    const values = [0, 7, 10, 99, 100, 4294967296, 12345678901234, Number.MAX_SAFE_INTEGER, -1, -42, -Number.MAX_SAFE_INTEGER, 0.5, -2.25, 1e21, NaN, Infinity];
    const out = new JsonBytes();
    for (const value of values) {
      out.number(value);
      out.text(" ");
    }
    expect(decode(out.take())).toBe(values.map((v) => `${String(v)} `).join(""));
  });

  test("nanoseconds as microseconds in the fewest digits, as the number prints", () => {
    const nanos = [0, 1, 9, 10, 99, 100, 101, 110, 999, 1000, 1001, 1010, 1100, 123456789, 9007199254740991, -5, 2 ** 60];
    const out = new JsonBytes();
    for (const n of nanos) {
      out.micros(n);
      out.text(",");
    }
    // Exact to the nanosecond while the count is a safe integer (n / 1000 as a double is not).
    const exact = (n: number) => {
      if (!(n >= 0 && n <= Number.MAX_SAFE_INTEGER)) return String(n / 1000);
      const whole = BigInt(n) / 1000n;
      const fraction = (BigInt(n) % 1000n).toString().padStart(3, "0").replace(/0+$/, "");
      return fraction === "" ? `${whole}` : `${whole}.${fraction}`;
    };
    expect(decode(out.take())).toBe(nanos.map((n) => `${exact(n)},`).join(""));
  });

  test("text of any script, and a buffer that grows past its first size keeps what it held", () => {
    const out = new JsonBytes();
    const piece = new TextEncoder().encode('"ünï\\"cödé 🙂",');
    let expected = "";
    for (let i = 0; i < 20_000; i++) {
      out.bytes(piece);
      out.text("ß→");
      out.number(i);
      expected += `"ünï\\"cödé 🙂",ß→${i}`;
    }
    expect(out.size).toBeGreaterThan(1 << 16);
    expect(decode(out.take())).toBe(expected);
    expect(out.size).toBe(0);
  });

  test("take() hands over a copy; lend() a view the next write reuses", () => {
    const out = new JsonBytes();
    out.text("first");
    const taken = out.take();
    out.text("secnd");
    const lent = out.lend();
    out.text("third");
    expect([decode(taken), decode(lent)]).toEqual(["first", "third"]);
  });
});

describe("ChromeTraceWriter in bytes", () => {
  /** Blocks with every kind of record: complete, begin/end, an async span with its parent, a missing site. */
  function blocks(): { process: { pid: number; clock: { timeOrigin: number; tickUnitNs: number } }; blocks: EventBlock[] } {
    const clock = { timeOrigin: 1_700_000_000_000.25, tickUnitNs: 1e6 };
    const thread = { id: 3, name: "wörker" };
    const metadata = [
      { name: 'a "quoted" nâme', target: "t", file: "f.ts", line: 1, level: 2 },
      { name: "leaf", target: "t", file: "f.ts", line: 2, level: 2 },
      { name: "async", target: "t", file: "f.ts", line: 3, level: 2 },
    ];
    // Records by layout.ts: head = site * 16 + kind (complete 0, begin 1, end 2, async begin 3, fulfilled 4, begin inside 7).
    const records = [
      [0 * 16 + 1, 1.5], // begin a
      [1 * 16 + 0, 1.75, 1.7501], // complete leaf
      [2 * 16 + 3, 2, 7, 0, 1], // async begin: tick, id 7, parent 0, depth 1
      [1 * 16 + 7, 2.25, 7], // begin inside: tick, the async span 7
      [1 * 16 + 2, 2.5], // end
      [2 * 16 + 4, 3, 7], // async fulfilled: tick, id 7
      [9 * 16 + 0, 3.5, 3.6], // complete of a site with no metadata
      [0 * 16 + 2, 4.125], // end a
    ];
    const data = new Float64Array(records.flat());
    return { process: { pid: 12, clock }, blocks: [{ thread, clock, metadata, data, length: data.length, sequence: 0 }] };
  }

  function write(make: (chunks: string[]) => ChromeTraceWriter): string[] {
    const { process, blocks: all } = blocks();
    const chunks: string[] = [];
    const writer = make(chunks);
    writer.start(process);
    for (const block of all) writer.block(block);
    writer.finish({ clock: process.clock, at: 5, unfinished: [], droppedSpans: 0, lostEvents: 0, lostEnds: 0, earlySpans: 0, sinkErrors: 0, promiseReturningSync: [], demoted: [] } as never);
    return chunks;
  }

  test("copied or lent, the bytes are the text the string writer writes", () => {
    const text = write((chunks) => new ChromeTraceWriter((chunk: string) => chunks.push(chunk))).join("");
    const copied: Uint8Array[] = [];
    write(() => new ChromeTraceWriter((chunk: Uint8Array) => copied.push(chunk), { bytes: true }));
    const lent: string[] = [];
    write(() => new ChromeTraceWriter((chunk: Uint8Array) => lent.push(decode(chunk)), { bytes: true, lend: true }));
    expect(copied.map(decode).join("")).toBe(text);
    expect(lent.join("")).toBe(text);
    const events = JSON.parse(text) as { ph: string; name?: string; dur?: number; args?: Record<string, unknown> }[];
    expect(events.filter((e) => e.ph !== "M").map((e) => [e.ph, e.name, e.dur, e.args?.parent])).toEqual([
      ["B", 'a "quoted" nâme', undefined, undefined],
      ["X", "leaf", 0.1, undefined],
      ["b", "async", undefined, 0],
      ["B", "leaf", undefined, 7],
      ["E", "leaf", undefined, 7],
      ["e", "async", undefined, undefined],
      ["X", "#9", 100, undefined],
      ["E", 'a "quoted" nâme', undefined, undefined],
    ]);
  });
});

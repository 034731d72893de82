import { describe, expect, test } from "@jest/globals";
import { clockFromNanoseconds, now } from "../src/clock.js";

const LOW_WORD = 2n ** 32n;

/** A clock fed the given nanosecond reads in turn, its reference reading `referenceMs`. */
function fedClock(reads: bigint[], referenceMs: number): () => number {
  let next = 0;
  return clockFromNanoseconds(() => reads[next++], () => referenceMs);
}

describe("clock from nanoseconds", () => {
  test("reads milliseconds from the first read on, offset to the reference", () => {
    const start = 7n * LOW_WORD + 123_456_789n;
    const clock = fedClock([start, start + 1_500_000n, start + 2_000_000_000n], 1000);
    expect(clock()).toBeCloseTo(1001.5, 9);
    expect(clock()).toBeCloseTo(3000, 9);
  });

  test("stays exact across a carry into the high half", () => {
    const start = 9n * LOW_WORD - 250n;
    const after = [start + 100n, start + 250n, start + 251n, start + 5n * LOW_WORD + 17n];
    const clock = fedClock([start, ...after], 0);
    for (const read of after) expect(clock()).toBeCloseTo(Number(read - start) * 1e-6, 9);
  });

  test("reads the halves unsigned: a high half crossing 2^31", () => {
    const start = (2n ** 31n - 1n) * LOW_WORD + 99n;
    const read = start + 2n * LOW_WORD + 1n;
    const clock = fedClock([start, read], 0);
    expect(clock()).toBeCloseTo(Number(read - start) * 1e-6, 9);
  });
});

describe("the process clock", () => {
  test("agrees with performance.now() and never goes back", () => {
    let previous = now();
    expect(Math.abs(previous - performance.now())).toBeLessThan(1);
    let backwards = 0;
    for (let i = 0; i < 100_000; i++) {
      const t = now();
      if (t < previous) backwards++;
      previous = t;
    }
    expect(backwards).toBe(0);
    expect(Math.abs(now() - performance.now())).toBeLessThan(1);
  });
});

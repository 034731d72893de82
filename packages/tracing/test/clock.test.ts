import { describe, expect, test } from "@jest/globals";
import { CALIBRATION_ROUNDS, clockFromNanoseconds, now } from "../src/clock.js";

const LOW_WORD = 2n ** 32n;

/**
 * A clock fed the given nanosecond reads in turn, its reference reading `referenceMs`; its
 * calibration reads all give the first read.
 */
function fedClock(reads: bigint[], referenceMs: number): () => number {
  const fed = [reads[0], ...Array<bigint>(2 * CALIBRATION_ROUNDS).fill(reads[0]), ...reads.slice(1)];
  let next = 0;
  return clockFromNanoseconds(() => fed[next++], () => referenceMs);
}

describe("clock from nanoseconds", () => {
  test("reads milliseconds from the first read on, offset to the reference", () => {
    const start = 7n * LOW_WORD + 123_456_789n;
    const clock = fedClock([start, start + 1_500_000n, start + 2_000_000_000n], 1000);
    expect(clock()).toBeCloseTo(1001.5, 9);
    expect(clock()).toBeCloseTo(3000, 9);
  });

  test("takes its offset from the tightest reads around a reference read: a thread descheduled during one does not shift the clock", () => {
    const start = 3n * LOW_WORD;
    const ms = 1_000_000n;
    // The reference reads 100 ms each time; the reads around it are 5 ms apart (the thread
    // waited), then 2 µs apart around the moment the reference read 100 ms, then wide again.
    const calibration: bigint[] = [];
    for (let i = 0; i < CALIBRATION_ROUNDS; i++) {
      const narrow = i === 3;
      calibration.push(start + 100n * ms - (narrow ? 1_000n : 0n), start + 100n * ms + (narrow ? 1_000n : 5n * ms));
    }
    let next = 0;
    const fed = [start, ...calibration, start + 150n * ms];
    const clock = clockFromNanoseconds(() => fed[next++], () => 100);
    expect(clock()).toBeCloseTo(150, 9);
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
  /** now() read between two reads of performance.now(): it must fall between them (to calibration's error). */
  function expectBetween(): void {
    const before = performance.now();
    const read = now();
    const after = performance.now();
    expect(read).toBeGreaterThan(before - 0.5);
    expect(read).toBeLessThan(after + 0.5);
  }

  test("agrees with performance.now() and never goes back", () => {
    expectBetween();
    let previous = now();
    let backwards = 0;
    for (let i = 0; i < 100_000; i++) {
      const t = now();
      if (t < previous) backwards++;
      previous = t;
    }
    expect(backwards).toBe(0);
    expectBetween();
  });

  test("keeps running when performance.now is replaced later (fake timers), whichever clock it reads", () => {
    const real = performance.now;
    const start = now();
    performance.now = () => 0;
    try {
      const until = Date.now() + 5;
      while (Date.now() < until);
      expect(now() - start).toBeGreaterThan(1);
    } finally {
      performance.now = real;
    }
  });
});

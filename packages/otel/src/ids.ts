/**
 * Trace and span ids: random, as OpenTelemetry requires, drawn from a pooled buffer of crypto
 * randomness so an id costs a slice and a hex conversion rather than a system call.
 */
import { randomFillSync } from "node:crypto";

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

function randomHex(bytes: number): string {
  for (;;) {
    if (offset + bytes > POOL_BYTES) {
      randomFillSync(pool);
      offset = 0;
    }
    const hex = pool.toString("hex", offset, offset + bytes);
    offset += bytes;
    // All-zero ids are invalid in OpenTelemetry; 2^-64 odds, but cheap to rule out.
    if (!/^0+$/.test(hex)) return hex;
  }
}

export const newTraceId = (): string => randomHex(16);
export const newSpanId = (): string => randomHex(8);

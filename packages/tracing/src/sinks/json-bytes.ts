/**
 * JSON text built as UTF-8 bytes in one buffer that is reused: a trace encoder writes each event
 * into it without making strings the garbage collector must then find, and hands a block's
 * bytes on in one piece.
 */
const encoder = new TextEncoder();

/** `text` as UTF-8, once: for the constant pieces of events. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export class JsonBytes {
  private buffer = new Uint8Array(1 << 16);
  private length = 0;

  /** Bytes written since the last `take`. */
  get size(): number {
    return this.length;
  }

  /** The buffer, with room for `count` more bytes. */
  private room(count: number): Uint8Array {
    const need = this.length + count;
    if (need > this.buffer.length) {
      let size = this.buffer.length * 2;
      while (size < need) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    return this.buffer;
  }

  /** One byte (an ASCII character's code). */
  byte(value: number): void {
    this.room(1)[this.length++] = value;
  }

  bytes(bytes: Uint8Array): void {
    const count = bytes.length;
    const buffer = this.room(count);
    const at = this.length;
    // TypedArray#set costs more to call than a loop takes to copy a number's few bytes, and less
    // than the loop for anything longer (a span site's name and args).
    if (count > 16) buffer.set(bytes, at);
    else for (let i = 0; i < count; i++) buffer[at + i] = bytes[i];
    this.length = at + count;
  }

  /** Any text, as UTF-8 (no escaping: for text that is JSON already). */
  text(text: string): void {
    // A UTF-16 unit takes at most three bytes.
    const buffer = this.room(text.length * 3);
    this.length += encoder.encodeInto(text, buffer.subarray(this.length)).written;
  }

  /** A number as `String(value)` writes it: integers digit by digit, anything else as text. */
  number(value: number): void {
    if (!Number.isSafeInteger(value)) {
      this.text(String(value));
      return;
    }
    const buffer = this.room(17);
    if (value < 0) {
      buffer[this.length++] = 45; // "-"
      value = -value;
    }
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    let at = this.length + digits;
    this.length = at;
    do {
      const next = Math.floor(value / 10);
      buffer[--at] = 48 + (value - next * 10);
      value = next;
    } while (value > 0);
  }

  /**
   * Whole nanoseconds as microseconds in the fewest digits: 12, 12.5, 12.05, 12.005. Outside
   * what a double holds exactly, as `String(nanos / 1000)`.
   */
  micros(nanos: number): void {
    if (!(nanos >= 0 && nanos <= Number.MAX_SAFE_INTEGER)) {
      this.text(String(nanos / 1000));
      return;
    }
    const whole = Math.floor(nanos / 1000);
    let fraction = nanos - whole * 1000;
    this.number(whole);
    if (fraction === 0) return;
    const buffer = this.room(4);
    buffer[this.length++] = 46; // "."
    const hundreds = Math.floor(fraction / 100);
    fraction -= hundreds * 100;
    const tens = Math.floor(fraction / 10);
    const ones = fraction - tens * 10;
    buffer[this.length++] = 48 + hundreds;
    if (tens === 0 && ones === 0) return;
    buffer[this.length++] = 48 + tens;
    if (ones !== 0) buffer[this.length++] = 48 + ones;
  }

  /** What was written, as a copy of its own; the buffer starts empty again. */
  take(): Uint8Array {
    const bytes = this.buffer.slice(0, this.length);
    this.length = 0;
    return bytes;
  }

  /** What was written, in the buffer itself: good until the next write. The buffer starts empty again. */
  lend(): Uint8Array {
    const bytes = this.buffer.subarray(0, this.length);
    this.length = 0;
    return bytes;
  }
}

/**
 * Nearest-rank quantiles of a stream of durations in bounded memory: exact while there are few
 * values, then read from logarithmic buckets, each within 1% of the values it holds.
 */

/** Values kept as they are before switching to buckets. */
export const EXACT_LIMIT = 1024;
/** Each bucket's upper bound over its lower one: a bucket's middle is within (g-1)/(g+1) < 1% of any value in it. */
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
/** Buckets added past a new value's index when the range grows: a factor of about 3.6 each way. */
const BUCKET_SLACK = 64;

export class Quantiles {
  private exact: number[] | null = [];
  private sorted = true;
  /** Bucket counts by bucket index, from `lowest` up (a typed array: no map entry per bucket touched). */
  private buckets: Float64Array | null = null;
  private lowest = 0;
  /** Values ≤ 0 (a zero-length span; negative only in a broken trace), outside the log buckets. */
  private nonPositive = 0;
  private count = 0;
  private min = Infinity;
  private max = -Infinity;

  add(value: number): void {
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    const exact = this.exact;
    if (exact === null) {
      this.bucket(value);
      return;
    }
    if (exact.length > 0 && value < exact[exact.length - 1]) this.sorted = false;
    exact.push(value);
    if (exact.length > EXACT_LIMIT) {
      this.exact = null;
      for (const v of exact) this.bucket(v);
    }
  }

  /** Whether `quantile` is exact (not yet bucketed). */
  isExact(): boolean {
    return this.exact !== null;
  }

  /** The nearest-rank `q` quantile; NaN with no values. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.min(this.count, Math.max(1, Math.ceil(q * this.count)));
    const exact = this.exact;
    if (exact !== null) {
      if (!this.sorted) {
        exact.sort((a, b) => a - b);
        this.sorted = true;
      }
      return exact[rank - 1];
    }
    if (rank <= this.nonPositive) return this.min;
    let seen = this.nonPositive;
    const buckets = this.buckets;
    if (buckets !== null) {
      for (let at = 0; at < buckets.length; at++) {
        seen += buckets[at];
        if (seen >= rank) return Math.min(this.max, Math.max(this.min, (2 * GROWTH ** (this.lowest + at)) / (GROWTH + 1)));
      }
    }
    return this.max;
  }

  private bucket(value: number): void {
    if (!(value > 0)) {
      this.nonPositive++;
      return;
    }
    const i = Math.ceil(Math.log(value) / LOG_GROWTH);
    let at = i - this.lowest;
    let buckets = this.buckets;
    if (buckets === null || at < 0 || at >= buckets.length) {
      buckets = this.cover(i);
      at = i - this.lowest;
    }
    buckets[at]++;
  }

  /** Buckets that reach index `i`, with room to spare on its side (a span's durations drift). */
  private cover(i: number): Float64Array {
    const old = this.buckets;
    const lowest = old === null ? i - BUCKET_SLACK : Math.min(this.lowest, i - BUCKET_SLACK);
    const end = old === null ? i + BUCKET_SLACK : Math.max(this.lowest + old.length, i + BUCKET_SLACK);
    const grown = new Float64Array(end - lowest);
    if (old !== null) grown.set(old, this.lowest - lowest);
    this.lowest = lowest;
    this.buckets = grown;
    return grown;
  }
}

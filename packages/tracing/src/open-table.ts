/**
 * The async spans a thread has begun and not ended, as rows of numbers in a typed array: id,
 * metadata id, parent id, depth. A span holds its row's index; an ended span's row goes on a
 * free list and is reused. Numbers, not the span objects: storing a young object into this
 * long-lived table would cost a write barrier on every begin and end (see AsyncSpan).
 */
const ROW = 4;

export class OpenAsyncTable {
  rows = new Float64Array(64 * ROW);
  /** Rows ever used (the high-water mark); rows below it with id 0 are free. */
  used = 0;
  free = new Int32Array(64);
  freeCount = 0;

  /** Adds a span's row; returns its index. */
  add(id: number, metadata: number, parent: number, depth: number): number {
    let row: number;
    if (this.freeCount > 0) row = this.free[--this.freeCount];
    else {
      row = this.used++;
      if (this.used * ROW > this.rows.length) this.grow();
    }
    const at = row * ROW;
    const rows = this.rows;
    rows[at] = id;
    rows[at + 1] = metadata;
    rows[at + 2] = parent;
    rows[at + 3] = depth;
    return row;
  }

  remove(row: number): void {
    this.rows[row * ROW] = 0;
    this.free[this.freeCount++] = row;
  }

  private grow(): void {
    const rows = new Float64Array(this.rows.length * 2);
    rows.set(this.rows);
    this.rows = rows;
    const free = new Int32Array(this.free.length * 2);
    free.set(this.free);
    this.free = free;
  }

  /** Calls `visit` for every open span, oldest (lowest id) first. */
  forEach(visit: (id: number, metadata: number, parent: number, depth: number) => void): void {
    const open: number[] = [];
    for (let row = 0; row < this.used; row++) if (this.rows[row * ROW] !== 0) open.push(row);
    open.sort((a, b) => this.rows[a * ROW] - this.rows[b * ROW]);
    for (const row of open) {
      const at = row * ROW;
      visit(this.rows[at], this.rows[at + 1], this.rows[at + 2], this.rows[at + 3]);
    }
  }
}

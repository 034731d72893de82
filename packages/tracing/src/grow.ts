/** Typed arrays grown by doubling, for tables indexed by site or depth. */
export function grown<T extends Uint8Array | Uint32Array | Float64Array | Int32Array>(array: T, size: number, fill = 0): T {
  if (size <= array.length) return array;
  let length = array.length;
  while (length < size) length *= 2;
  const copy = new (array.constructor as new (n: number) => T)(length);
  if (fill !== 0) copy.fill(fill);
  copy.set(array);
  return copy;
}

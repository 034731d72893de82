// A cached function: its type is the function's it wraps, which only a type checker follows.
function cached<F extends (id: string) => unknown>(load: F): F {
  const seen = new Map<string, unknown>();
  return ((id: string) => {
    if (!seen.has(id)) seen.set(id, load(id));
    return seen.get(id);
  }) as F;
}

export function sleep(ms: number) {
  return new Promise<void>((resolve) => setTimeout(resolve, ms));
}

export const fetchRow = cached(async (id: string) => {
  await sleep(20);
  return { id, name: id.toUpperCase() };
});

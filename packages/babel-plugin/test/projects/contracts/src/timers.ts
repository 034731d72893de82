// Returns a promise, says so nowhere: its callers in other modules are found by following the import.
export function delayed<T>(ms: number, value: T) {
  return new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));
}

// A query function nothing can see through: only the contracts say its callers return promises.
function connect(latency: number) {
  return { query: <T>(value: T): any => new Promise((resolve) => setTimeout(() => resolve(value), latency)) };
}

export const db = connect(20);

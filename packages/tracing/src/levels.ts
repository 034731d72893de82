/** Verbosity of a span, as in `tracing`/micromegas: lower is more important. */
export const Level = {
  error: 1,
  warn: 2,
  info: 3,
  debug: 4,
  trace: 5,
} as const;

export type LevelName = keyof typeof Level;
export type LevelValue = (typeof Level)[LevelName];

export const DEFAULT_SPAN_LEVEL: LevelValue = Level.info;

const NAMES: readonly string[] = ["off", "error", "warn", "info", "debug", "trace"];

/** Accepts a level name or number; throws with the allowed values otherwise. */
export function parseLevel(value: unknown, what = "level"): LevelValue {
  if (typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 5) {
    return value as LevelValue;
  }
  if (typeof value === "string" && Object.hasOwn(Level, value)) {
    return Level[value as LevelName];
  }
  throw new TypeError(
    `spanfn: ${what} must be one of ${Object.keys(Level).map((n) => `"${n}"`).join(", ")} or 1-5; got ${JSON.stringify(value)}`,
  );
}

export function levelName(level: number): string {
  return NAMES[level] ?? String(level);
}

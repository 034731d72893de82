/**
 * What tells a changed file from the one read before: its mtime and size, cheaper than reading
 * it. Every cache in the plugin that must notice an edit (parsed modules, tsconfigs, the type
 * checker's files, jest's cache key) compares these.
 */
import { statSync } from "node:fs";

/** The stamp of the regular file at `path`, or null when there is none. */
export function fileStamp(path: string): string | null {
  try {
    const stat = statSync(path);
    return stat.isFile() ? `${stat.mtimeMs}:${stat.size}` : null;
  } catch {
    return null;
  }
}

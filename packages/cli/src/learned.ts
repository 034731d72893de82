/**
 * What earlier runs of a program demoted, kept beside the transform cache: a later `spanfn run`
 * of the same program hands it to the runtime (`demote.learned`), which counts those functions
 * from their first call instead of recording spans of them until it has judged them again. In
 * all-mode most of the spans a short run records are those first calls.
 *
 * One file per program (its script and root), rewritten at each exit: what this run demoted,
 * by file, with each file's modification time and size; a file that has changed since is
 * forgotten, and its functions are judged afresh. Files this run did not load keep what an
 * earlier run learned of them. `spanfn run --no-cache` neither reads nor writes it, and deleting
 * it is safe at any time.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { DemotedSite, LearnedDemotion } from "@spanfn/tracing";
import { replaceFile, sha256, stampOf } from "./cache.js";

const MAGIC = "spanfn-demoted/1";

/** A learned site: name, line, and 1 when it records its outermost calls. */
type Site = [name: string, line: number, keepsOutermost: 0 | 1];

interface FileEntry {
  mtimeMs: number;
  size: number;
  sites: Site[];
}

type Profile = Map<string, FileEntry>;

/**
 * The profile of the program `script` run from `root`: named by the two paths themselves, encoded
 * (hashing them would load node:crypto at every start), or by their hash where that name would be
 * too long for a file system.
 */
export function learnedPath(cacheDir: string, root: string, script: string): string {
  const program = `${resolve(root)}\0${resolve(root, script)}`;
  const encoded = Buffer.from(program).toString("base64url");
  return join(cacheDir, `demoted-${encoded.length <= MAX_ENCODED ? encoded : sha256(program).slice(0, 32)}.json`);
}

/** Encoded names longer than this are hashed instead: file names end at 255 bytes on most systems. */
const MAX_ENCODED = 200;

/** What earlier runs learned of files unchanged since; nothing when there is no profile or it cannot be read. */
export function readLearned(path: string, root: string): LearnedDemotion[] {
  const learned: LearnedDemotion[] = [];
  for (const [file, entry] of current(parseProfile(readText(path)), root)) {
    for (const [name, line, keepsOutermost] of entry.sites) learned.push({ name, file, line, keepsOutermost: keepsOutermost === 1 });
  }
  return learned;
}

/**
 * Keeps what this run demoted for the next, with what earlier runs learned of files this run did
 * not demote anything in. Throws what the file system refused.
 */
export function writeLearned(path: string, root: string, demoted: readonly DemotedSite[]): void {
  const written = readText(path);
  const profile = current(parseProfile(written), root);
  const found: Profile = new Map();
  const seen = new Set<string>();
  for (const site of demoted) {
    if (site.file === "") continue;
    let entry = found.get(site.file);
    if (entry === undefined) {
      const stamp = stampOf(resolve(root, site.file));
      // A file that cannot be read now cannot be checked later.
      if (stamp === undefined) continue;
      entry = { mtimeMs: stamp[1], size: stamp[2], sites: [] };
      found.set(site.file, entry);
    }
    // Threads that ran the same module report the same site.
    const key = `${site.file}:${site.line}:${site.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    entry.sites.push([site.name, site.line, site.keepsOutermost === true ? 1 : 0]);
  }
  for (const [file, entry] of found) {
    entry.sites.sort(bySite);
    profile.set(file, entry);
  }
  if (profile.size === 0) return;
  // In a stable order, so that a run which learned nothing new leaves the file as it was.
  const text = JSON.stringify({ magic: MAGIC, files: Object.fromEntries([...profile].sort(([a], [b]) => compareText(a, b))) });
  if (text !== written) replaceFile(path, text);
}

function bySite([nameA, lineA]: Site, [nameB, lineB]: Site): number {
  return lineA - lineB || compareText(nameA, nameB);
}

/** By code unit, as `sort()` compares by default: the same order whatever the locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The profile's files that are as they were when it was written. */
function current(profile: Profile, root: string): Profile {
  const unchanged: Profile = new Map();
  for (const [file, entry] of profile) {
    const stamp = stampOf(resolve(root, file));
    if (stamp !== undefined && stamp[1] === entry.mtimeMs && stamp[2] === entry.size) unchanged.set(file, entry);
  }
  return unchanged;
}

/** The profile file's text; undefined when it cannot be read. */
function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** The profile in `text`; empty when it is missing, damaged or of another format (it is only a cache). */
function parseProfile(text: string | undefined): Profile {
  if (text === undefined) return new Map();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return new Map();
  }
  const { magic, files } = (parsed ?? {}) as { magic?: unknown; files?: unknown };
  if (magic !== MAGIC || files === null || typeof files !== "object") return new Map();
  const profile: Profile = new Map();
  for (const [file, entry] of Object.entries(files as Record<string, unknown>)) {
    if (isFileEntry(entry)) profile.set(file, entry);
  }
  return profile;
}

function isFileEntry(value: unknown): value is FileEntry {
  if (value === null || typeof value !== "object") return false;
  const { mtimeMs, size, sites } = value as FileEntry;
  return (
    typeof mtimeMs === "number" &&
    typeof size === "number" &&
    Array.isArray(sites) &&
    sites.every((s) => Array.isArray(s) && typeof s[0] === "string" && Number.isInteger(s[1]) && (s[2] === 0 || s[2] === 1))
  );
}

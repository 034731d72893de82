/**
 * Words and gates: what generated code reads before it calls into the runtime. In all-mode a
 * program makes millions of calls to sites that record nothing (tracing disabled, a level
 * filtered out, a demoted site); a call into the runtime per such call costs more than the
 * function does.
 *
 * Code from this plugin keeps a word per site, a module-level variable (layout.ts `Word`), and
 * asks `beginWord` until the answer is to count: such a call costs a load, an increment and a
 * store, all inline, and a demoted site's count stays exact (demote.ts). The runtime never writes
 * a word but through the function the module registered: to set them all back to asking when
 * tracing is enabled or a level changes, and a recursive demoted site's when its outermost call
 * ends. So a demotion needs no call into the module. It reads them, for demoted sites' counts,
 * the same way.
 *
 * Code from earlier plugins, in caches and published bundles, reads per-module tables instead: a
 * gate byte per site, set when the site records nothing, and a call counter. Disabled and
 * filtered sites count nothing there. The tables belong to a module's registration, not to one
 * array of every site, so that code holds them in module-level variables.
 */
import { Gate, ReservedLevel, Word } from "./layout.js";
import type { RuntimeState, SiteTable, SiteWords } from "./state.js";

/** Creates the tables of a registration of `count` sites from `first` (metadata.ts). */
export function addSiteTable(s: RuntimeState, first: number, count: number, words: SiteWords | null): void {
  if (count === 0) return;
  const table: SiteTable = {
    first,
    gates: new Uint8Array(count),
    calls: new Float64Array(count),
    outermostGate: false,
    words,
    wordValues: new Float64Array(words === null ? 0 : count).fill(Word.ask),
  };
  s.siteTables.push(table);
  for (let i = 0; i < count; i++) table.gates[i] = gateOf(s, first + i, table);
}

/**
 * Demoted: counted, enabled or not (its count is every call since its demotion, as `begin`
 * counts it), unless it is a recursive site none of whose calls is open (demote.ts), whose next
 * call records a span. Disabled or above the maximum level: shut. Else open. Not the memory cap:
 * a span refused for that is a drop, which `begin` counts.
 */
function gateOf(s: RuntimeState, site: number, table: SiteTable): number {
  const level = s.levels[site];
  if (level === ReservedLevel.demoted) return table.outermostGate && recordsOutermost(s, site) ? Gate.outermost : Gate.count;
  return !s.enabled || level > s.maxLevel ? Gate.shut : Gate.open;
}

/** Generated code that knows the outermost gate asked for the gates of `table`. */
export function useOutermostGate(s: RuntimeState, table: SiteTable): void {
  if (table.outermostGate) return;
  table.outermostGate = true;
  for (let i = 0; i < table.gates.length; i++) table.gates[i] = gateOf(s, table.first + i, table);
}

/**
 * Recomputes every gate of this thread, after `enabled` or a level changed. Every word asks
 * again: a site that counted because it recorded nothing may record now. What the words
 * counted is kept (a demoted site's count stays exact).
 */
export function refreshGates(s: RuntimeState): void {
  for (const table of s.siteTables) {
    if (table.words !== null) for (let i = 0; i < table.wordValues.length; i++) resetWord(table, i);
    for (let i = 0; i < table.gates.length; i++) table.gates[i] = gateOf(s, table.first + i, table);
  }
}

/** The registration holding site `site`, by binary search (tables are in registration order). */
export function tableOf(s: RuntimeState, site: number): SiteTable | null {
  const tables = s.siteTables;
  let low = 0;
  let high = tables.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const table = tables[mid];
    if (site < table.first) high = mid - 1;
    else if (site >= table.first + table.gates.length) low = mid + 1;
    else return table;
  }
  return null;
}

/** Sets the gate of one site to what the runtime's state says now. */
export function refreshGate(s: RuntimeState, site: number): void {
  const table = tableOf(s, site);
  if (table !== null) table.gates[site - table.first] = gateOf(s, site, table);
}

/**
 * Counted calls of site `site` so far, in its module's counter or word (since it was demoted),
 * as of the last `readWordsOfSites`.
 */
export function gatedCalls(s: RuntimeState, site: number): number {
  const table = tableOf(s, site);
  if (table === null) return 0;
  const i = site - table.first;
  return table.words !== null && table.wordValues[i] > 0 ? table.calls[i] + table.wordValues[i] : table.calls[i];
}

/**
 * Reads the words of `sites` only (before a report of their counts): a module's words functions
 * compile at their first call, and those of sites nobody asked about need not.
 */
export function readWordsOfSites(s: RuntimeState, sites: readonly number[]): void {
  for (const site of sites) {
    const table = tableOf(s, site);
    if (table === null || table.words === null) continue;
    const i = site - table.first;
    table.wordValues[i] = callWords(table, i, false);
  }
}

/**
 * The word of a demoted recursive site, which counted the calls inside its recorded outermost
 * call, goes back to asking as that call ends (demote.ts), so the next outermost call is
 * recorded: what it counted is kept.
 */
export function resetWordOf(s: RuntimeState, site: number): void {
  const table = tableOf(s, site);
  if (table !== null && table.words !== null) resetWord(table, site - table.first);
}

/** Sets a word back to asking; what it counted goes to the site's counted calls. */
function resetWord(table: SiteTable, i: number): void {
  const value = callWords(table, i, true);
  if (value > 0) table.calls[i] += value;
  table.wordValues[i] = Word.ask;
}

/** A site's word, or "asking" for a site that has none or a module that no longer answers. */
function callWords(table: SiteTable, i: number, reset: boolean): number {
  try {
    return table.words!(i, reset) ?? Word.ask;
  } catch {
    // Generated code that no longer answers (a module whose scope was torn down): its count
    // stays as last read.
    return table.wordValues[i];
  }
}

/**
 * Whether a demoted site's next call records a span: it keeps its outermost calls (demote.ts)
 * and none is open.
 */
export function recordsOutermost(s: RuntimeState, site: number): boolean {
  const d = s.demotion;
  return d.keepsOutermost[site] === 1 && d.inside[site] === 0 && s.enabled && (s.metadata[site]?.level ?? Infinity) <= s.maxLevel;
}

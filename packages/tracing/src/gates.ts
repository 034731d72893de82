/**
 * Gates: what generated code reads before it calls into the runtime. In all-mode a program
 * makes millions of calls to sites that record nothing (tracing disabled, a level filtered out,
 * a demoted site); two calls into the runtime per such call cost more than the function does.
 * Each module gets a byte per site, set when the site records nothing, and a call counter per
 * site: a gated call costs a load and a branch, all inline, and a demoted site's call an
 * increment too, which keeps its count exact (demote.ts). Disabled and filtered sites count
 * nothing: nobody reads those counts, and the increment was a large share of what a disabled
 * call added.
 *
 * The tables belong to a module's registration, not to one array of every site, so generated
 * code can hold them in module-level variables: a growing global array would change identity.
 */
import { Gate, ReservedLevel } from "./layout.js";
import type { RuntimeState, SiteTable } from "./state.js";

/** Creates the tables of a registration of `count` sites from `first` (metadata.ts). */
export function addSiteTable(s: RuntimeState, first: number, count: number): void {
  if (count === 0) return;
  const table: SiteTable = { first, gates: new Uint8Array(count), calls: new Float64Array(count), outermostGate: false };
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

/** Recomputes every gate of this thread, after `enabled` or a level changed. */
export function refreshGates(s: RuntimeState): void {
  for (const table of s.siteTables) {
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

/** Counted calls of site `site` so far (the counting gate: since it was demoted). */
export function gatedCalls(s: RuntimeState, site: number): number {
  const table = tableOf(s, site);
  return table === null ? 0 : table.calls[site - table.first];
}

/**
 * Whether a demoted site's next call records a span: it keeps its outermost calls (demote.ts)
 * and none is open.
 */
export function recordsOutermost(s: RuntimeState, site: number): boolean {
  const d = s.demotion;
  return d.keepsOutermost[site] === 1 && d.inside[site] === 0 && s.enabled && (s.metadata[site]?.level ?? Infinity) <= s.maxLevel;
}

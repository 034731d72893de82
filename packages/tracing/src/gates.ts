/**
 * Gates: what generated code reads before it calls into the runtime. In all-mode a program
 * makes millions of calls to sites that record nothing (tracing disabled, a level filtered out,
 * a demoted site); two calls into the runtime per such call cost more than the function does.
 * Each module gets a byte per site, set when the site records nothing, and a call counter per
 * site: a gated call costs a load, a branch and an increment, all inline. Counts make a demoted
 * site's calls exact (demote.ts); the other counts are read by nobody, and cost the same.
 *
 * The tables belong to a module's registration, not to one array of every site, so generated
 * code can hold them in module-level variables: a growing global array would change identity.
 */
// Types only: state.ts imports demote.ts, which imports this module.
import type { RuntimeState } from "./state.js";

export interface SiteTable {
  /** Metadata id of the module's first site. */
  readonly first: number;
  /** 1 where site `first + i` records nothing and its calls are counted instead. */
  readonly gates: Uint8Array;
  /** Gated calls of site `first + i`. */
  readonly calls: Float64Array;
}

/** Creates the tables of a registration of `count` sites from `first` (metadata.ts). */
export function addSiteTable(s: RuntimeState, first: number, count: number): void {
  if (count === 0) return;
  const table: SiteTable = { first, gates: new Uint8Array(count), calls: new Float64Array(count) };
  s.siteTables.push(table);
  for (let i = 0; i < count; i++) table.gates[i] = gateOf(s, first + i);
}

/**
 * Nothing to record: disabled, or above the maximum level (a demoted site's level is above every
 * maximum). Not the memory cap: a span refused for that is a drop, which `begin` counts.
 */
function gateOf(s: RuntimeState, id: number): number {
  return !s.enabled || s.levels[id] > s.maxLevel ? 1 : 0;
}

/** Recomputes every gate of this thread, after `enabled` or a level changed. */
export function refreshGates(s: RuntimeState): void {
  for (const table of s.siteTables) {
    for (let i = 0; i < table.gates.length; i++) table.gates[i] = gateOf(s, table.first + i);
  }
}

/** The registration holding site `id`, by binary search (tables are in registration order). */
export function tableOf(s: RuntimeState, id: number): SiteTable | null {
  const tables = s.siteTables;
  let low = 0;
  let high = tables.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const table = tables[mid];
    if (id < table.first) high = mid - 1;
    else if (id >= table.first + table.gates.length) low = mid + 1;
    else return table;
  }
  return null;
}

/** Sets the gate of one site to what the runtime's state says now. */
export function refreshGate(s: RuntimeState, id: number): void {
  const table = tableOf(s, id);
  if (table !== null) table.gates[id - table.first] = gateOf(s, id);
}

/** Gated calls of site `id` so far. */
export function gatedCalls(s: RuntimeState, id: number): number {
  const table = tableOf(s, id);
  return table === null ? 0 : table.calls[id - table.first];
}

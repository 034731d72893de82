/**
 * Gates: what generated code reads before it calls into the runtime. In all-mode a program
 * makes millions of calls to sites that record nothing (tracing disabled, a level filtered out,
 * a demoted site); two calls into the runtime per such call cost more than the function does.
 * Each module gets a byte per site, set when the site records nothing, and a call counter per
 * site: a gated call costs a load and a branch, all inline, and a demoted site's call an
 * increment too, which keeps its count exact (demote.ts). Disabled and filtered sites count
 * nothing: nobody reads those counts, and the increment was a quarter of what a disabled call
 * added (callgrind: 38 instructions over a bare call with it, 28 without).
 *
 * The tables belong to a module's registration, not to one array of every site, so generated
 * code can hold them in module-level variables: a growing global array would change identity.
 */
// Types only: state.ts imports demote.ts, which imports this module.
import type { RuntimeState } from "./state.js";

// demote.ts imports this module too: DEMOTED is read when a gate is computed, once both loaded.
import { DEMOTED, recordsOutermost } from "./demote.js";

export interface SiteTable {
  /** Metadata id of the module's first site. */
  readonly first: number;
  /**
   * Site `first + i`: GATE_OPEN records, GATE_COUNT counts its calls instead, GATE_SHUT does
   * neither, GATE_OUTERMOST calls `beginOutermost`.
   */
  readonly gates: Uint8Array;
  /** Counted calls of site `first + i` (while its gate is GATE_COUNT). */
  readonly calls: Float64Array;
  /**
   * Its generated code knows GATE_OUTERMOST (it said so when it asked for the gates); code from
   * an older plugin would take it for GATE_SHUT and lose the call, so it gets GATE_COUNT.
   */
  outermostGate: boolean;
}

/** Creates the tables of a registration of `count` sites from `first` (metadata.ts). */
export function addSiteTable(s: RuntimeState, first: number, count: number): void {
  if (count === 0) return;
  const table: SiteTable = { first, gates: new Uint8Array(count), calls: new Float64Array(count), outermostGate: false };
  s.siteTables.push(table);
  for (let i = 0; i < count; i++) table.gates[i] = gateOf(s, first + i, table);
}

/**
 * What generated code reads: `gates[i] === 0 ? beginGated(site) : gates[i] === 1 ? (calls[i]++, -1)
 * : gates[i] === 3 ? beginOutermost(site) : -1`.
 */
const GATE_OPEN = 0;
const GATE_COUNT = 1;
const GATE_SHUT = 2;
const GATE_OUTERMOST = 3;

/**
 * Demoted: counted, enabled or not (its count is every call since its demotion, as `begin`
 * counts it), unless it is a recursive site none of whose calls is open (demote.ts), whose next
 * call records a span. Disabled or above the maximum level: shut. Else open. Not the memory cap:
 * a span refused for that is a drop, which `begin` counts.
 */
function gateOf(s: RuntimeState, id: number, table: SiteTable): number {
  const level = s.levels[id];
  if (level === DEMOTED) return table.outermostGate && recordsOutermost(s, id) ? GATE_OUTERMOST : GATE_COUNT;
  return !s.enabled || level > s.maxLevel ? GATE_SHUT : GATE_OPEN;
}

/** Generated code that knows GATE_OUTERMOST asked for the gates of `table`. */
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
  if (table !== null) table.gates[id - table.first] = gateOf(s, id, table);
}

/** Counted calls of site `id` so far (GATE_COUNT: since it was demoted). */
export function gatedCalls(s: RuntimeState, id: number): number {
  const table = tableOf(s, id);
  return table === null ? 0 : table.calls[id - table.first];
}

/** Span sites: registering them (once per module, or by hand) and the gates generated code reads. */
import { DEFAULT_SPAN_LEVEL, parseLevel } from "./levels.js";
import type { SpanMetadata } from "./events.js";
import { ReservedLevel, Token } from "./layout.js";
import { state, type SiteTable, type SiteWords } from "./state.js";
import { addSiteTable, tableOf, useOutermostGate } from "./gates.js";
import { demoteLearned } from "./demote.js";

export type { SpanMetadata };

/** One span site of a module: `[name, line, level?]`. */
export type SpanSite = readonly [name: string, line: number, level?: number];

/**
 * Registers a module's span sites at once and returns the id of the first; site `i` has id
 * `first + i`. This is what generated code calls once per file, so a call site only carries
 * a number. `words`: the module keeps a word per site (gates.ts), and reads them out with it.
 */
export function registerSpans(target: string, file: string, sites: readonly SpanSite[], words?: SiteWords): number {
  const first = state.metadata.length;
  for (const [name, line, level] of sites) {
    addMetadata({ name, target, file, line, level: level ?? DEFAULT_SPAN_LEVEL });
  }
  addSiteTable(state, first, sites.length, typeof words === "function" ? words : null);
  demoteLearned(state, first, sites.length);
  return first;
}

const NO_SITES: SiteTable = { first: 0, gates: new Uint8Array(0), calls: new Float64Array(0), outermostGate: false, words: null, wordValues: new Float64Array(0) };

/**
 * For generated code, once per module: the gates of the sites registered from `first` (gates.ts).
 * `outermost`: the code handles the gate that calls `beginOutermost` (code from older plugins does not).
 */
export function siteGates(first: number, outermost?: boolean): Uint8Array {
  const table = tableOf(state, first);
  if (table === null) return NO_SITES.gates;
  if (outermost === true) useOutermostGate(state, table);
  return table.gates;
}

/** For generated code, once per module: the call counters of the sites registered from `first`. */
export function siteCalls(first: number): Float64Array {
  return (tableOf(state, first) ?? NO_SITES).calls;
}

export interface SpanOptions {
  target?: string;
  file?: string;
  line?: number;
  level?: number | string;
}

/** Registers one span site for hand-written instrumentation; returns its id. */
export function defineSpan(name: string, options: SpanOptions = {}): number {
  if (typeof name !== "string" || name === "") {
    throw new TypeError(`spanfn: a span needs a non-empty name; got ${JSON.stringify(name)}`);
  }
  const id = state.metadata.length;
  addMetadata({
    name,
    target: options.target ?? "",
    file: options.file ?? "",
    line: options.line ?? 0,
    level: options.level === undefined ? DEFAULT_SPAN_LEVEL : parseLevel(options.level),
  });
  return id;
}

function addMetadata(meta: SpanMetadata): void {
  const id = state.metadata.length;
  state.metadata.push(meta);
  if (id >= state.levels.length) {
    const grown = new Uint8Array(state.levels.length * 2);
    grown.set(state.levels);
    state.levels = grown;
  }
  if (id === Token.sites) state.warn(`spanfn: more than ${Token.sites} span sites in one thread; ${meta.name} (${meta.file}:${meta.line}) and every site registered after it are not recorded`);
  // A site past what a token can name is never recorded.
  state.levels[id] = id < Token.sites ? meta.level : ReservedLevel.beyondTokens;
}

export function getMetadata(site: number): SpanMetadata | undefined {
  return state.metadata[site];
}

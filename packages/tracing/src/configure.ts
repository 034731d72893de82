/** The runtime's options: checked, then applied to the thread's state. */
import type { DemoteOptions, LearnedDemotion, Sink } from "./events.js";
import { RecordSize } from "./layout.js";
import { parseLevel } from "./levels.js";
import { refreshGates } from "./gates.js";
import { setDemotion } from "./demote.js";
import { resizeBlocks, sealBlock } from "./buffer.js";
import { setSink, submit, updateRecording } from "./queue.js";
import { isPositiveInteger, optionError } from "./options.js";
import { state } from "./state.js";

export interface RuntimeOptions {
  /** Master switch; when off, instrumented code costs one branch per call. */
  enabled?: boolean;
  /** Spans above this level (e.g. "debug" when set to "info") are not recorded. */
  maxLevel?: number | string;
  /** Cap on events waiting for a slow sink; beyond it new spans are dropped and counted. */
  maxBufferedBytes?: number;
  /** Events per block, in 8-byte slots. */
  blockSlots?: number;
  sink?: Sink | null;
  /** Where the runtime's own warnings go (default `console.warn`). */
  warn?: (message: string) => void;
  /**
   * Hot, consistently tiny sync functions become call counters (demote.ts): `false` turns it off,
   * `{ after, belowNs, maxShare }` tunes it (default: 99% of 200 calls under 1000 ns, or 200 calls
   * so close together that their spans would take more than 5% of the time).
   */
  demote?: boolean | DemoteOptions;
}

const KNOWN = ["enabled", "maxLevel", "maxBufferedBytes", "blockSlots", "sink", "warn", "demote"];

export function configure(options: RuntimeOptions): void {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`spanfn: configure() takes an options object; got ${String(options)}`);
  }
  const s = state;
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) {
      throw new TypeError(`spanfn: unknown runtime option "${key}"; known: ${KNOWN.join(", ")}`);
    }
  }
  if (options.enabled !== undefined) {
    if (typeof options.enabled !== "boolean") throw optionError("enabled", "true or false", options.enabled);
    s.enabled = options.enabled;
  }
  if (options.maxLevel !== undefined) s.maxLevel = parseLevel(options.maxLevel, "maxLevel");
  if (options.enabled !== undefined || options.maxLevel !== undefined) refreshGates(s);
  if (options.maxBufferedBytes !== undefined) {
    if (!isPositiveInteger(options.maxBufferedBytes)) {
      throw optionError("maxBufferedBytes", "a positive integer", options.maxBufferedBytes);
    }
    s.maxBufferedBytes = options.maxBufferedBytes;
  }
  if (options.blockSlots !== undefined) {
    // Room for a few of the largest records, so a block always holds more than one.
    const least = RecordSize.max * 4;
    if (!isPositiveInteger(options.blockSlots) || options.blockSlots < least) {
      throw optionError("blockSlots", `an integer >= ${least}`, options.blockSlots);
    }
    const sealed = sealBlock(s);
    if (sealed !== null) submit(sealed);
    resizeBlocks(s, options.blockSlots);
  }
  if (options.warn !== undefined) {
    if (typeof options.warn !== "function") throw optionError("warn", "a function", options.warn);
    s.warn = options.warn;
  }
  if (options.demote !== undefined) setDemotion(s, parseDemote(options.demote));
  if (options.sink !== undefined) setSink(options.sink);
  updateRecording(s);
}

function parseDemote(value: unknown): boolean | DemoteOptions {
  if (typeof value === "boolean") return value;
  const expected = "true, false or { after?: a positive integer, belowNs?: a positive number, maxShare?: a number in (0, 1], learned?: an array of sites }";
  if (value === null || typeof value !== "object") throw optionError("demote", expected, value);
  const { after, belowNs, maxShare, learned, ...rest } = value as DemoteOptions;
  if (Object.keys(rest).length > 0) throw optionError("demote", expected, value);
  if (after !== undefined && !isPositiveInteger(after)) throw optionError("demote.after", "a positive integer", after);
  if (belowNs !== undefined && !(typeof belowNs === "number" && belowNs > 0 && Number.isFinite(belowNs))) {
    throw optionError("demote.belowNs", "a positive number of nanoseconds", belowNs);
  }
  if (maxShare !== undefined && !(typeof maxShare === "number" && maxShare > 0 && maxShare <= 1)) {
    throw optionError("demote.maxShare", "a number greater than 0 and at most 1", maxShare);
  }
  if (learned !== undefined && !(Array.isArray(learned) && learned.every(isLearnedDemotion))) {
    throw optionError("demote.learned", "an array of { name: string, file: string, line: number, keepsOutermost?: boolean }", learned);
  }
  return { after, belowNs, maxShare, learned };
}

function isLearnedDemotion(value: unknown): value is LearnedDemotion {
  if (value === null || typeof value !== "object") return false;
  const { name, file, line, keepsOutermost } = value as LearnedDemotion;
  return typeof name === "string" && typeof file === "string" && Number.isInteger(line) && (keepsOutermost === undefined || typeof keepsOutermost === "boolean");
}

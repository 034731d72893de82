/**
 * Chrome trace JSON read as a stream, chunk by chunk, never as one string: the array format (even
 * unterminated, as a crashed run leaves it) and the object format (`traceEvents` among other
 * keys). spanfn writes one event a line, so lines that each hold one event are parsed on their
 * own (a thread end or a repeated begin without JSON.parse); from the first line that does not
 * (or runs too long to be one), the rest goes through a streaming JSON parser, which reads any layout.
 */
import { createReadStream } from "node:fs";
import { JSONParser, TokenType, type ParsedElementInfo, type ParsedTokenInfo } from "@streamparser/json";
import type { ChromeTraceEvent, TraceEventVisitor } from "@spanfn/tracing";
import { UsageError } from "../args.js";
import { visitChromeEvent } from "./chrome-events.js";

export interface ChromeReadResult {
  /** Objects in the events array, whatever their phase. */
  events: number;
  /** The file ends before its events array closes (a run cut short); between events or inside one. */
  cutShort: "no" | "between events" | "inside an event";
}

// The lines that make up most of a spanfn trace (B, E and X), read without JSON.parse but for
// their tail (name, category, args), which repeats and is parsed once.
const SPAN = /^\{"ph":"([BEX])","pid":(\d+),"tid":(\d+),"ts":(-?\d[\d.eE+-]*)(?:,"dur":(\d[\d.eE+-]*))?(?:\}$|,(?="name"))/;
/** Distinct tails (name, cat, args) parsed once each; past this many, the rest are parsed every time. */
const SITE_CACHE_LIMIT = 10_000;

type Header = "[" | '{"traceEvents":[';

/**
 * Reads the events of a Chrome trace file in order, handing each to `on` (and to `onEvent`).
 * `chunkBytes`: the read size; `maxLine`: the longest line read as one (longer, the parser takes over).
 */
export async function readChromeTrace(
  path: string,
  on: TraceEventVisitor,
  onEvent?: (event: ChromeTraceEvent) => void,
  { chunkBytes = 1 << 20, maxLine = 1 << 22 }: { chunkBytes?: number; maxLine?: number } = {},
): Promise<ChromeReadResult> {
  const sites = new Map<string, Partial<ChromeTraceEvent>>();
  let events = 0;
  const emit = (event: ChromeTraceEvent) => {
    events++;
    visitChromeEvent(event, on);
    onEvent?.(event);
  };

  /** One line of the one-event-a-line layout: the event it holds, or undefined if it holds something else. */
  const lineEvent = (body: string): ChromeTraceEvent | undefined => {
    const span = SPAN.exec(body);
    if (span !== null) {
      const event: ChromeTraceEvent = { ph: span[1] as "B" | "E" | "X", pid: Number(span[2]), tid: Number(span[3]), ts: Number(span[4]) };
      if (span[5] !== undefined) event.dur = Number(span[5]);
      if (span[0].endsWith("}")) return event;
      const rest = body.slice(span[0].length);
      let site = sites.get(rest);
      if (site === undefined) {
        try {
          site = JSON.parse(`{${rest}`) as Partial<ChromeTraceEvent>;
        } catch {
          return undefined;
        }
        if (sites.size < SITE_CACHE_LIMIT) sites.set(rest, site);
      }
      return { ...event, ...site };
    }
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return undefined;
    }
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as ChromeTraceEvent) : undefined;
  };

  // Until the first line that is not one event, lines; then the streaming parser for the rest.
  let header: Header | undefined;
  let lineEvents = 0;
  let lastHadComma = false;
  let parser: GeneralParser | undefined;
  const toParser = (rest: string, format: "array" | "object") => {
    parser = new GeneralParser(path, format, emit);
    // Put the parser where the lines left off: inside the events array, after an element (a stand-in it skips) if there was one.
    parser.write(`${header ?? ""}${lineEvents > 0 ? (lastHadComma ? "0," : "0") : ""}${rest}`);
  };

  /** One event, alone on a line after the opening (with its comma); false if the text is something else. */
  const element = (text: string): boolean => {
    // Two elements without a comma between them are not JSON: the parser says so.
    if (lineEvents > 0 && !lastHadComma) return false;
    if (text.charCodeAt(0) !== 0x7b) return false;
    const hasComma = text.endsWith(",");
    const event = lineEvent(hasComma ? text.slice(0, -1) : text);
    if (event === undefined) return false;
    lineEvents++;
    lastHadComma = hasComma;
    emit(event);
    return true;
  };

  /** Returns false when the line starts what lines cannot read. */
  const line = (raw: string): boolean => {
    const first = raw.charCodeAt(0);
    const last = raw.charCodeAt(raw.length - 1);
    // `{` … `}` or `},`: the usual line, with nothing to trim.
    const text = first === 0x7b && (last === 0x7d || last === 0x2c) ? raw : raw.trim();
    if (text === "") return true;
    if (header !== undefined) return element(text);
    // The opening, alone on its line or followed by the first event.
    const opening = text.startsWith("[") ? "[" : text.startsWith('{"traceEvents":[') ? '{"traceEvents":[' : undefined;
    if (opening === undefined) return false;
    const rest = text.slice(opening.length).trimStart();
    header = opening;
    if (rest === "" || element(rest)) return true;
    // The parser reads this line from its start, opening included.
    header = undefined;
    return false;
  };

  let format: "array" | "object" | undefined;
  let carry = "";
  try {
    for await (const chunk of createReadStream(path, { encoding: "utf8", highWaterMark: chunkBytes }) as AsyncIterable<string>) {
      if (parser !== undefined) {
        parser.write(chunk);
        continue;
      }
      const text = carry.length > 0 ? carry + chunk : chunk;
      if (format === undefined) {
        const start = /\S/.exec(text);
        if (start === null) continue;
        if (text[start.index] === "[") format = "array";
        else if (text[start.index] === "{") format = "object";
        else throw new UsageError(`${path} is not a Chrome trace (expected a JSON array of events or an object with traceEvents)`);
      }
      let pos = 0;
      for (;;) {
        const newline = text.indexOf("\n", pos);
        if (newline < 0) break;
        if (!line(text.slice(pos, newline))) {
          toParser(text.slice(pos), format);
          break;
        }
        pos = newline + 1;
      }
      carry = parser === undefined ? text.slice(pos) : "";
      // A line this long is no line of spanfn's (a trace on one line, say): the parser takes it, a chunk at a time.
      if (carry.length > maxLine) {
        toParser(carry, format);
        carry = "";
      }
    }
  } catch (error) {
    // The file system's errors (ENOENT, EISDIR, …) are the user's to fix; anything else is ours.
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof UsageError || typeof code !== "string") throw error;
    throw new UsageError(`cannot read ${path}: ${code}`);
  }
  if (format === undefined) throw new UsageError(`${path} is empty: not a Chrome trace`);
  if (parser === undefined && carry.length > 0 && !line(carry)) toParser(carry, format);
  if (parser === undefined) {
    // Every line was one event: the array never closed (a closing line goes to the parser).
    if (header === undefined) throw new UsageError(`${path} is not a Chrome trace (expected a JSON array of events or an object with traceEvents)`);
    return { events, cutShort: "between events" };
  }
  return { events, cutShort: (parser as GeneralParser).end() };
}

/** Any layout of either format, through @streamparser/json, following the nesting to know where a cut falls. */
class GeneralParser {
  private readonly json: JSONParser;
  private depth = 0;
  /** Depth inside the events array; the array is open while `eventsOpen`. */
  private readonly eventsDepth: number;
  private eventsOpen = false;
  private sawEvents = false;
  private previous: ParsedTokenInfo | undefined;
  private beforePrevious: ParsedTokenInfo | undefined;

  constructor(
    private readonly path: string,
    private readonly format: "array" | "object",
    emit: (event: ChromeTraceEvent) => void,
  ) {
    this.eventsDepth = format === "array" ? 1 : 2;
    this.json = new JSONParser({ paths: [format === "array" ? "$.*" : "$.traceEvents.*"], keepStack: false });
    this.json.onValue = ({ value }: ParsedElementInfo) => {
      if (value !== null && typeof value === "object" && !Array.isArray(value)) emit(value as unknown as ChromeTraceEvent);
    };
    this.json.onToken = (token: ParsedTokenInfo) => this.follow(token);
    this.json.onEnd = () => {};
  }

  write(text: string): void {
    try {
      this.json.write(text);
    } catch (error) {
      // A visitor's own refusal (too many events for the HTML report) passes as it is.
      if (error instanceof UsageError) throw error;
      throw new UsageError(`${this.path} is not a Chrome trace: ${(error as Error).message}`);
    }
  }

  /** How the file ended; throws if it held no events array. */
  end(): ChromeReadResult["cutShort"] {
    const cut: ChromeReadResult["cutShort"] = !this.eventsOpen ? "no" : this.depth > this.eventsDepth ? "inside an event" : "between events";
    if (this.depth === 0 && !this.json.isEnded) {
      try {
        this.json.end();
      } catch (error) {
        throw new UsageError(`${this.path} is not a Chrome trace: ${(error as Error).message}`);
      }
    }
    if (!this.sawEvents) throw new UsageError(`${this.path} is not a Chrome trace (expected a JSON array of events or an object with traceEvents)`);
    return cut;
  }

  private follow(token: ParsedTokenInfo): void {
    switch (token.token) {
      case TokenType.LEFT_BRACKET:
        if (this.depth === this.eventsDepth - 1 && this.isEventsKey()) {
          this.eventsOpen = true;
          this.sawEvents = true;
        }
        this.depth++;
        break;
      case TokenType.LEFT_BRACE:
        this.depth++;
        break;
      case TokenType.RIGHT_BRACKET:
      case TokenType.RIGHT_BRACE:
        this.depth--;
        if (this.depth === this.eventsDepth - 1) this.eventsOpen = false;
        break;
    }
    this.beforePrevious = this.previous;
    this.previous = token;
  }

  /** Whether a `[` here opens the events: the root in the array format, `"traceEvents":` at the root of the object one. */
  private isEventsKey(): boolean {
    if (this.format === "array") return true;
    return this.previous?.token === TokenType.COLON && this.beforePrevious?.token === TokenType.STRING && this.beforePrevious.value === "traceEvents";
  }
}

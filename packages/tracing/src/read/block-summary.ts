/**
 * The summary `spanfn run` prints at exit, aggregated from the blocks as they pass (on the writer
 * thread), as `spanfn report` aggregates it from the trace file: the same rows, the same pairing
 * of begins and ends, the same times. It reads records by site, not events by name: a thread's
 * open spans are a stack of numbers, each site finds its row once, and a thread span allocates
 * nothing.
 */
import type { EventBlock, SpanMetadata } from "../events.js";
import { Kind } from "../layout.js";
import { RecordReader } from "../records.js";
import { reportArgs } from "../sinks/report-args.js";
import type { ProcessInfo, RuntimeReport } from "../sinks/sink.js";
import { IntervalUnion } from "./spans.js";
import { SummaryBuilder, type Summary, type SummaryRow } from "./summary.js";

/** One thread as its blocks read: its sites' rows and its open thread spans, innermost last. */
interface ThreadTrack {
  /** The metadata table of the thread's latest block. */
  metadata: readonly SpanMetadata[];
  /** Microseconds from the process's time origin to the thread's. */
  readonly offsetUs: number;
  /** Rows by site, found at a site's first span of each kind to end (rows come in the order spans end, as in a report). */
  readonly threadRows: (SummaryRow | undefined)[];
  readonly asyncRows: (SummaryRow | undefined)[];
  readonly openSites: number[];
  readonly openStarts: number[];
  /** Time each open span's ended children covered. */
  readonly openChildren: number[];
  open: number;
}

interface OpenAsync {
  readonly track: ThreadTrack;
  readonly site: number;
  readonly start: number;
  /** The parent's span id; 0 at the root. */
  readonly parent: number;
  children: IntervalUnion | null;
}

export class BlockSummary {
  private readonly summary = new SummaryBuilder();
  private readonly threads = new Map<number, ThreadTrack>();
  /** Async spans begun and not ended, by span id (unique in a process). */
  private readonly openAsync = new Map<number, OpenAsync>();
  private readonly originMs: number;

  constructor(process: ProcessInfo) {
    this.originMs = process.clock.timeOrigin;
  }

  /** Takes in the spans of `block`; returns how many events it held. */
  block(block: EventBlock): number {
    const track = this.track(block);
    const { offsetUs, openSites, openStarts, openChildren } = track;
    const reader = new RecordReader(block.data, block.length, { completes: true });
    while (reader.next()) {
      const kind = reader.kind;
      const ts = offsetUs + reader.tick * 1000;
      switch (kind) {
        case Kind.threadComplete: {
          const duration = offsetUs + reader.endTick * 1000 - ts;
          this.summary.finishedSpan(this.rowOf(track, reader.site, "thread"), duration, 0);
          if (track.open > 0) openChildren[track.open - 1] += duration;
          break;
        }
        case Kind.threadBegin:
        case Kind.threadBeginInside: {
          const at = track.open++;
          openSites[at] = reader.site;
          openStarts[at] = ts;
          openChildren[at] = 0;
          break;
        }
        case Kind.threadEnd: {
          if (track.open === 0) break;
          const at = --track.open;
          const duration = ts - openStarts[at];
          this.summary.finishedSpan(this.rowOf(track, openSites[at], "thread"), duration, openChildren[at]);
          if (at > 0) openChildren[at - 1] += duration;
          break;
        }
        case Kind.asyncBegin:
          this.openAsync.set(reader.spanId, {
            track,
            site: reader.site,
            start: ts,
            parent: reader.parent > 0 ? reader.parent : 0,
            children: null,
          });
          break;
        default:
          this.asyncEnd(reader.spanId, ts);
      }
    }
    this.summary.event(reader.count);
    return reader.count;
  }

  /** The summary, with the spans still open at the end (the report's unfinished) and its counts. */
  finish(report: RuntimeReport): Summary {
    // The trace ends each of them with an event of its own; they are counted, not timed.
    this.summary.event(report.unfinished.length);
    for (const span of report.unfinished) {
      if (span.kind === "async") {
        if (this.openAsync.delete(span.spanId)) this.summary.unfinishedSpan();
        continue;
      }
      const track = this.threads.get(span.thread.id);
      if (track === undefined || track.open === 0) continue;
      track.open--;
      this.summary.unfinishedSpan();
    }
    this.summary.report(reportArgs(report));
    let openThreadSpans = 0;
    for (const track of this.threads.values()) openThreadSpans += track.open;
    return this.summary.finish(openThreadSpans + this.openAsync.size);
  }

  private asyncEnd(spanId: number, ts: number): void {
    const span = this.openAsync.get(spanId);
    if (span === undefined) return;
    this.openAsync.delete(spanId);
    this.summary.finishedSpan(this.rowOf(span.track, span.site, "async"), ts - span.start, span.children?.length() ?? 0);
    // A parent's children cover the union of their spans: concurrent ones overlap.
    const parent = span.parent === 0 ? undefined : this.openAsync.get(span.parent);
    if (parent !== undefined) (parent.children ??= new IntervalUnion()).add(span.start, ts);
  }

  private track(block: EventBlock): ThreadTrack {
    let track = this.threads.get(block.thread.id);
    if (track === undefined) {
      track = {
        metadata: block.metadata,
        offsetUs: (block.clock.timeOrigin - this.originMs) * 1000,
        threadRows: [],
        asyncRows: [],
        openSites: [],
        openStarts: [],
        openChildren: [],
        open: 0,
      };
      this.threads.set(block.thread.id, track);
    }
    track.metadata = block.metadata;
    return track;
  }

  /** A site's row for its spans of `kind`, found once: rows are per name, so sites of one name share one. */
  private rowOf(track: ThreadTrack, site: number, kind: "thread" | "async"): SummaryRow {
    const rows = kind === "thread" ? track.threadRows : track.asyncRows;
    return rows[site] ?? (rows[site] = this.summary.row(kind, track.metadata[site]?.name ?? `#${site}`));
  }
}

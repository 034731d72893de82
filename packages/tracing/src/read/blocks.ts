/**
 * Blocks as a reader sees a trace: each record of a block, through the record reader
 * (records.ts), becomes the visitor call a trace file's event would make. The writer thread
 * summarises what it writes this way, so the summary needs no second pass over the file.
 */
import { forEachRecord } from "../records.js";
import { EventKind, OUTCOME_BY_KIND, type EventBlock, type OpenSpan, type SpanMetadata } from "../events.js";
import type { TraceEventVisitor } from "./visitor.js";

/** Where a process's threads meet on one time axis: microseconds since `originMs` (epoch). */
export interface TraceFrame {
  readonly pid: number;
  readonly originMs: number;
}

/** Feeds `visitor` with a block's events; returns how many there were. */
export function visitBlock(frame: TraceFrame, block: EventBlock, visitor: TraceEventVisitor): number {
  const { metadata } = block;
  const pid = frame.pid;
  const thread = `${pid}:${block.thread.id}`;
  const offsetUs = (block.clock.timeOrigin - frame.originMs) * 1000;
  // Complete records go to a visitor that takes them whole; to any other, as a begin and an end.
  const completes = visitor.threadComplete !== undefined;
  return forEachRecord(
    block,
    (record) => {
      const { kind, site: metadataId } = record;
      const ts = offsetUs + record.tick * 1000;
      switch (kind) {
        case EventKind.threadComplete:
          visitor.threadComplete!(thread, ts, offsetUs + record.endTick * 1000 - ts, nameOf(metadata, metadataId), argsOf(metadata, metadataId));
          break;
        case EventKind.threadBegin:
        case EventKind.threadBeginInside:
          visitor.threadBegin(thread, ts, nameOf(metadata, metadataId), argsOf(metadata, metadataId));
          break;
        case EventKind.threadEnd:
          visitor.threadEnd(thread, ts, false);
          break;
        case EventKind.asyncBegin: {
          const parent = record.parent;
          visitor.asyncBegin(`${pid}:${record.spanId}`, thread, ts, nameOf(metadata, metadataId), parent > 0 ? `${pid}:${parent}` : null, argsOf(metadata, metadataId));
          break;
        }
        default:
          visitor.asyncEnd(`${pid}:${record.spanId}`, ts, OUTCOME_BY_KIND[kind]);
      }
    },
    { completes },
  );
}

/** Ends what the report says is still open, at the report's time, as unfinished. */
export function visitUnfinished(frame: TraceFrame, unfinished: readonly OpenSpan[], atUs: number, visitor: TraceEventVisitor): void {
  for (const span of unfinished) {
    if (span.kind === "thread") visitor.threadEnd(`${frame.pid}:${span.thread.id}`, atUs, true);
    else visitor.asyncEnd(`${frame.pid}:${span.spanId}`, atUs, "unfinished");
  }
}

function nameOf(metadata: readonly SpanMetadata[], id: number): string {
  return metadata[id]?.name ?? `#${id}`;
}

// The metadata itself stands for the args a trace file carries (target, file, line): no copy.
function argsOf(metadata: readonly SpanMetadata[], id: number): Record<string, unknown> | undefined {
  return metadata[id] as unknown as Record<string, unknown> | undefined;
}

/** Perfetto protobuf traces: not read yet (a reader is on its way). */
import type { TraceEventVisitor } from "@spanfn/tracing";
import { UsageError } from "../args.js";

export async function readPerfetto(path: string, on: TraceEventVisitor): Promise<void> {
  void on;
  throw new UsageError(`${path} is not JSON, so it would be a Perfetto trace: Perfetto traces are not supported yet`);
}

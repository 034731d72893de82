export type { TraceEventVisitor } from "@spanfn/tracing";

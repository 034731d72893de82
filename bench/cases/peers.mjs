// What the same spans cost with the tracers a Node program would otherwise use: OpenTelemetry JS
// (the SDK's BasicTracerProvider with an AsyncLocalStorage context manager, spans kept by an
// in-memory exporter or dropped by a no-op processor) and `diagnostics_channel`'s TracingChannel
// with one subscriber. Each wraps the same body as the spanfn cases, as an instrumentation would.
import diagnostics from "node:diagnostics_channel";
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, InMemorySpanExporter, NoopSpanProcessor, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { asyncLoop, main, syncLoop, work } from "../harness.mjs";

const READY = Promise.resolve(1);

function otelTracer(keep) {
  const exporter = keep ? new InMemorySpanExporter() : null;
  const processor = keep ? new SimpleSpanProcessor(exporter) : new NoopSpanProcessor();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  trace.setGlobalTracerProvider(provider);
  return { tracer: trace.getTracer("bench"), exporter };
}

// The span is made current while the function runs, as an instrumentation does so that what it
// calls gets the right parent.
function otelSync(tracer) {
  return (x) =>
    tracer.startActiveSpan("traced", (span) => {
      try {
        return work(x);
      } finally {
        span.end();
      }
    });
}

function otelAsync(tracer) {
  return (x) =>
    tracer.startActiveSpan("traced", async (span) => {
      try {
        const v = await READY;
        return work(x + v);
      } finally {
        span.end();
      }
    });
}

/** A case whose exporter is emptied now and then, so the kept spans do not fill the heap. */
function otelCase(keep, iterations, make, loopOf) {
  let state = null;
  return {
    iterations,
    setup() {
      state = otelTracer(keep);
    },
    loop(n) {
      state.exporter?.reset();
      return loopOf(make(state.tracer))(n);
    },
  };
}

const channel = diagnostics.tracingChannel("spanfn.bench");
let seen = 0;
// One subscriber, doing as little as a subscriber can.
channel.subscribe({
  start() {
    seen++;
  },
  end() {},
});

async function bareAsync(x) {
  const v = await READY;
  return work(x + v);
}

const cases = {
  "otel-sync-drop": otelCase(false, 200_000, otelSync, syncLoop),
  "otel-sync-memory": otelCase(true, 50_000, otelSync, syncLoop),
  "otel-async-drop": otelCase(false, 100_000, otelAsync, asyncLoop),
  "otel-async-memory": otelCase(true, 50_000, otelAsync, asyncLoop),
  "dc-trace-sync": {
    iterations: 1_000_000,
    loop: syncLoop((x) => channel.traceSync(work, { x }, undefined, x)),
  },
  "dc-trace-promise": {
    iterations: 300_000,
    loop: asyncLoop((x) => channel.tracePromise(bareAsync, { x }, undefined, x)),
  },
};

await main(cases);

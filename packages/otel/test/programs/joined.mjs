// The program already uses OpenTelemetry: spanfn's root spans must join the active trace.
import { begin, end, beginAsync, suspend, resume, endAsync, registerSpans } from "@spanfn/tracing";
import { installOtel } from "@spanfn/otel";
import { context, trace } from "@opentelemetry/api";
import { TracerProvider, StackContextManager } from "@opentelemetry/sdk-trace";

installOtel({ url: process.env.RECEIVER_URL, scheduledDelayMillis: 50 });
context.setGlobalContextManager(new StackContextManager().enable());
const tracer = new TracerProvider().getTracer("user-code");

const first = registerSpans("app/joined", "/app/joined.ts", [["work", 1], ["step", 2]]);

function step() {
  const t = begin(first + 1);
  end(t);
}

async function work() {
  const span = beginAsync(first);
  try {
    step();
    resume(span, await suspend(span, null));
    step();
  } finally {
    endAsync(span);
  }
}

let running;
tracer.startActiveSpan("incoming request", (span) => {
  const { traceId, spanId } = span.spanContext();
  console.log(JSON.stringify({ traceId, spanId }));
  running = work();
  step(); // a root thread span under the same active span
  span.end();
});
await running;
step(); // no active span: a trace of its own

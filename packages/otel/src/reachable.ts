/**
 * An exporter that fails at once when nothing listens at the collector's address. The OTLP
 * exporters' own transport retries a refused connection, with back-off, until the export's
 * timeout: an export to a collector that is not running took the whole timeout (seconds, at the
 * exit of a short program) to fail, and the pipeline, which has retries of its own and skips them
 * for an unreachable collector at exit, only heard of it then. So until the collector has taken
 * an export, and again after any export fails, each export first opens a TCP connection to its
 * address: refused, or a host that does not resolve, fails the export there and then. A probe that
 * cannot tell (a slow network) leaves the export to go ahead.
 */
import { connect } from "node:net";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";

/** What an exporter calls back with (@opentelemetry/core's ExportResult). */
type ExportResult = Parameters<Parameters<SpanExporter["export"]>[1]>[0];

/** Errors that say nothing listens there, or there is no such host: an export could only fail. */
const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH"]);

/** How long a probe waits for an answer before leaving the export to find out. */
const PROBE_TIMEOUT_MS = 250;

export class ReachableExporter implements SpanExporter {
  /** The last export reached the collector: no probe before the next. */
  private reached = false;

  constructor(
    private readonly inner: SpanExporter,
    private readonly url: string,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (this.reached) return this.send(spans, done);
    void probe(new URL(this.url)).then((error) => {
      if (error === undefined) this.send(spans, done);
      else done({ code: FAILED, error });
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  private send(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      this.reached = result.code === SUCCESS;
      done(result);
    });
  }
}

/** ExportResultCode's values (SUCCESS, FAILED), as the exporters' callbacks give them. */
const SUCCESS = 0;
const FAILED = 1;

/** The error that says `url`'s host and port cannot be reached, or undefined when they can (or it cannot tell). */
export function probe(url: URL, timeoutMs = PROBE_TIMEOUT_MS): Promise<Error | undefined> {
  return new Promise((resolve) => {
    const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    // An IPv6 literal keeps its brackets in a URL's hostname.
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const socket = connect({ host, port });
    const settle = (error: Error | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(error);
    };
    const timer = setTimeout(() => settle(undefined), timeoutMs);
    socket.once("connect", () => settle(undefined));
    socket.once("error", (error: NodeJS.ErrnoException) => settle(UNREACHABLE.has(error.code ?? "") ? error : undefined));
  });
}

/**
 * `spanfn run --otlp`: the built CLI exports a TypeScript program's spans to an OTLP/HTTP
 * endpoint on loopback, which decodes what arrived.
 */
import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseChromeTrace } from "../../tracing/src/index.js";
import { OtlpReceiver } from "../../otel/test/receiver.js";
import { runNode, type NodeRun } from "../../otel/test/run-node.js";

const BIN = join(__dirname, "../bin/spanfn.js");
const ESM_TS = join(__dirname, "programs", "esm-ts");

function spanfn(args: string[], env: Record<string, string> = {}): Promise<NodeRun> {
  return runNode([BIN, ...args], { cwd: ESM_TS, env });
}

let receiver: OtlpReceiver;
beforeEach(() => {
  receiver = new OtlpReceiver();
});
afterEach(() => receiver.stop());

describe("spanfn run --otlp", () => {
  test("the program runs as it would; its spans arrive with true parents, named after the script", async () => {
    const url = await receiver.start();
    const result = await spanfn(["run", "--all", "--otlp", url, "main.ts", "one", "two"], { EXIT_CODE: "3" });
    expect(result.stdout).toBe("HELLO ADA\nHELLO LINUS\nargs: one two\n");
    expect(result.code).toBe(3);
    const spans = receiver.spans;
    expect(result.stderr).toBe(`\nspanfn: ${spans.length} spans exported to ${url}\n`);
    // No trace file unless asked for.
    expect(existsSync(join(ESM_TS, "spanfn-trace.json"))).toBe(false);

    const main = spans.find((s) => s.name === "main::main")!;
    const greets = spans.filter((s) => s.name === "main::SlowGreeter.greet");
    expect(greets).toHaveLength(2);
    for (const g of greets) {
      expect(g.parentSpanId).toBe(main.spanId);
      expect(g.traceId).toBe(main.traceId);
      expect(g.attributes["spanfn.kind"]).toBe("async");
      expect(g.attributes["code.file.path"]).toBe("main.ts"); // relative to where spanfn ran
    }
    // shout (sync) is called by main after its awaits: main is its parent, not the root.
    const shouts = spans.filter((s) => s.name === "text::shout");
    expect(shouts).toHaveLength(2);
    for (const s of shouts) expect(s.parentSpanId).toBe(main.spanId);
    expect(main.resource["service.name"]).toBe("main");
  });

  test("--otlp with --out: the trace file and the summary as well, the same spans in both", async () => {
    const url = await receiver.start();
    const out = join(mkdtempSync(join(tmpdir(), "spanfn-otlp-")), "trace.json");
    const result = await spanfn(["run", "--all", "--otlp", url, "--out", out, "main.ts"], { OTEL_SERVICE_NAME: "greeter" });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`spans exported to ${url}`);
    expect(result.stderr).toContain(`spanfn: trace written to ${out}`);
    const begins = parseChromeTrace(readFileSync(out, "utf8")).filter((e) => e.ph === "B" || e.ph === "X" || e.ph === "b");
    expect(receiver.spans.map((s) => s.name).sort()).toEqual(begins.map((e) => e.name).sort());
    expect(receiver.spans[0].resource["service.name"]).toBe("greeter");
  });

  test("--otlp with --out: the summary comes from the writer thread, not from reading the file back", async () => {
    const url = await receiver.start();
    // /dev/null takes the trace and gives nothing back: only the writer's own summary can be printed.
    const result = await spanfn(["run", "--all", "--otlp", url, "--out", "/dev/null", "main.ts"]);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain("could not summarise");
    expect(result.stderr).toMatch(/top \d+ spans by total time/);
    const spans = Number(/^(\d+) spans \(/m.exec(result.stderr)?.[1]);
    expect(spans).toBe(receiver.spans.length);
  });

  test("--otlp without a URL follows OTEL_EXPORTER_OTLP_ENDPOINT; the script is not taken for a URL", async () => {
    const url = await receiver.start();
    const result = await spanfn(["run", "--all", "--otlp", "main.ts"], { OTEL_EXPORTER_OTLP_ENDPOINT: url.replace(/\/v1\/traces$/, "") });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("HELLO ADA");
    expect(receiver.spans.some((s) => s.name === "main::main")).toBe(true);
  });

  test("a collector that is down costs the program nothing but a line on stderr", async () => {
    const url = await receiver.start();
    await receiver.stop();
    const result = await spanfn(["run", "--all", "--otlp", url, "main.ts"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("HELLO ADA\nHELLO LINUS\nargs: \n");
    expect(result.stderr).toMatch(/spanfn: (\d+) of \1 spans were not exported to .*ECONNREFUSED/);
  });

  test("a URL that is not http(s) is a usage error", () => {
    const result = spawnSync(process.execPath, [BIN, "run", "--otlp", "grpc://localhost:4317", "main.ts"], { cwd: ESM_TS, encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("--otlp exports over HTTP");
  });

  describe("a CPU-bound program: short calls in a synchronous loop, every one a span (--all --no-demote)", () => {
    const BUSY = join(__dirname, "programs", "busy");
    const CALLS = 400_000;
    let expectedSum = 0;
    for (let i = 0; i < CALLS; i++) expectedSum = (expectedSum + ((i * 31 + 7) & 0xffff)) | 0;

    function busy(url: string, calls = CALLS): Promise<NodeRun> {
      return runNode([BIN, "run", "--all", "--no-demote", "--otlp", url, "main.mjs", String(calls)], { cwd: BUSY });
    }

    test("the export keeps up off the program's thread: at least 95% of the recorded spans reach the collector, and the count printed is theirs", async () => {
      const counting = new OtlpReceiver("count");
      try {
        const url = await counting.start();
        const result = await busy(url);
        expect(result.code).toBe(0);
        expect(result.stdout).toBe(`${expectedSum}\n`);
        // Every call was recorded (nothing dropped: the runtime would say so on stderr).
        expect(result.stderr).not.toMatch(/spans dropped/);
        expect(counting.counted / CALLS).toBeGreaterThanOrEqual(0.95);
        expect(result.stderr).toContain(`spanfn: ${counting.counted} spans exported to ${url}\n`);
      } finally {
        await counting.stop();
      }
    });

    test("the collector down: the program exits as it would, with one line counting every span", async () => {
      const url = await receiver.start();
      await receiver.stop();
      const result = await busy(url);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`${expectedSum}\n`);
      const lines = result.stderr.split("\n").filter((line) => / spans were not exported /.test(line));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^spanfn: ${CALLS} of ${CALLS} spans were not exported to .*ECONNREFUSED`));
    });

    test("the collector down while the program never yields: the export's first failure, told then, reaches stderr once", async () => {
      const url = await receiver.start();
      await receiver.stop();
      // Long enough for the writer thread to take blocks, and fail to send them, while the loop runs.
      const result = await busy(url, 5 * CALLS);
      expect(result.code).toBe(0);
      expect(result.stderr.match(/exporting spans to \S+ failed \(connect ECONNREFUSED/g)).toHaveLength(1);
    });
  });
});

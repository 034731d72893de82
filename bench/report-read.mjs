// `spanfn report` throughput: a Chrome trace written in spanfn's layout (one event a line, read
// line by line) and on one line (read by the streaming JSON parser), each summarised by the built
// CLI in its own process, 3 runs, median and range in MB/s. Run `npm run build` first.
//
//   node bench/report-read.mjs [--mb N]   (default 300 MB a file)
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../packages/cli/bin/spanfn.js", import.meta.url));
const mbIndex = process.argv.indexOf("--mb");
const bytes = (mbIndex > 0 ? Number(process.argv[mbIndex + 1]) : 300) * 1e6;

/** A block of nested thread spans and an async span a call, as spanfn's writer lays them out. */
function block() {
  const out = [];
  const site = (name, line) => `"name":"${name}","cat":"spanfn","args":{"target":"app","file":"/app/src/app.ts","line":${line}}`;
  for (let i = 0; i < 1000; i++) {
    let t = i * 100;
    const tid = i % 4;
    for (let d = 0; d < 10; d++) out.push(`{"ph":"B","pid":1,"tid":${tid},"ts":${(t += 1.125)},${site(`app::f${d}`, d)}}`);
    for (let d = 0; d < 10; d++) out.push(`{"ph":"E","pid":1,"tid":${tid},"ts":${(t += 2.5)}}`);
    out.push(`{"ph":"b","pid":1,"tid":${tid},"ts":${(t += 1)},"id":"${i + 1}",${site("app::job", 99).slice(0, -1)},"parent":0,"depth":1}}`);
    out.push(`{"ph":"e","pid":1,"tid":${tid},"ts":${(t += 7)},"cat":"spanfn","id":"${i + 1}","name":"app::job","args":{"outcome":"fulfilled"}}`);
  }
  return out;
}

function write(path, separator) {
  const fd = openSync(path, "w");
  const chunk = Buffer.from(block().join(separator) + separator);
  writeSync(fd, "[");
  for (let written = 0; written < bytes; written += chunk.length) writeSync(fd, chunk);
  writeSync(fd, `{"ph":"M","pid":1,"tid":0,"name":"process_name","args":{"name":"bench"}}]\n`);
  closeSync(fd);
}

const dir = mkdtempSync(join(tmpdir(), "spanfn-bench-report-"));
try {
  console.log(`spanfn report throughput, node ${process.version}`);
  for (const [layout, separator] of [
    ["one event a line (spanfn's)", ",\n"],
    ["one line (any other layout)", ","],
  ]) {
    const file = join(dir, "trace.json");
    write(file, separator);
    const size = statSync(file).size;
    const rates = [];
    for (let run = 0; run < 3; run++) {
      const start = performance.now();
      const child = spawnSync(process.execPath, [BIN, "report", "--json", file], { encoding: "utf8" });
      if (child.status !== 0) throw new Error(child.stderr);
      rates.push(size / 1e6 / ((performance.now() - start) / 1000));
    }
    rates.sort((a, b) => a - b);
    console.log(`  ${layout.padEnd(30)} ${(size / 1e6).toFixed(0)} MB: ${rates[1].toFixed(0)} MB/s (${rates[0].toFixed(0)}–${rates[2].toFixed(0)})`);
    rmSync(file);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

import { parentPort, workerData } from "node:worker_threads";

interface Line {
  orderId: string;
  total?: number;
}

function renderLine(line: Line): string {
  let checksum = 0;
  for (let i = 0; i < 100_000; i++) checksum = (checksum * 31 + i) >>> 0;
  return `${line.orderId.padEnd(6)} ${line.total === undefined ? "failed" : line.total.toFixed(2)}${checksum === -1 ? "!" : ""}`;
}

function renderReport(lines: Line[]): string {
  return lines.map(renderLine).join("\n");
}

parentPort!.postMessage(renderReport(workerData as Line[]));

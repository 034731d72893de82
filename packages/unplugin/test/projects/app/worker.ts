import { parentPort } from "node:worker_threads";

/** @spanFn */
function render(lines: string[]): string {
  return lines.join("\n");
}

parentPort!.postMessage(render(["one", "two"]));

// A writer-thread output for tests: counts what it is given and checks the order. It loads
// slowly (blocks arrive before it is ready) and finishes slowly (the writer must wait for it).
import { EventKind, forEachRecord } from "@spanfn/tracing";

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function createWriterOutput(options, context) {
  await delay(options.loadDelayMs ?? 0);
  // firstBlockAt: when the first block came, to compare with the program's own times.
  const seen = { firstBlockAt: undefined, events: 0, begins: {}, attached: 0, blocks: 0, inOrder: true, finished: false, pid: context.process.pid };
  const last = new Map();
  return {
    block(block, attached) {
      seen.firstBlockAt ??= Date.now();
      seen.blocks++;
      seen.attached += attached ?? 0;
      if ((last.get(block.thread.id) ?? -1) >= block.sequence) seen.inOrder = false;
      last.set(block.thread.id, block.sequence);
      seen.events += forEachRecord(block, ({ kind, site }) => {
        if (kind !== EventKind.threadBegin) return;
        const name = block.metadata[site].name;
        seen.begins[name] = (seen.begins[name] ?? 0) + 1;
      });
    },
    async finish() {
      await delay(options.finishDelayMs ?? 0);
      seen.finished = true;
    },
    result: () => seen,
  };
}

// A writer-thread output for tests that throws on the block after `after` blocks.
import { forEachRecord } from "@spanfn/tracing";

export function createWriterOutput(options) {
  let blocks = 0;
  let events = 0;
  return {
    block(block) {
      if (blocks++ === options.after) throw new Error("the output broke");
      events += forEachRecord(block, () => {});
    },
    finish() {},
    result: () => ({ events }),
  };
}

import { recycle } from "../queue.js";
import type { EventBlock } from "../events.js";
import type { Sink } from "./sink.js";

/** Takes every block and keeps none: recording at full cost, for benchmarks and dry runs. */
export class NullSink implements Sink {
  blocks = 0;
  block(block: EventBlock): void {
    this.blocks++;
    recycle(block);
  }
}

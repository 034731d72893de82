/**
 * The outputs the writer thread hosts (writer-output.ts): imported from their modules, fed every
 * block in order, flushed and finished by a deadline. An output that fails gets nothing more, and
 * the events it missed are counted in its report.
 */
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import type { EventBlock } from "../events.js";
import { countEvents } from "../records.js";
import { WRITER_OUTPUT_FACTORY, type WriterOutput, type WriterOutputContext } from "./writer-output.js";
import type { OutputReport, WriterOutputSpec } from "./writer-protocol.js";

interface HostedOutput {
  readonly module: string;
  instance: WriterOutput | null;
  failed: boolean;
  error: string | undefined;
  lostEvents: number;
}

export class WriterOutputs {
  private readonly hosted: HostedOutput[];

  constructor(
    private readonly specs: readonly WriterOutputSpec[],
    private readonly context: WriterOutputContext,
  ) {
    this.hosted = specs.map(({ module }) => ({ module, instance: null, failed: false, error: undefined, lostEvents: 0 }));
  }

  get size(): number {
    return this.hosted.length;
  }

  /** Imports each output's module and makes the output; one that cannot be made counts as failed. */
  async load(): Promise<void> {
    await Promise.all(
      this.hosted.map(async (output, i) => {
        try {
          const exports = (await import(importable(output.module))) as Record<string, unknown>;
          // A CommonJS module's exports may come as its default export only.
          const factory = exports[WRITER_OUTPUT_FACTORY] ?? (exports.default as Record<string, unknown> | undefined)?.[WRITER_OUTPUT_FACTORY];
          if (typeof factory !== "function") throw new Error(`${output.module} does not export ${WRITER_OUTPUT_FACTORY}()`);
          const instance = (await factory(this.specs[i].options, this.context)) as WriterOutput;
          if (typeof instance?.block !== "function" || typeof instance.finish !== "function") {
            throw new Error(`${WRITER_OUTPUT_FACTORY}() of ${output.module} did not return an output (block and finish)`);
          }
          output.instance = instance;
        } catch (error) {
          failed(output, error);
        }
      }),
    );
  }

  /** Hands `block` to every output still working; the others count its events as lost. */
  block(block: EventBlock, attached: unknown): void {
    let events = -1;
    for (const output of this.hosted) {
      if (!output.failed) {
        try {
          output.instance!.block(block, attached);
          continue;
        } catch (error) {
          failed(output, error);
        }
      }
      if (events < 0) events = countEvents(block);
      output.lostEvents += events;
    }
  }

  /** Runs each output's part (flush or finish) until all are done or the deadline; true when all were. */
  async settle(run: (output: WriterOutput) => void | Promise<void> | undefined, deadline: number): Promise<boolean> {
    const all = Promise.all(
      this.hosted.map(async (output) => {
        if (output.failed) return;
        try {
          await run(output.instance!);
        } catch (error) {
          failed(output, error);
        }
      }),
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))));
    const finished = await Promise.race([all.then(() => true), late]);
    clearTimeout(timer);
    return finished;
  }

  /** How each output went: its result, its error and the events it missed. */
  reports(): OutputReport[] {
    return this.hosted.map((output) => {
      let result: unknown;
      try {
        result = output.instance?.result?.();
      } catch (error) {
        failed(output, error);
      }
      return { module: output.module, result, error: output.error, lostEvents: output.lostEvents };
    });
  }
}

function failed(output: HostedOutput, error: unknown): void {
  if (output.failed) return;
  output.failed = true;
  output.error = error instanceof Error ? error.message : String(error);
}

/** An absolute path as the file URL `import()` takes; URLs and package names as they are. */
function importable(module: string): string {
  return isAbsolute(module) ? pathToFileURL(module).href : module;
}

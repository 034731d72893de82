/** Which reader a trace file needs: Chrome JSON or Perfetto protobuf, told from its first bytes. */
import { open } from "node:fs/promises";
import { UsageError } from "../args.js";

/**
 * JSON: optional whitespace, `[` or `{`, optional whitespace, then what can follow in a trace.
 * The second look matters: a Perfetto trace starts with byte 0x0a (a newline) and a length, which
 * can be the code of `[` or `{`; what follows it then is a field tag, seldom one of these.
 */
const JSON_START = /^(?:\xEF\xBB\xBF)?[ \t\r\n]*(?:\[[ \t\r\n]*(?:[{\]]|$)|\{[ \t\r\n]*(?:["}]|$))/;

export async function traceFormat(path: string): Promise<"json" | "perfetto"> {
  let head: string;
  try {
    const file = await open(path, "r");
    try {
      const buffer = Buffer.alloc(4096);
      const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
      head = buffer.subarray(0, bytesRead).toString("latin1");
    } finally {
      await file.close();
    }
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  // An empty or blank file goes to the JSON reader, which says what is wrong with it.
  return head.trim() === "" || JSON_START.test(head) ? "json" : "perfetto";
}

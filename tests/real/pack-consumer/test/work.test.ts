import { expect, test } from "@jest/globals";
import { flush, InMemorySink, setSink } from "@spanfn/tracing";
import { writeFileSync } from "node:fs";
import { add, Store, unmarked } from "../src/work.js";

test("the marked function and the decorated method record spans", async () => {
  const sink = new InMemorySink();
  setSink(sink);
  expect(add(1, 2)).toBe(3);
  expect(unmarked(3)).toBe(6);
  expect(await new Store().load("a")).toBe("A");
  flush();
  // The pack test reads what was recorded.
  writeFileSync(process.env.SPANS_OUT!, JSON.stringify(sink.events().map((event) => `${event.kind}:${event.name}`)));
});

// Runs under babel-jest with the project's babel.config.cjs: the plugin instruments src/ as
// jest loads it, and the spans are read back from the in-memory sink.
import { InMemorySink, flush, setSink } from "@spanfn/tracing";
import { total, Warehouse } from "./src/inventory";

test("spans recorded through babel-jest", async () => {
  const sink = new InMemorySink();
  setSink(sink);
  expect(await total(new Warehouse(), ["ab", "cde"])).toBe(5);
  await new Promise((r) => setTimeout(r, 5));
  flush();
  const events = sink.events();
  const begin = (name: string) => events.find((e) => e.kind === "async-begin" && e.name === name);
  const totalSpan = begin("src/inventory::total");
  expect(totalSpan).toMatchObject({ parentId: 0 });
  const counts = events.filter((e) => e.kind === "async-begin" && e.name === "src/inventory::Warehouse.count");
  expect(counts).toHaveLength(2);
  for (const c of counts) expect(c.parentId).toBe(totalSpan!.spanId);
  expect(events.filter((e) => e.name === "inventory.sum").map((e) => e.kind)).toEqual(["thread-begin", "thread-end"]);
  expect(events.filter((e) => e.kind === "async-end").map((e) => e.outcome)).toEqual(["fulfilled", "fulfilled", "fulfilled"]);
});

/**
 * Recursion near the stack limit: @babel/parser's recursive descent on expressions nested 100,
 * 200 and 300 levels deep (plain, a fresh process gets past 300 but not 330 on this machine,
 * Node 20), and a stack overflow caught at 2,000 levels. Instrumented frames are larger (a span's locals, the
 * try/finally), so the stack holds fewer of them. Prints each depth's outcome.
 */
import { parse } from "@babel/parser";
import { deepSource } from "./corpus.mjs";
import { startClock } from "./timing.mjs";

const stop = startClock();
for (const depth of [100, 200, 300, 2000]) {
  try {
    const ast = parse(deepSource(depth), { sourceType: "module" });
    console.log(`depth ${depth}: parsed, ${ast.program.body.length} statement`);
  } catch (error) {
    console.log(`depth ${depth}: ${error.name}: ${error.message}`);
  }
}
stop();

// ES module syntax in a package.json with no "type": Node tells it is an ES module by its
// syntax, and spanfn's hooks must take it for one too (import.meta exists only there).
import { double } from "./double.js";

/** @spanFn */
function main() {
  console.log(JSON.stringify({ doubled: double(21), file: import.meta.url.endsWith("/main.js") }));
}

main();

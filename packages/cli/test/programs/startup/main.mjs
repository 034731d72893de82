// A short synchronous program: at exit (after spanfn's own exit work) it prints the built-in
// modules loaded in its process and whether get-tsconfig was.
import { createRequire } from "node:module";

function square(x) {
  return x * x;
}

let sum = 0;
for (let i = 0; i < 100; i++) sum += square(i);

process.on("exit", () => {
  const builtins = process.moduleLoadList.filter((entry) => entry.startsWith("NativeModule ")).map((entry) => entry.slice("NativeModule ".length));
  const getTsconfig = Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes("get-tsconfig"));
  console.log(JSON.stringify({ sum, pid: process.pid, builtins, getTsconfig }));
});

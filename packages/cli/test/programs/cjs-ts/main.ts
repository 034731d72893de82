// TypeScript with `import` syntax in a CommonJS package: what tsc users write every day.
import { twice } from "./lib";

function run(n: number): number {
  return twice(n) + 1;
}

console.log(run(20));

const { sum } = require("./math");

/** @spanFn */
function compute(values) {
  return sum(values) * 2;
}

console.log(compute([1, 2, 3]));
process.exit(Number(process.argv[2] ?? 0));

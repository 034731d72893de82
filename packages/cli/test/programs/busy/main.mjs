// CPU-bound: many short calls in a synchronous loop, then exit. Every call is a span under
// spanfn run --all --no-demote; the count is the argument.
function step(x) {
  return (x * 31 + 7) & 0xffff;
}

const calls = Number(process.argv[2] ?? 1000000);
let sum = 0;
for (let i = 0; i < calls; i++) sum = (sum + step(i)) | 0;
console.log(sum);

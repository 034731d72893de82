// A hot, tiny function: all-mode would record a span per call; spanfn demotes it to a counter.
function tiny(x) {
  return (x * 31 + 7) & 0xffff;
}

let sum = 0;
for (let i = 0; i < 20000; i++) sum = (sum + tiny(i)) | 0;
console.log(sum);

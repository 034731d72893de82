/** @spanFn */
function marked(n: number): number {
  return n + plain(n);
}

function plain(n: number): number {
  return n * 2;
}

console.log(`result ${marked(20)}`);

// Sync functions nested three deep, run twice, and an async function around them: a trace whose
// stacks a viewer must push and pop correctly.
function spin(ms) {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

function leaf(ms) {
  spin(ms);
}

function middle() {
  leaf(2);
  leaf(1);
}

function outer() {
  middle();
  spin(1);
}

async function work() {
  outer();
  await new Promise((resolve) => setTimeout(resolve, 5));
  outer();
}

await work();

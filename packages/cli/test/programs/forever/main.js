// Waits to be interrupted, inside a span.
async function serve() {
  console.log("ready");
  await new Promise(() => setInterval(() => {}, 1000));
}
serve();

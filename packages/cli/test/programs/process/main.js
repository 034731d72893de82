// What a program sees of its process under spanfn run: its pid, arguments, Node options, whether
// it is the main module, source maps, and what its worker threads get of spanfn's preload.
const { Worker } = require("node:worker_threads");

const PRELOADED = Symbol.for("spanfn.cli.preloaded");

/** @spanFn */
function ask(options) {
  const worker = new Worker(require.resolve("./worker.js"), options);
  return new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
}

async function main() {
  const seen = {
    pid: process.pid,
    argv: process.argv.slice(1),
    execArgv: process.execArgv,
    main: require.main === module,
    sourceMaps: process.sourceMapsEnabled,
    preloaded: globalThis[PRELOADED] === true,
    worker: await ask({}),
    ownExecArgv: await ask({ execArgv: [] }),
  };
  console.log(JSON.stringify(seen));
}

main();

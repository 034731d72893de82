require("node:worker_threads").parentPort.postMessage({ preloaded: globalThis[Symbol.for("spanfn.cli.preloaded")] === true, execArgv: process.execArgv });

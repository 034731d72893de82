// Jest compiles the sources to CommonJS, where `import.meta` does not exist: tests that start the
// writer thread run the built script (npm test builds before it runs jest).
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export const WRITER_SCRIPT: URL = pathToFileURL(join(__dirname, "../dist/esm/node/writer-thread.js"));

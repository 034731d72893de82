/**
 * Where the writer thread's script is: the ESM build's, from either build (`dist/cjs/node`, and
 * `dist/esm/chunks`, where the ESM bundle puts this line, are both two levels under `dist`). The
 * thread imports the outputs it hosts with `import()`, which the CommonJS compile would turn into
 * `require()`, unable to load an ES module on older Node. The CommonJS build has no
 * `import.meta`; scripts/build-package.mjs gives its copy of this line `__filename` instead.
 */
// @ts-ignore: import.meta is an error for the CommonJS compile only, which the build rewrites.
export const WRITER_SCRIPT: URL = new URL("../../esm/node/writer-thread.js", import.meta.url);

/**
 * Where the writer thread's script is: beside this module. The CommonJS build has no
 * `import.meta`; scripts/build-package.mjs gives its copy of this line `__filename` instead.
 */
// @ts-ignore: import.meta is an error for the CommonJS compile only, which the build rewrites.
export const WRITER_SCRIPT: URL = new URL("./writer-thread.js", import.meta.url);

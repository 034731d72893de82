/**
 * Where the writer-thread output module is: beside this one, so the writer thread imports the
 * same build (ESM or CommonJS) of this package. The CommonJS build has no `import.meta`;
 * scripts/build-package.mjs gives its copy of this line `__filename` instead.
 */
// @ts-ignore: import.meta is an error for the CommonJS compile only, which the build rewrites.
export const OUTPUT_MODULE: URL = new URL("./writer-output.js", import.meta.url);

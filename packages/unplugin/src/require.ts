import { createRequire } from "node:module";

/** `require` beside this file, in both builds. */
// @ts-ignore: import.meta is an error for the CommonJS compile only, which the build rewrites.
export const requireHere: NodeRequire = createRequire(import.meta.url);

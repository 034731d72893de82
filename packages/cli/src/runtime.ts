/**
 * The runtime as the preload and the summary use it: the copy the generated code imports
 * (transform.ts `RUNTIME`, the CommonJS build, for modules of either kind), so that a traced
 * program loads the runtime's modules once, not that copy and the ES build beside it.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export const tracing = require("@spanfn/tracing") as typeof import("@spanfn/tracing");
export const tracingNode = require("@spanfn/tracing/node") as typeof import("@spanfn/tracing/node");

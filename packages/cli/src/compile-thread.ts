/**
 * The thread that compiles the program's modules where Node runs the module hooks on the
 * program's own thread (`module.registerHooks`) and so starts no hooks thread to do it: Babel
 * loads here, never on the program's thread (remote-compile.ts).
 */
import { workerData } from "node:worker_threads";
import { serveCompiles, type CompileThreadData } from "./remote-compile.js";
import { compile } from "./transform.js";

const { service, options } = workerData as CompileThreadData;
serveCompiles(service, options, compile);

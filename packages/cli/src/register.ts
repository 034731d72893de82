/**
 * `node --import @spanfn/cli/register app.ts`: what `spanfn run` does, without its command line,
 * configured by the SPANFN_* variables (env.ts). `spanfn run` loads this same entry before the
 * program, in its own process or a child (run.ts).
 */
import "./preload.js";

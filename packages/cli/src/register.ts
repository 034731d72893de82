/**
 * `node --import @spanfn/cli/register app.ts`: what `spanfn run` does, without the `spanfn`
 * process in between, configured by the SPANFN_* variables (env.ts). `spanfn run` loads this
 * same entry into its child.
 */
import "./preload.js";

#!/usr/bin/env node
// Committed (not built) so that `npm ci` can link the `spanfn` command before the build runs.
import "../dist/esm/bin.js";

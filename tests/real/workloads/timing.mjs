/**
 * The workload's own time, from after its warm-up to its end, for the overhead ratio: the
 * process's wall time also holds module loading, which under spanfn run includes compiling every
 * module through the plugin. Written to the file the runner names, never to the program's output.
 */
import { writeFileSync } from "node:fs";

export function startClock() {
  const start = performance.now();
  return () => {
    const file = process.env.SPANFN_REAL_TIMING;
    if (file) writeFileSync(file, JSON.stringify({ ms: performance.now() - start }));
  };
}

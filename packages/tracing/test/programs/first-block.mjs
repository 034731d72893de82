// A thread's first block is small, so demotion judges the first calls soon: 600 tiny calls
// (every call tiny by the threshold given) are mostly counted, not recorded. Prints the report's
// demoted entry for the site.
import { begin, configure, end, registerSpans, report } from "@spanfn/tracing";

configure({ demote: { after: 10, belowNs: 1e12 } });
const [site] = [registerSpans("programs/first-block", "first-block.mjs", [["tiny", 1]])];
for (let i = 0; i < 600; i++) end(begin(site));
const demoted = report().demoted.find((d) => d.name === "tiny");
process.stdout.write(JSON.stringify({ calls: demoted?.calls ?? 0, recorded: demoted?.recorded ?? 0 }));

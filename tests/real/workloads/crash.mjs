/**
 * A rejection nobody handles, from inside the promise libraries: p-retry gives up on a page that
 * always fails, p-map passes the rejection on, and the promise is dropped. Node must report it
 * and exit with 1 exactly as without spanfn: spanfn watches that promise settle (a function
 * compiled as sync returned it) and must not mark it handled. Everything else has settled by
 * then, so no span is left open.
 */
import pMap from "p-map";
import pRetry from "p-retry";
import { startClock } from "./timing.mjs";

const stop = startClock();
const fetchPage = (page) =>
  pRetry(
    async (attempt) => {
      if (page === 3) throw new RangeError(`page ${page} failed on attempt ${attempt}`);
      return page * 10;
    },
    { retries: 2, minTimeout: 1, factor: 1, randomize: false },
  );

console.log("pages", (await pMap([1, 2], fetchPage)).join(","));
function crawl(pages) {
  return pMap(pages, fetchPage, { concurrency: 2 });
}
// Dropped: nothing awaits or handles it.
crawl([3]);
console.log("crawling");
stop();

/**
 * The trace worker's script (worker-entry.ts and what it imports, bundled), as a string the page
 * starts a Web Worker from. The build writes it (scripts/build-browser-worker.mjs); run from the
 * sources, there is none, and BrowserTraceSink encodes on the page's thread.
 */
export const WORKER_SOURCE: string | undefined = undefined;

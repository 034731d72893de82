/**
 * The main entry as Node loads it: the browser-safe core, plus the one thing that must happen
 * without being asked: a worker thread's events find their way to the main thread's trace.
 */
import { attachWorkerThread } from "./node/index.js";

export * from "./index.js";

attachWorkerThread();

/**
 * The main entry as Node loads it: the browser-safe core, plus the one thing that must happen
 * without being asked: a worker thread's events find their way to the main thread's trace, and
 * promises returned by functions without `async` are observed without changing how they behave.
 */
import { attachWorkerThread } from "./node/index.js";
import { useExactSettlement } from "./node/settlement.js";

export * from "./index.js";

attachWorkerThread();
useExactSettlement();

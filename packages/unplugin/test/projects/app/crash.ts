// Records through setSink alone (no install()); a promise-returning function's rejection that
// nobody handles must still crash the program, as it would without spanfn.
import { InMemorySink, setSink } from "@spanfn/tracing";
import { failLater } from "./backend";

setSink(new InMemorySink());

class Job {
  /** @spanFn */
  run(): Promise<void> {
    return failLater(5, "unhandled job failure");
  }
}

new Job().run();

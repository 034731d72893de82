// The async-trait bug in its purest form: no `async`, no return type; only the interface this
// class implements says `process` returns a promise. Instrumented from TypeScript source.
import { Simple } from "./services";

interface Service {
  process(s: string): Promise<string>;
}

export class Forwarding implements Service {
  constructor(private readonly inner: Service) {}

  process(s) {
    return this.inner.process(s);
  }
}

export async function run(): Promise<string> {
  return new Forwarding(new Simple()).process("d");
}

/**
 * The program's thread asks another thread to compile: the answer, an error with its code, and
 * the fallback when nobody answers. The serving side runs from the built CLI in a worker, as it
 * runs on the hooks thread.
 */
import { describe, expect, test } from "@jest/globals";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { remoteCompiler } from "../src/remote-compile.js";

const BUILT = pathToFileURL(join(__dirname, "../dist/esm/remote-compile.js")).href;

/** A worker serving compiles that upper-case the source, and throw on "bad". */
function server(service: ReturnType<typeof remoteCompiler>["service"]): Worker {
  const code = `
    const { workerData } = require("node:worker_threads");
    import(${JSON.stringify(BUILT)}).then(({ serveCompiles }) => {
      serveCompiles(workerData, {}, (source, filename) => {
        if (source === "bad") throw Object.assign(new Error("bad source in " + filename), { code: "BABEL_PARSE_ERROR" });
        return { code: source.toUpperCase(), dependencies: ["/x/" + source] };
      });
    });`;
  return new Worker(code, { eval: true, workerData: service, transferList: [service.port] });
}

const options = { all: true, include: [], exclude: [], nodeModules: false, root: "/" };
const fallback = (source: string) => ({ code: `local:${source}`, dependencies: [] });

describe("remote compiles", () => {
  test("the serving thread's code comes back; its error is thrown here with its code", async () => {
    // Generous: the worker picks requests up once it has started, which a loaded machine slows.
    const { service, compile } = remoteCompiler(fallback, 60_000);
    const worker = server(service);
    try {
      // The worker starts serving once its module is loaded: until then requests wait for it.
      expect(compile("a", "/x/a.js", options, true)).toEqual({ code: "A", dependencies: ["/x/a"] });
      expect(compile("bcd", "/x/b.js", options, true)).toEqual({ code: "BCD", dependencies: ["/x/bcd"] });
      expect(() => compile("bad", "/x/c.js", options, true)).toThrow(expect.objectContaining({ code: "BABEL_PARSE_ERROR", message: "bad source in /x/c.js" }));
      expect(compile("e", "/x/e.js", options, true)).toEqual({ code: "E", dependencies: ["/x/e"] });
    } finally {
      await worker.terminate();
    }
  });

  test("when nobody picks a request up, it compiles here, and from then on", () => {
    const { compile } = remoteCompiler(fallback, 50);
    expect(compile("a", "/x/a.js", options, true).code).toBe("local:a");
    expect(compile("b", "/x/b.js", options, true).code).toBe("local:b");
  });
});

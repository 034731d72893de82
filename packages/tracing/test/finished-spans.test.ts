/**
 * InMemorySink's finished spans: what a user's test asserts on, from code the plugin compiled.
 * Parents across kinds: a sync function called from an async one, an async one called from a
 * sync one, a rejected promise, and a span still open.
 */
import { afterAll, beforeEach, describe, expect, test } from "@jest/globals";
import { begin, configure, InMemorySink } from "../src/index.js";
import { compile, evaluate } from "../../babel-plugin/test/run-output.js";

const SOURCE = `
function busy(ms) {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

function lookup(id) {
  busy(2);
  return { id };
}

export async function getUser(id) {
  await null;
  return lookup(id);
}

export async function kick() {
  const user = await getUser(7);
  return lookup(user.id);
}

export function start() {
  void getUser(1);
  return 1;
}

export async function fails() {
  throw new Error("no");
}
`;

type Program = Record<"getUser" | "kick" | "start" | "fails", (id?: number) => unknown>;

let sink = new InMemorySink();
let program: Program;
let round = 0;
const name = (fn: string) => `src/users${round}::${fn}`;

beforeEach(() => {
  round++;
  sink = new InMemorySink();
  configure({ enabled: true, maxLevel: "trace", demote: false, sink });
  const code = compile(SOURCE, `/project/src/users${round}.js`, { instrument: "all" }, { plugins: [require.resolve("@babel/plugin-transform-modules-commonjs")] }).code!;
  program = evaluate(code) as Program;
});

afterAll(() => configure({ demote: true }));

describe("InMemorySink: finished spans", () => {
  test("getUser took longer than lookup and is its parent, in one line each", async () => {
    await program.getUser(1);
    const getUser = sink.span("getUser");
    const lookup = sink.span("lookup");
    expect(lookup.parent).toBe(getUser);
    expect(getUser.duration).toBeGreaterThan(lookup.duration);
    expect(lookup.duration).toBeGreaterThanOrEqual(2);
    expect(getUser).toMatchObject({ kind: "async", outcome: "fulfilled", name: name("getUser"), parent: null });
    expect(getUser.children[0]).toBe(lookup);
    expect(lookup).toMatchObject({ kind: "thread", outcome: "ended", line: 7, thread: { name: "main" } });
  });

  test("an async span called from a sync one hangs under it; a sync one called after an await, under the async one it ran in", async () => {
    program.start();
    await program.kick();
    expect(sink.tree({ durations: false })).toBe(
      [
        `${name("start")}  thread`,
        `  ${name("getUser")}  async  fulfilled`,
        `    ${name("lookup")}  thread`,
        `      ${name("busy")}  thread`,
        `${name("kick")}  async  fulfilled`,
        `  ${name("getUser")}  async  fulfilled`,
        `    ${name("lookup")}  thread`,
        `      ${name("busy")}  thread`,
        `  ${name("lookup")}  thread`,
        `    ${name("busy")}  thread`,
      ].join("\n"),
    );
  });

  test("a rejected promise and a span still open say so", async () => {
    await expect(program.fails()).rejects.toThrow("no");
    const open = begin(0);
    const spans = sink.spans();
    expect(spans.find((s) => s.name === name("fails"))?.outcome).toBe("rejected");
    expect(spans[spans.length - 1].outcome).toBe("unfinished");
    void open;
  });

  test("an unknown name is an error that lists the recorded ones", async () => {
    await program.getUser(2);
    expect(() => sink.span("getUsr")).toThrow(`no span named "getUsr"; recorded: ${name("getUser")}, ${name("lookup")}, ${name("busy")}`);
  });
});

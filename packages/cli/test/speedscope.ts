/**
 * speedscope's own importer, from its npm package, run in Node: the package ships only the web
 * app's bundle, whose importer module the app loads lazily through one promise. The bundle runs in
 * a vm context with a stub location (the app itself fails at once for want of a DOM, after that
 * promise is made) and the promise is handed out. Pinned to the version this was written against.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import vm from "node:vm";

export interface SpeedscopeFrame {
  name: string;
}
export interface SpeedscopeNode {
  frame: SpeedscopeFrame;
}
export interface SpeedscopeProfile {
  getName(): string;
  getWeightUnit(): string;
  forEachCall(open: (node: SpeedscopeNode, value: number) => void, close: (node: SpeedscopeNode, value: number) => void): void;
}
export interface SpeedscopeImport {
  group: { name: string; profiles: SpeedscopeProfile[] } | null;
  /** What the importer said through console.warn (mismatched ends, frames left open). */
  warnings: string[];
}

const require = createRequire(__filename);
const RELEASE = join(dirname(require.resolve("speedscope/package.json")), "dist", "release");
// `var jr=Promise.resolve().then(()=>(Sf(),kf));`: the lazy import of the importer module.
const IMPORTER_PROMISE = /var (\w+)=Promise\.resolve\(\)\.then\(\(\)=>\(\w+\(\),\w+\)\);/;

export async function importWithSpeedscope(fileName: string, text: string): Promise<SpeedscopeImport> {
  const bundle = readdirSync(RELEASE).find((f) => /^speedscope-\w+\.js$/.test(f));
  if (bundle === undefined) throw new Error(`no speedscope bundle in ${RELEASE}`);
  const source = readFileSync(join(RELEASE, bundle), "utf8");
  const found = IMPORTER_PROMISE.exec(source);
  if (found === null) throw new Error(`${bundle}: the importer's promise is not where speedscope 1.25 has it`);
  const at = found.index + found[0].length;
  const patched = `${source.slice(0, at)}globalThis.__importer=${found[1]};${source.slice(at)}`;
  const warnings: string[] = [];
  const quiet = () => {};
  const context: Record<string, unknown> = {
    console: { log: quiet, info: quiet, error: quiet, warn: (...args: unknown[]) => warnings.push(args.join(" ")) },
    location: { hash: "", search: "", href: "http://localhost/", protocol: "http:" },
    TextDecoder,
    TextEncoder,
    setTimeout,
    clearTimeout,
    URL,
  };
  context.globalThis = context.window = context.self = context;
  vm.createContext(context);
  try {
    vm.runInContext(patched, context, { filename: bundle });
  } catch {
    // The app's start needs a document; the importer does not.
  }
  const importer = (await context.__importer) as { importProfileGroupFromText(name: string, text: string): Promise<SpeedscopeImport["group"]> } | undefined;
  if (importer === undefined) throw new Error(`${bundle}: the importer did not load`);
  const group = await importer.importProfileGroupFromText(fileName, text);
  return { group, warnings };
}

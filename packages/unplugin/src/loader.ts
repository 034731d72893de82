/**
 * The webpack and rspack loader the plugin adds itself (a `pre` rule), rather than unplugin's
 * transform loader: that one drops the map a transform returns when the loader was given none,
 * which is always the case for the first loader (unjs/unplugin#154), so every line of an
 * instrumented file would map to the instrumented code. Here the map goes on with the code, and
 * a map from an earlier loader is composed with it.
 *
 * Loader options cross from JavaScript to Rust and back in rspack, so they carry only a key; the
 * transform it names is kept on `globalThis`, shared by the ESM and CommonJS builds.
 */
export type LoaderTransform = (
  code: string,
  file: string,
  inputMap: object | undefined,
  warn: (message: string) => void,
) => Promise<{ code: string; map: object | null; dependencies: string[] } | null>;

const REGISTRY = Symbol.for("@spanfn/unplugin loader transforms");

function registry(): Map<string, LoaderTransform> {
  const holder = globalThis as { [REGISTRY]?: Map<string, LoaderTransform> };
  return (holder[REGISTRY] ??= new Map());
}

let next = 0;

/** Makes `transform` reachable from the loader; returns the key its rule's options carry. */
export function registerLoaderTransform(transform: LoaderTransform): string {
  const key = `${process.pid}:${next++}`;
  registry().set(key, transform);
  return key;
}

interface LoaderContext {
  async(): (error: Error | null, code?: string, map?: object | null) => void;
  getOptions(): { key: string };
  resourcePath: string;
  addDependency(file: string): void;
  emitWarning(warning: Error): void;
}

export default function spanfnLoader(this: LoaderContext, code: string, inputMap?: object | string): void {
  const done = this.async();
  const { key } = this.getOptions();
  const transform = registry().get(key);
  if (transform === undefined) {
    done(new Error(`@spanfn/unplugin: the loader was run without its plugin (no transform registered as ${key})`));
    return;
  }
  const map = typeof inputMap === "string" ? (JSON.parse(inputMap) as object) : inputMap;
  transform(code, this.resourcePath, map ?? undefined, (message) => this.emitWarning(new Error(message))).then(
    (output) => {
      if (output === null) return done(null, code, map);
      // A watch build re-runs the loader on this file when a contract it read changes.
      for (const dependency of output.dependencies) this.addDependency(dependency);
      done(null, output.code, output.map);
    },
    (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
  );
}

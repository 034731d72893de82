/** The spanfn plugin for vite: `import spanfn from "@spanfn/unplugin/vite"`. */
import { checkOptions, unplugin, type SpanFnUnpluginOptions } from "./index.js";

type VitePlugin = ReturnType<typeof unplugin.vite>;
type Hook = (this: unknown, ...args: never[]) => unknown;
/** The hooks this entry wraps, of the one plugin the factory makes. */
interface Hooks {
  name: string;
  config: Hook;
  configResolved: Hook;
  transform: Hook;
  [FOR_WORKERS]?: true;
}

/** Marks the instances this entry adds to Vite's worker bundles (a symbol survives Vite copying a plugin). */
const FOR_WORKERS = Symbol.for("@spanfn/unplugin/vite:for-workers");

/**
 * Bad options throw here, so the stack names the line of the config that passed them.
 *
 * Vite bundles a Web Worker (`new Worker(new URL(…, import.meta.url))`) for production with
 * `worker.plugins` alone, not the config's `plugins`: the plugin adds itself there, or a user
 * who listed it once would ship workers without spans, silently.
 */
export default function spanfn(options?: SpanFnUnpluginOptions): VitePlugin {
  checkOptions(options);
  const plugin = unplugin.vite(options) as VitePlugin & Hooks;
  const config = plugin.config as (this: unknown, ...args: unknown[]) => object;
  plugin.config = function (this: unknown, ...args: unknown[]) {
    // Vite's merge appends these to the user's worker plugins.
    return { ...config.apply(this, args), worker: { plugins: () => [forWorkers(options)] } };
  };
  return plugin;
}

/**
 * An instance for one worker bundle (Vite asks for new ones each time). It stands down where the
 * worker's plugins already have spanfn, the user's own or another added one, so no file is
 * instrumented twice.
 */
function forWorkers(options: SpanFnUnpluginOptions | undefined): VitePlugin {
  const plugin = unplugin.vite(options) as VitePlugin & Hooks;
  plugin[FOR_WORKERS] = true;
  let active = true;
  const configResolved = plugin.configResolved as (this: unknown, config: { plugins: readonly object[] }) => void;
  plugin.configResolved = function (this: unknown, config: { plugins: readonly object[] }) {
    const spanfns = config.plugins.filter((p) => (p as { name?: string }).name === plugin.name);
    const own = spanfns.find((p) => !(FOR_WORKERS in p));
    active = own === undefined && spanfns.find((p) => FOR_WORKERS in p) === plugin;
    configResolved.call(this, config);
  };
  const transform = plugin.transform as (this: unknown, ...args: unknown[]) => unknown;
  plugin.transform = function (this: unknown, ...args: unknown[]) {
    return active ? transform.apply(this, args) : null;
  };
  return plugin;
}

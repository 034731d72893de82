/** The spanfn plugin for esbuild: `import spanfn from "@spanfn/unplugin/esbuild"`. */
import { checkOptions, unplugin, type SpanFnUnpluginOptions } from "./index.js";

/** Bad options throw here, so the stack names the line of the config that passed them. */
export default function spanfn(options?: SpanFnUnpluginOptions): ReturnType<typeof unplugin.esbuild> {
  checkOptions(options);
  return unplugin.esbuild(options);
}

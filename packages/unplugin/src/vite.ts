/** The spanfn plugin for vite: `import spanfn from "@spanfn/unplugin/vite"`. */
import { checkOptions, unplugin, type SpanFnUnpluginOptions } from "./index.js";

/** Bad options throw here, so the stack names the line of the config that passed them. */
export default function spanfn(options?: SpanFnUnpluginOptions): ReturnType<typeof unplugin.vite> {
  checkOptions(options);
  return unplugin.vite(options);
}

/** The spanfn plugin for rollup: `import spanfn from "@spanfn/unplugin/rollup"`. */
import { checkOptions, unplugin, type SpanFnUnpluginOptions } from "./index.js";

/** Bad options throw here, so the stack names the line of the config that passed them. */
export default function spanfn(options?: SpanFnUnpluginOptions): ReturnType<typeof unplugin.rollup> {
  checkOptions(options);
  return unplugin.rollup(options);
}

/** The spanfn plugin for webpack: `import spanfn from "@spanfn/unplugin/webpack"`. */
import { checkOptions, unplugin, type SpanFnUnpluginOptions } from "./index.js";

/** Bad options throw here, so the stack names the line of the config that passed them. */
export default function spanfn(options?: SpanFnUnpluginOptions): ReturnType<typeof unplugin.webpack> {
  checkOptions(options);
  return unplugin.webpack(options);
}

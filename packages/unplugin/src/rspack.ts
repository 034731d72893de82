/** The spanfn plugin for rspack: `import spanfn from "@spanfn/unplugin/rspack"`. */
import { checkOptions, unplugin, type SpanFnUnpluginOptions } from "./index.js";

/** Bad options throw here, so the stack names the line of the config that passed them. */
export default function spanfn(options?: SpanFnUnpluginOptions): ReturnType<typeof unplugin.rspack> {
  checkOptions(options);
  return unplugin.rspack(options);
}

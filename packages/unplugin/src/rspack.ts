/** The spanfn plugin for rspack: `import spanfn from "@spanfn/unplugin/rspack"`. */
import { unplugin } from "./index.js";

export default unplugin.rspack;

/** The spanfn plugin for rollup: `import spanfn from "@spanfn/unplugin/rollup"`. */
import { unplugin } from "./index.js";

export default unplugin.rollup;

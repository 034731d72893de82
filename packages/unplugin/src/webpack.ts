/** The spanfn plugin for webpack: `import spanfn from "@spanfn/unplugin/webpack"`. */
import { unplugin } from "./index.js";

export default unplugin.webpack;

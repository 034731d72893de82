/** The spanfn plugin for esbuild: `import spanfn from "@spanfn/unplugin/esbuild"`. */
import { unplugin } from "./index.js";

export default unplugin.esbuild;

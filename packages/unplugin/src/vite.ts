/** The spanfn plugin for vite: `import spanfn from "@spanfn/unplugin/vite"`. */
import { unplugin } from "./index.js";

export default unplugin.vite;

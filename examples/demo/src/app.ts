// The entry point `npm run demo` hands to `spanfn run`.
import { main } from "./main.js";

await main();

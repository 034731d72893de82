import { hi } from "@lib/hi";
import { deep } from "@lib/nested/deep.js";
import { config } from "#config";

console.log(hi(config.name), deep());

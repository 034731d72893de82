// Type errors on purpose: the diagnostics are part of the output.
import { Orders } from "./service";

const count: number = "three";
new Orders().save({ id: 1 });
export const missing = undefinedName + 1;

import picomatch from "picomatch";
import { hi } from "./hi.js";

console.log(hi(), picomatch.isMatch("a.ts", "*.ts"));

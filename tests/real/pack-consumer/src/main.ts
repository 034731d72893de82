import { add, Store, unmarked } from "./work.js";

console.log(add(1, 2), unmarked(3), await new Store().load("a"));

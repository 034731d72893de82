import { twice } from "@lib/twice";
const { plusOne } = require("@lib/plus-one");

console.log(twice(plusOne(20)));

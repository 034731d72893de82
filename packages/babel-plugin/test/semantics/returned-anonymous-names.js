// Anonymous functions and classes that a function returns, yields or awaits keep the name they
// have ("" or the one JavaScript infers later): the codegen's locals must not lend theirs.
const make = () => () => 1;
function makeClass() {
  return class {};
}
function makeFunction() {
  return function () {};
}
function* yields() {
  yield () => {};
  yield class {};
}
async function* awaits() {
  yield await function () {};
}
async function returnsAsync() {
  return () => {};
}

export async function run(log) {
  log("arrow", JSON.stringify(make().name));
  log("class", JSON.stringify(makeClass().name));
  log("function", JSON.stringify(makeFunction().name));
  for (const value of yields()) log("yielded", JSON.stringify(value.name));
  for await (const value of awaits()) log("awaited", JSON.stringify(value.name));
  log("async", JSON.stringify((await returnsAsync()).name));
  const named = make();
  log("inferred later", JSON.stringify(named.name));
}

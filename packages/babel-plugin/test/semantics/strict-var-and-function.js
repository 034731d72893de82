// Strict mode: a `var` and a function declaration of the same name at the top of a function
// body are legal (the function initializes the var binding; the assignment then replaces it).
export function run(log) {
  function varAndFunction() {
    const first = typeof g;
    var g = 1;
    function g() {}
    return [first, g];
  }
  log("var and function of the same name", varAndFunction());
  function loopVarAndFunction() {
    function h() {}
    for (var h of ["from the loop"]);
    return h;
  }
  log("for-var and function of the same name", loopVarAndFunction());
}

// Sloppy mode: a `var` and a function declaration of the same name at the top of a function
// body are legal (the function initializes the var binding).
module.exports.run = function run(log) {
  function varThenFunction() {
    const first = typeof g;
    var g = 1;
    function g() {}
    return [first, g];
  }
  log("var and function of the same name", varThenFunction());
};

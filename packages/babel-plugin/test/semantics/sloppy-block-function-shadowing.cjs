// Annex B in sloppy mode: a function declared in a nested block also assigns the function-scoped
// binding of the same name, here one made by a body-level function declaration.
module.exports.run = function run(log) {
  function innerBlockReplacesOuter() {
    function which() {
      return "outer";
    }
    const first = which();
    {
      function which() {
        return "inner";
      }
    }
    return [first, which()];
  }
  log("block function reassigns the body-level one", innerBlockReplacesOuter());

};

// Strict mode: two function declarations of the same name at the top of a function body are
// legal (the last wins); so is a var of the same name as a function.
export function run(log) {
  function duplicates() {
    function twice() {
      return "first";
    }
    function twice() {
      return "second";
    }
    return twice();
  }
  log("duplicate function declarations", duplicates());
}

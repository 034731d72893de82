// Annex B in sloppy mode: block-level function declarations also get a function-scoped `var`
// binding, assigned when the block is evaluated; plus the body-level forms around them.
module.exports.run = function run(log) {
  function blockFunction() {
    const before = typeof inBlock;
    if (true) {
      function inBlock() {
        return "in block";
      }
    }
    return [before, typeof inBlock, inBlock()];
  }
  log("block function is var-hoisted", blockFunction());

  function notEvaluatedBlock() {
    if (false) {
      function never() {}
    }
    return typeof never;
  }
  log("block never evaluated", notEvaluatedBlock());

  function ifWithoutBraces(flag) {
    if (flag) function bare() { return "bare"; }
    return typeof bare === "function" ? bare() : typeof bare;
  }
  log("if without braces", ifWithoutBraces(true), ifWithoutBraces(false));

  function labelledFunction() {
    label: function labelled() {
      return "labelled";
    }
    return labelled();
  }
  log("labelled function declaration", labelledFunction());

  function duplicatesInBody() {
    function twice() {
      return 1;
    }
    function twice() {
      return 2;
    }
    return twice();
  }
  log("duplicate body-level functions", duplicatesInBody());

  function duplicatesInBlock() {
    {
      function twice() {
        return 1;
      }
      function twice() {
        return 2;
      }
    }
    return twice();
  }
  log("duplicate block functions", duplicatesInBlock());

  function letBlocksHoisting() {
    let blocked = "let";
    {
      function blocked() {}
    }
    return typeof blocked;
  }
  log("let blocks the var hoisting", letBlocksHoisting());

  function switchCaseFunction(n) {
    switch (n) {
      case 1:
        function inCase() {
          return "case";
        }
    }
    return typeof inCase;
  }
  log("function in a switch case", switchCaseFunction(1), switchCaseFunction(2));

  function loopFunctions() {
    const made = [];
    for (let i = 0; i < 2; i++) {
      function perIteration() {
        return i;
      }
      made.push(perIteration);
    }
    return [made.map((f) => f()), typeof perIteration, perIteration()];
  }
  log("functions declared in a loop", loopFunctions());
};

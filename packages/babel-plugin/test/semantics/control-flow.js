// @compilers: tsc-es2015 tsc-es5 env-node6 env-ie11
// Control flow: early returns, labels with break/continue, switch fallthrough with returns,
// return inside finally, finally overriding return values and exceptions, break/continue out
// of finally, returns from nested loops.
export function run(log) {
  function early(n) {
    if (n < 0) return "negative";
    if (n === 0) return;
    for (const x of [1, 2, 3]) {
      if (x === n) return `found ${x}`;
    }
    return "not found";
  }
  log("early returns", early(-1), early(0), early(2), early(9));

  function labels() {
    const out = [];
    outer: for (let i = 0; i < 3; i++) {
      inner: for (let j = 0; j < 3; j++) {
        if (j === 1) continue outer;
        if (i === 2) break outer;
        out.push(`${i}${j}`);
        if (j > 5) break inner;
      }
    }
    block: {
      out.push("in block");
      if (out.length) break block;
      out.push("unreachable");
    }
    let k = 0;
    loop: while (true) {
      do {
        k++;
        if (k % 2) continue loop;
        if (k > 6) break loop;
      } while (k < 100);
    }
    out.push(`k=${k}`);
    return out;
  }
  log("labels", labels());

  function labelledReturn() {
    found: {
      for (const x of [1, 2, 3]) {
        if (x === 2) break found;
      }
      return "no";
    }
    return "yes";
  }
  log("labelled block", labelledReturn());

  function fallthrough(n) {
    const seen = [];
    switch (n) {
      case 0:
        seen.push(0);
      case 1:
        seen.push(1);
        if (n === 1) return seen;
      case 2: {
        seen.push(2);
        break;
      }
      default:
        seen.push("default");
      case 3:
        seen.push(3);
        return seen.concat("returned from 3");
    }
    return seen.concat("after switch");
  }
  log("switch", fallthrough(0), fallthrough(1), fallthrough(2), fallthrough(3), fallthrough(7));

  function switchWithoutMatch(n) {
    switch (n) {
      case "a":
        return "a";
    }
  }
  log("switch without match", switchWithoutMatch("b"));

  function finallyOverridesReturn() {
    try {
      return "try";
    } finally {
      return "finally";
    }
  }
  log("return in finally overrides return", finallyOverridesReturn());

  function finallyOverridesThrow() {
    try {
      throw new Error("lost");
    } finally {
      return "finally wins";
    }
  }
  log("return in finally swallows throw", finallyOverridesThrow());

  function finallyThrowOverridesReturn() {
    try {
      return "try";
    } finally {
      throw new Error("finally throws");
    }
  }
  try {
    finallyThrowOverridesReturn();
  } catch (e) {
    log("throw in finally overrides return", e.message);
  }

  function returnValueEvaluatedBeforeFinally() {
    let x = 1;
    try {
      return x;
    } finally {
      x = 2;
    }
  }
  log("return value is taken before finally", returnValueEvaluatedBeforeFinally());

  function returnObjectMutatedInFinally() {
    const o = { v: 1 };
    try {
      return o;
    } finally {
      o.v = 2;
    }
  }
  log("mutation in finally is visible", returnObjectMutatedInFinally());

  function breakInFinally() {
    for (;;) {
      try {
        return "try";
      } finally {
        break;
      }
    }
    return "after loop";
  }
  log("break in finally cancels return", breakInFinally());

  function continueInFinally() {
    let i = 0;
    while (i < 3) {
      i++;
      try {
        if (i < 3) return `returned at ${i}`;
      } finally {
        if (i < 3) continue;
      }
    }
    return `loop ended at ${i}`;
  }
  log("continue in finally cancels return", continueInFinally());

  function nestedFinally() {
    const order = [];
    try {
      try {
        order.push("inner try");
        return order;
      } finally {
        order.push("inner finally");
      }
    } finally {
      order.push("outer finally");
    }
  }
  log("nested finally order", nestedFinally());

  function catchReturns() {
    try {
      throw new Error("x");
    } catch (e) {
      return `caught ${e.message}`;
    } finally {
      log("finally after catch return");
    }
  }
  log("return from catch", catchReturns());

  function returnsInLoops() {
    for (let i = 0; ; i++) {
      for (const j of [0, 1, 2]) {
        while (true) {
          if (i * j === 2) return [i, j];
          break;
        }
      }
    }
  }
  log("return out of nested loops", returnsInLoops());

  function conditionalAndLogical(a) {
    return a ? "truthy" : a ?? "nullish";
  }
  log("expression returns", conditionalAndLogical(1), conditionalAndLogical(0), conditionalAndLogical(null));

  function returnSequenceAndAssignment() {
    let x;
    return (x = 1), x + 1;
  }
  log("return sequence", returnSequenceAndAssignment());

  function noReturn() {}
  function bareReturn() {
    return;
  }
  log("undefined returns", noReturn(), bareReturn());

  function asiReturn() {
    return (
      "multi-line"
    );
  }
  log("parenthesized return", asiReturn());

  function doWhileWithContinue() {
    let n = 0;
    let out = "";
    do {
      n++;
      if (n === 2) continue;
      out += n;
    } while (n < 4);
    return out;
  }
  log("do-while continue", doWhileWithContinue());

  const arrowReturnsObject = () => ({ object: true });
  const arrowReturnsArrow = () => () => "inner";
  log("arrow expression bodies", arrowReturnsObject(), arrowReturnsArrow()());
}

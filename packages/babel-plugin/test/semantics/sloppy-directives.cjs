// Directive prologues in a sloppy script: a function-level "use strict" must keep its effect
// (and must stay a directive, i.e. first in the body), other directives are inert, and a
// string statement that is not in the prologue is not a directive.
module.exports.run = function run(log) {
  function strictFn() {
    "use strict";
    return this === undefined;
  }
  function strictAfterOtherDirective() {
    "use something";
    "use strict";
    return this === undefined;
  }
  function notADirective() {
    ;
    "use strict";
    return this === undefined;
  }
  function notADirectiveAfterStatement() {
    var x = 1;
    "use strict";
    return this === undefined;
  }
  const strictArrow = () => {
    "use strict";
    return (function () {
      return this === undefined;
    })();
  };
  function strictArguments(a) {
    "use strict";
    arguments[0] = "changed";
    return a;
  }
  function sloppyArguments(a) {
    arguments[0] = "changed";
    return a;
  }
  function strictAssignToFrozen() {
    "use strict";
    try {
      Object.freeze({ a: 1 }).a = 2;
      return "assigned silently";
    } catch (e) {
      return e.constructor.name;
    }
  }
  function sloppyAssignToFrozen() {
    Object.freeze({ a: 1 }).a = 2;
    return "assigned silently";
  }
  function strictNested() {
    "use strict";
    return (function nested() {
      return this === undefined;
    })();
  }
  function escapedDirective() {
    "use\x20strict";
    return this === undefined;
  }
  function singleQuoted() {
    'use strict';
    return this === undefined;
  }
  log("use strict", strictFn(), strictAfterOtherDirective(), strictArrow(), strictNested(), singleQuoted());
  log("not directives", notADirective(), notADirectiveAfterStatement(), escapedDirective());
  log("arguments", strictArguments("original"), sloppyArguments("original"));
  log("assignment to a frozen object", strictAssignToFrozen(), sloppyAssignToFrozen());
  log("strict function caller access", (() => {
    try {
      return typeof strictFn.caller;
    } catch (e) {
      return e.constructor.name;
    }
  })());
  const strictMethods = {
    m() {
      "use strict";
      return this;
    },
  };
  log("strict method called detached", typeof (0, strictMethods.m)());
};

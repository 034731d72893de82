// Recursion (fib(15), mutual, deep, through getters and methods) and eval-free closures:
// counters, module pattern, currying, memoization, closures created in loops.
export function run(log) {
  let calls = 0;
  function fib(n) {
    calls++;
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
  }
  log("fib(15)", fib(15), "calls", calls);

  const fibArrow = (n) => (n < 2 ? n : fibArrow(n - 1) + fibArrow(n - 2));
  log("arrow fib(12)", fibArrow(12));

  function isEven(n) {
    return n === 0 ? true : isOdd(n - 1);
  }
  function isOdd(n) {
    return n === 0 ? false : isEven(n - 1);
  }
  log("mutual recursion", isEven(100), isOdd(7));

  function depth(n) {
    return n === 0 ? 0 : 1 + depth(n - 1);
  }
  log("depth 3000", depth(3000));

  function ackermann(m, n) {
    if (m === 0) return n + 1;
    if (n === 0) return ackermann(m - 1, 1);
    return ackermann(m - 1, ackermann(m, n - 1));
  }
  log("ackermann(2, 3)", ackermann(2, 3));

  const tree = {
    value: 1,
    children: [
      { value: 2, children: [{ value: 4, children: [] }] },
      { value: 3, children: [] },
    ],
    get total() {
      return this.value + this.children.reduce((sum, child) => sum + sumOf(child), 0);
    },
  };
  function sumOf(node) {
    return node.value + node.children.reduce((sum, child) => sum + sumOf(child), 0);
  }
  log("recursion via getter and callbacks", tree.total);

  const factorial = function fact(n) {
    return n <= 1 ? 1 : n * fact(n - 1);
  };
  log("named function expression recursion", factorial(10));

  function hanoi(n, from, to, via, moves) {
    if (n === 0) return moves;
    hanoi(n - 1, from, via, to, moves);
    moves.push(`${from}${to}`);
    return hanoi(n - 1, via, to, from, moves);
  }
  log("hanoi(4)", hanoi(4, "A", "C", "B", []).join(" "));

  function makeCounter(start) {
    let count = start;
    return {
      increment() {
        return ++count;
      },
      decrement: () => --count,
      get current() {
        return count;
      },
    };
  }
  const c1 = makeCounter(0);
  const c2 = makeCounter(10);
  c1.increment();
  c1.increment();
  c2.decrement();
  log("independent counters", c1.current, c2.current);

  const moduleLike = (function () {
    const privateState = [];
    function add(x) {
      privateState.push(x);
      return api;
    }
    function list() {
      return privateState.slice();
    }
    const api = { add, list };
    return api;
  })();
  log("module pattern", moduleLike.add(1).add(2).list());

  const curry = (fn) =>
    function curried(...args) {
      return args.length >= fn.length ? fn.apply(this, args) : (...more) => curried.apply(this, args.concat(more));
    };
  const add3 = curry((a, b, c) => a + b + c);
  log("currying", add3(1)(2)(3), add3(1, 2)(3), add3(1)(2, 3));

  const compose = (...fns) => (x) => fns.reduceRight((acc, f) => f(acc), x);
  log("compose", compose((x) => x + 1, (x) => x * 2)(5));

  function memoize(fn) {
    const cache = new Map();
    return function memoized(n) {
      if (!cache.has(n)) cache.set(n, fn.call(this, n));
      return cache.get(n);
    };
  }
  let slowCalls = 0;
  const fastFib = memoize((n) => {
    slowCalls++;
    return n < 2 ? n : fastFib(n - 1) + fastFib(n - 2);
  });
  log("memoized fib(60)", fastFib(60), slowCalls);

  const fns = [];
  for (var i = 0; i < 3; i++) {
    fns.push(
      (function (captured) {
        return () => captured * 10;
      })(i),
    );
  }
  log("IIFE captures", fns.map((f) => f()));

  function closureSeesLaterAssignment() {
    const read = () => value;
    let value = "early";
    const first = read();
    value = "late";
    return [first, read()];
  }
  log("closures see the binding, not the value", closureSeesLaterAssignment());

  function shared() {
    let n = 0;
    return [() => ++n, () => n];
  }
  const [inc, get] = shared();
  inc();
  inc();
  log("shared binding", get());

  const once = (fn) => {
    let done = false;
    let result;
    return function () {
      if (!done) {
        done = true;
        result = fn.apply(this, arguments);
      }
      return result;
    };
  };
  let onceCalls = 0;
  const init = once((x) => ++onceCalls + x);
  log("once", init(10), init(20), onceCalls);

  const trampoline = (f) => (...args) => {
    let result = f(...args);
    while (typeof result === "function") result = result();
    return result;
  };
  const sumTo = trampoline(function loop(n, acc = 0) {
    return n === 0 ? acc : () => loop(n - 1, acc + n);
  });
  log("trampoline", sumTo(10000));

  const ycomb = (f) => ((x) => x(x))((x) => f((y) => x(x)(y)));
  log("Y combinator", ycomb((self) => (n) => (n === 0 ? 1 : n * self(n - 1)))(6));
}

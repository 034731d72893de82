// A yield inside a class's computed key (or `extends` clause) belongs to the enclosing
// generator: the class body is evaluated in the generator's frame. The generator is resumed
// from different functions, each of which returns while it is suspended.
export function run(log) {
  function* makesClasses() {
    class Keyed {
      [yield "key wanted"]() {
        return "method";
      }
    }
    log("method names", Object.getOwnPropertyNames(Keyed.prototype));
    class Extended extends (yield "base wanted") {}
    return new Extended().base;
  }
  const g = makesClasses();
  function start() {
    return g.next().value;
  }
  function giveKey() {
    return g.next("dynamicName").value;
  }
  function giveBase() {
    return g.next(
      class Base {
        base = "from base";
      },
    );
  }
  log(start());
  log(giveKey());
  log(giveBase());
}

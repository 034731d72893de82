// `with` (sloppy scripts only): names in functions created inside a `with` block resolve
// against the object first. A scope object that is a Proxy sees every name looked up through it.
module.exports.run = function run(log) {
  const scope = { x: "from scope", fn() { return this === scope; } };
  with (scope) {
    var readX = function () {
      return x;
    };
    var arrowX = () => x;
    var callFn = function () {
      return fn();
    };
  }
  log("with", readX(), arrowX(), callFn());
  scope.x = "changed";
  log("live", readX());

  const unscopable = { y: "object y", [Symbol.unscopables]: { y: true } };
  var y = "outer y";
  with (unscopable) {
    var readY = function () {
      return y;
    };
  }
  log("unscopables", readY());

  const lookups = [];
  const sandbox = new Proxy(
    { z: "sandboxed z" },
    {
      has(target, key) {
        if (typeof key === "string") lookups.push(key);
        return key in target;
      },
    },
  );
  with (sandbox) {
    var readZ = function readZ() {
      return z;
    };
  }
  log("sandbox", readZ(), "names looked up", lookups);
};

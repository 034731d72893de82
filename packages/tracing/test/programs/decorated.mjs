// Functions without async that return promises: a method @spanFn wraps at run time (applied as
// the engine applies a standard decorator, with no Babel plugin in the build), and a function as
// the plugin compiles it when it saw no promise. Writes its trace to argv[2].
import { begin, endReturn, registerSpans, spanFn } from "@spanfn/tracing";
import { install } from "@spanfn/tracing/node";

install({ out: process.argv[2], writer: "inline" });

const later = (value) => new Promise((resolve) => setTimeout(() => resolve(value), 5));

class Repo {
  load(id) {
    return later(id);
  }
}
Repo.prototype.load = spanFn(Repo.prototype.load, { kind: "method", name: "load", static: false });

const site = registerSpans("programs/decorated", "programs/decorated.mjs", [["programs/decorated::fetch", 20]]);
function fetch(id) {
  const token = begin(site);
  let returned;
  try {
    return (returned = later(id));
  } finally {
    endReturn(token, returned);
  }
}

console.log(await new Repo().load("a"), await fetch("b"));

// A program whose package.json has no "type": Node would go by its syntax, so spanfn run keeps a child process.
/** @spanFn */
function main() {
  console.log(JSON.stringify({ pid: process.pid }));
}

main();

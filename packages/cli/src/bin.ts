// The `spanfn` command (bin/spanfn.js loads this).
import { readFileSync } from "node:fs";
import { parseArgs, UsageError } from "./args.js";

// Each command loads only what it needs: `run` starts the program sooner without the readers.

async function main(argv: string[]): Promise<number> {
  const command = parseArgs(argv);
  switch (command.command) {
    case "help":
      process.stdout.write(command.text);
      return 0;
    case "version":
      process.stdout.write(`${version()}\n`);
      return 0;
    case "report":
      process.stdout.write(await (await import("./report.js")).report(command));
      return 0;
    case "diff":
      process.stdout.write(await (await import("./diff.js")).diff(command));
      return 0;
    case "run":
      return (await import("./run.js")).run(command);
  }
}

/** The version in @spanfn/cli's package.json (two folders up from dist/esm). */
function version(): string {
  const json = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return json.version;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`spanfn: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw error;
  },
);

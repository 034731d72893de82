// The `spanfn` command (bin/spanfn.js loads this).
import { HELP, parseArgs, UsageError } from "./args.js";

// Each command loads only what it needs: `run` starts the program sooner without the readers.

async function main(argv: string[]): Promise<number> {
  const command = parseArgs(argv);
  switch (command.command) {
    case "help":
      process.stdout.write(HELP);
      return 0;
    case "report":
      process.stdout.write(await (await import("./report.js")).report(command));
      return 0;
    case "run":
      return (await import("./run.js")).run(command);
  }
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

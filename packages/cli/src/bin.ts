// The `spanfn` command (bin/spanfn.js loads this).
import { HELP, parseArgs, UsageError } from "./args.js";
import { report } from "./report.js";
import { run } from "./run.js";

async function main(argv: string[]): Promise<number> {
  const command = parseArgs(argv);
  switch (command.command) {
    case "help":
      process.stdout.write(HELP);
      return 0;
    case "report":
      process.stdout.write(await report(command));
      return 0;
    case "run":
      return run(command);
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

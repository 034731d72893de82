import { shout } from "./text.js";

interface Greeter {
  greet(name: string): Promise<string>;
}

class SlowGreeter implements Greeter {
  greet(name) {
    return new Promise<string>((resolve) => setTimeout(() => resolve(`hello ${name}`), 10));
  }
}

export async function main(): Promise<void> {
  const greeter = new SlowGreeter();
  const lines = [await greeter.greet("ada"), await greeter.greet("linus")];
  for (const line of lines) console.log(shout(line));
  console.log(`args: ${process.argv.slice(2).join(" ")}`);
  if (process.argv.includes("--fail")) {
    throw new Error("failing on purpose");
  }
  process.exitCode = Number(process.env.EXIT_CODE ?? 0);
}

await main();

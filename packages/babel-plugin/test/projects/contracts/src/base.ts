export abstract class Job {
  abstract run(): Promise<string>;

  describe(): string {
    return "job";
  }
}

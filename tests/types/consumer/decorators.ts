// The README's decorator examples, as a consumer writes them; checked with standard decorators
// and with experimentalDecorators (the same source is valid under both).
import { spanFn } from "@spanfn/tracing";

interface Row {
  id: string;
  name: string;
}

export class Repo {
  private rows = new Map<string, Row>();

  @spanFn
  find(id: string): Row | undefined {
    return this.rows.get(id);
  }

  @spanFn("repo.load")
  async load(id: string, retries = 2): Promise<Row> {
    const row = this.find(id);
    if (row === undefined && retries > 0) return this.load(id, retries - 1);
    return row ?? { id, name: "" };
  }

  @spanFn
  static open(name: string): Repo {
    void name;
    return new Repo();
  }

  @spanFn("Repo.count")
  static count(...repos: Repo[]): number {
    return repos.length;
  }

  // @ts-expect-error a getter is not a method: spanFn decorates methods only
  @spanFn
  get size(): number {
    return this.rows.size;
  }
}

// The decorated methods keep their types.
const repo: Repo = Repo.open("main");
export const found: Row | undefined = repo.find("a");
export const loaded: Promise<Row> = repo.load("a");
export const counted: number = Repo.count(repo, repo);
// @ts-expect-error find takes a string
repo.find(1);

// Implementations that return promises without `async` and without return types: what they
// return is said by contracts in other files.
import type { CachedRepo, Source, UserService } from "@contracts/index";
import type { Handler, Task, User } from "./types";
import { Job } from "./base";
import { db } from "./db";
import { delayed } from "./timers";

export class Users implements UserService {
  /** @spanFn */
  getUser(id: string) {
    return db.query({ id, name: id.toUpperCase() });
  }
}

export class UserRepo implements CachedRepo<User> {
  /** @spanFn */
  get(id: string) {
    return db.query({ id, name: id });
  }

  /** @spanFn */
  warm() {
    return db.query(undefined);
  }
}

export class Lines implements Source<Promise<string>> {
  /** @spanFn */
  read() {
    return db.query("line");
  }
}

export class Report extends Job {
  /** @spanFn */
  run() {
    return db.query("done");
  }
}

export const echo: Handler<string> = {
  /** @spanFn */
  handle(request) {
    return db.query(request);
  },
};

/** @spanFn */
export function check(): Task<number> {
  return db.query({ ok: true, value: 1 });
}

/** @spanFn */
export function later(value: string) {
  return delayed(20, value);
}

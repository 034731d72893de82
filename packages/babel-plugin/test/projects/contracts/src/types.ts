export interface User {
  id: string;
  name: string;
}

export interface Result<T> {
  ok: boolean;
  value: T;
}

// An alias of a promise, used as a return type in another file.
export type Task<T> = Promise<Result<T>>;

export interface Handler<T> {
  handle(request: string): Promise<T>;
}

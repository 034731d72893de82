import type { HttpClient } from "http-kit";
import { fetchRow, sleep } from "./db";

let ready: Promise<number> = Promise.resolve(0);

export function prepare() {
  ready = sleep(20).then(() => 1);
}

/** @spanFn */
export function load(id: string) {
  return fetchRow(id);
}

/** @spanFn */
export function whenReady() {
  return ready;
}

export class Api {
  constructor(private readonly client: HttpClient) {}

  /** @spanFn */
  page(path: string) {
    return this.client.get(path);
  }
}

/** @spanFn */
export function maybe(later: boolean) {
  return later ? sleep(20).then(() => "later") : "now";
}

/** @spanFn */
export function count(items: string[]) {
  return items.length;
}

// The contract of a store, declared in a file of its own: its implementation's methods say
// nothing about promises, so only this interface tells they return one.
export interface Store {
  load(key: string): Promise<string>;
}

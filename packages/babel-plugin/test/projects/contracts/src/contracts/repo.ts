export interface Repo<T> {
  get(id: string): Promise<T>;
}

// Extends an interface, and passes its own type parameter on.
export interface CachedRepo<T> extends Repo<T> {
  warm(): Promise<void>;
}

// Generic in what it returns: `Source<Promise<string>>` is a source of promises.
export interface Source<T> {
  read(): T;
}

export declare class HttpClient {
  constructor(base: string);
  get(path: string): Promise<string>;
}

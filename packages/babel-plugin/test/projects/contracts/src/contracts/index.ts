// A re-exporting index: implementations import their contracts from here.
export * from "./repo";
export type { UserService } from "./user-service";

import type { User } from "../types";

export interface UserService {
  getUser(id: string): Promise<User>;
}

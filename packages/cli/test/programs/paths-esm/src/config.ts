export const config = { name: "ada" };

export const hi = (): string => "hi";

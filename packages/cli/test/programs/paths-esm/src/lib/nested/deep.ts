export function deep(): string {
  return "deep";
}

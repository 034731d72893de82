export function hi(name: string): string {
  return `hi ${name}`;
}

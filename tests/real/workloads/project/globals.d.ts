// The one host function the project uses (no @types/node: the checker sees lib.es2018 only).
declare function setTimeout(callback: () => void, ms: number): unknown;

/** How runtime options are checked: a clear TypeError naming the option, what it takes and what it got. */
export function isPositiveInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0;
}

export function optionError(name: string, expected: string, got: unknown): TypeError {
  return new TypeError(`spanfn: option "${name}" must be ${expected}; got ${JSON.stringify(got)}`);
}

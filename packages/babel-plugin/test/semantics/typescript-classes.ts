// TypeScript-only function forms, instrumented before preset-typescript strips the types:
// parameter properties (also in derived classes, where they are assigned after super()),
// `this` parameters (not counted in `length`), optional parameters, overloads, abstract
// classes, declare fields, enums and namespaces with functions, definite assignment.
abstract class Shape {
  declare tag: string;
  constructor(public readonly name: string, protected sides: number = 0) {}
  abstract area(): number;
  describe(this: Shape, precision?: number): string {
    return `${this.name} with ${this.sides} sides, area ${this.area().toFixed(precision ?? 1)}`;
  }
}

class Square extends Shape {
  private cache!: number;
  constructor(private readonly side: number, log: (...values: unknown[]) => void) {
    log("before super: no parameter property yet");
    super("square", 4);
    log("after super", this.side, this.name, this.sides);
  }
  area(): number {
    return (this.cache ??= this.side * this.side);
  }
}

function overloaded(x: string): string;
function overloaded(x: number): number;
function overloaded(x: string | number): string | number {
  return typeof x === "string" ? x.toUpperCase() : x * 2;
}

enum Color {
  Red = "red",
  Green = "green",
}

namespace Geometry {
  export function double(n: number): number {
    return n * 2;
  }
  export const half = (n: number): number => n / 2;
}

function optional(a: number, b?: number, c = 3): number[] {
  return [a, b ?? -1, c, arguments.length];
}

function generic<T extends { id: number }>(items: T[], pick: (t: T) => boolean = () => true): number[] {
  return items.filter(pick).map((t) => t.id);
}

export function run(log: (...values: unknown[]) => void): void {
  const sq = new Square(3, log);
  log(sq.describe(), sq.describe(2), Object.keys(sq).sort());
  log("lengths", Shape.length, Square.length, sq.describe.length, optional.length, generic.length, overloaded.length);
  log("overloads", overloaded("x"), overloaded(21));
  log("enum", Color.Red, Object.keys(Color));
  log("namespace", Geometry.double(4), Geometry.half(4), Geometry.double.name, Geometry.half.name);
  log("optional", optional(1), optional(1, 2), optional(1, undefined, undefined));
  log("generic", generic([{ id: 1 }, { id: 2 }], (t) => t.id > 1), generic([{ id: 3 }]));
  const casted = (<T>(x: unknown) => x as T)<number>(5);
  log("satisfies and as", ({ a: 1 } satisfies { a: number }).a, casted);
  try {
    const broken = new Square(2, log);
    (broken as unknown as { describe: () => string }).describe.call(null as unknown as Shape);
  } catch (e) {
    log("describe on null", (e as Error).constructor.name);
  }
}

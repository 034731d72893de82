// for await loops nested in each other, one after the other, labelled, left early with a
// labelled continue/break, and as an unbraced statement; async calls follow each loop. Every
// async function here is called by `loops` (directly, or by its for await asking for the
// next value), so `loops` is the parent of all their spans.
/** The true parent of each function's async spans (checked on the instrumented run's trace). */
export const parents = {
  loops: "run",
  outerSource: "loops",
  innerSource: "loops",
  afterInnerLoop: "loops",
  afterNestedLoops: "loops",
  firstSibling: "loops",
  secondSibling: "loops",
  afterSiblingLoops: "loops",
  labelledOuter: "loops",
  labelledInner: "loops",
  afterLabelledLoops: "loops",
  blockSource: "loops",
  afterBreakOutOfBlock: "loops",
  unbracedSource: "loops",
  afterUnbracedLoop: "loops",
};

export async function run(log) {
  async function* outerSource() {
    for (let i = 0; i < 2; i++) {
      await null;
      yield `a${i}`;
    }
  }
  async function* innerSource() {
    for (let i = 0; i < 2; i++) {
      await null;
      yield `b${i}`;
    }
  }
  async function* firstSibling() {
    for (let i = 0; i < 1; i++) {
      await null;
      yield `c${i}`;
    }
  }
  async function* secondSibling() {
    for (let i = 0; i < 1; i++) {
      await null;
      yield `d${i}`;
    }
  }
  async function* labelledOuter() {
    for (let i = 0; i < 2; i++) {
      await null;
      yield `e${i}`;
    }
  }
  async function* labelledInner() {
    for (let i = 0; i < 2; i++) {
      await null;
      yield `f${i}`;
    }
  }
  async function* blockSource() {
    for (let i = 0; i < 2; i++) {
      await null;
      yield `h${i}`;
    }
  }
  async function* unbracedSource() {
    for (let i = 0; i < 1; i++) {
      await null;
      yield `g${i}`;
    }
  }
  const after = async (tag) => {
    await null;
    return tag;
  };
  async function afterInnerLoop(tag) {
    return after(tag);
  }
  async function afterNestedLoops() {
    return after("after nested loops");
  }
  async function afterSiblingLoops() {
    return after("after sibling loops");
  }
  async function afterLabelledLoops() {
    return after("after labelled loops");
  }
  async function afterBreakOutOfBlock() {
    return after("after break out of a block");
  }
  async function afterUnbracedLoop() {
    return after("after unbraced loop");
  }

  async function loops() {
    for await (const a of outerSource()) {
      for await (const b of innerSource()) {
        log(a, b);
      }
      log(await afterInnerLoop(`after inner loop (${a})`));
    }
    log(await afterNestedLoops());

    for await (const c of firstSibling()) log(c);
    for await (const d of secondSibling()) log(d);
    log(await afterSiblingLoops());

    outer: for await (const e of labelledOuter()) {
      inner: for await (const f of labelledInner()) {
        if (f === "f1") continue outer;
        log(e, f);
      }
    }
    log(await afterLabelledLoops());

    block: {
      for await (const h of blockSource()) {
        log(h);
        break block;
      }
    }
    log(await afterBreakOutOfBlock());

    if (log) for await (const g of unbracedSource()) log(g);
    log(await afterUnbracedLoop());
  }
  await loops();
}

// Thread spans: the cost of begin/end around a small synchronous function, against a plain call
// and against a hand-written floor that does the unavoidable part (two clock reads, two stores).
import { begin, configure, end, endReturn, NullSink, registerSpans, setSink } from "@spanfn/tracing";
import { main, work } from "../harness.mjs";

// Discards full blocks, so recording runs at full cost while memory stays bounded. The measured
// function is hot and tiny, so demotion (a counter instead of spans) is off: these cases time spans.
setSink(new NullSink());
configure({ demote: false });

const [TRACED, DEBUG_SPAN, NESTED] = (() => {
  const sites = [["traced", 1], ["debugSpan", 2, 4]];
  for (let i = 0; i < 10; i++) sites.push([`nested${i}`, 10 + i]);
  const first = registerSpans("bench/sync", "bench/cases/sync.mjs", sites);
  return [first, first + 1, first + 2];
})();

function bare(x) {
  return work(x);
}

// The runtime reads the clock through a cached `performance` too; reading the global each time
// would charge the floor for a lookup the runtime does not do.
const perf = performance;
const FLOOR_SLOTS = 1 << 14;
const floorBuffer = new Float64Array(FLOOR_SLOTS);
let floorPosition = 0;

function floor(x) {
  const p = floorPosition;
  floorBuffer[p] = perf.now();
  try {
    return work(x);
  } finally {
    floorBuffer[p + 1] = perf.now();
    floorPosition = (p + 2) & (FLOOR_SLOTS - 1);
  }
}

// The same floor with the clock spanfn reads under Node (clock.ts), as a reader would write it:
// process.hrtime.bigint() stored into a 64-bit typed array and read back as two 32-bit halves.
// The floor is the one above.
const hrtimeBigint = process.hrtime.bigint;
const wide = new BigUint64Array(1);
const halves = new Uint32Array(wide.buffer);
const hrNow = () => {
  wide[0] = hrtimeBigint();
  return (halves[1] * 4294967296 + halves[0]) * 1e-6;
};

function floorHrtime(x) {
  const p = floorPosition;
  floorBuffer[p] = hrNow();
  try {
    return work(x);
  } finally {
    floorBuffer[p + 1] = hrNow();
    floorPosition = (p + 2) & (FLOOR_SLOTS - 1);
  }
}

// A thread span written by hand with the runtime's API (begin, end in a `finally`). The plugin's
// own code (a gated begin, the end where the function is left) is what the gen-… cases in
// cases/generated.mjs measure.
function traced(x) {
  const t = begin(TRACED);
  try {
    return work(x);
  } finally {
    end(t);
  }
}

// The same by hand with `endReturn`, the end the plugin's code calls at a return: it looks once
// at the returned value for a promise that static detection missed.
function tracedReturn(x) {
  var t = begin(TRACED),
    r;
  try {
    return (r = work(x));
  } finally {
    endReturn(t, r);
  }
}

function debugSpan(x) {
  const t = begin(DEBUG_SPAN);
  try {
    return work(x);
  } finally {
    end(t);
  }
}

// Ten distinct sites, as ten functions calling each other would have.
function nested9(x) {
  const t = begin(NESTED + 9);
  try {
    return work(x);
  } finally {
    end(t);
  }
}
function nested8(x) {
  const t = begin(NESTED + 8);
  try {
    return nested9(x);
  } finally {
    end(t);
  }
}
function nested7(x) {
  const t = begin(NESTED + 7);
  try {
    return nested8(x);
  } finally {
    end(t);
  }
}
function nested6(x) {
  const t = begin(NESTED + 6);
  try {
    return nested7(x);
  } finally {
    end(t);
  }
}
function nested5(x) {
  const t = begin(NESTED + 5);
  try {
    return nested6(x);
  } finally {
    end(t);
  }
}
function nested4(x) {
  const t = begin(NESTED + 4);
  try {
    return nested5(x);
  } finally {
    end(t);
  }
}
function nested3(x) {
  const t = begin(NESTED + 3);
  try {
    return nested4(x);
  } finally {
    end(t);
  }
}
function nested2(x) {
  const t = begin(NESTED + 2);
  try {
    return nested3(x);
  } finally {
    end(t);
  }
}
function nested1(x) {
  const t = begin(NESTED + 1);
  try {
    return nested2(x);
  } finally {
    end(t);
  }
}
function nested0(x) {
  const t = begin(NESTED);
  try {
    return nested1(x);
  } finally {
    end(t);
  }
}

const cases = {
  "bare-sync-call": {
    iterations: 20_000_000,
    loop(n) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc = (acc + bare(i)) | 0;
      return acc;
    },
  },
  "floor-sync": {
    iterations: 1_000_000,
    loop(n) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc = (acc + floor(i)) | 0;
      return acc;
    },
  },
  "floor-sync-hrtime": {
    iterations: 1_000_000,
    loop(n) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc = (acc + floorHrtime(i)) | 0;
      return acc;
    },
  },
  "thread-span": {
    iterations: 1_000_000,
    loop(n) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc = (acc + traced(i)) | 0;
      return acc;
    },
  },
  "thread-span-checked": {
    iterations: 1_000_000,
    loop(n) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc = (acc + tracedReturn(i)) | 0;
      return acc;
    },
  },
  "nested-10": {
    iterations: 100_000,
    ops: 10,
    loop(n) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc = (acc + nested0(i)) | 0;
      return acc;
    },
  },
  disabled: {
    iterations: 20_000_000,
    setup() {
      configure({ enabled: false });
    },
    loop(n) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc = (acc + traced(i)) | 0;
      return acc;
    },
  },
  "level-filtered": {
    iterations: 20_000_000,
    setup() {
      configure({ maxLevel: "info" });
    },
    loop(n) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc = (acc + debugSpan(i)) | 0;
      return acc;
    },
  },
};

await main(cases);

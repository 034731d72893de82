/**
 * Every number format of the runtime, declared once: records in blocks, rows of open async
 * spans, thread-span tokens, async-span handles and stand-ins, reserved levels, site gates, span
 * ids.
 *
 * The formats are `const enum`s: the build compiles this package with `isolatedModules` off, so
 * tsc writes each member as a literal where it is used. The hot path then reads literals (an
 * imported constant costs a load and, in ESM, a check that it is initialized), and changing a
 * number here changes every writer and reader with it. Nothing outside the package sees these
 * enums: the public `EventKind` (events.ts) is a plain object made from them.
 *
 * A block is a Float64Array of records laid end to end. A record starts with its head,
 * `site * Head.sites + kind`, so a reader needs no side table and a record's size follows from
 * its kind; the enums below give each other field's offset from the head. Float64 holds integers
 * exactly up to 2^53, far beyond any id here.
 */

/** The kind of a record: the low bits of its head. */
export const enum Kind {
  /**
   * A whole thread span in one record: a span that ended with nothing written since its begin
   * (a leaf, most spans) turns its begin into this at its end, one slot less than a begin and
   * an end. Readers see it as a begin and an end (records.ts).
   */
  threadComplete = 0,
  threadBegin = 1,
  threadEnd = 2,
  asyncBegin = 3,
  asyncFulfilled = 4,
  asyncRejected = 5,
  /** A foreign thenable was returned: spanfn never calls its `then`, so the span ends at return. */
  asyncDetached = 6,
  /**
   * The outermost thread span since async span `parent` last became current. Order alone
   * cannot tell whether that span was still running or had suspended, so the parent is written.
   */
  threadBeginInside = 7,
  /**
   * Not a span: a worker thread was created here (node/worker-links.ts). Its place in the
   * thread's stream says which thread spans were open; readers see it only when they ask.
   */
  workerStart = 8,
}

/** A head is `site * sites + kind`. */
export const enum Head {
  sites = 16,
  kindMask = 15,
  /** `head >>> siteShift` is the site (heads are integers far below 2^31). */
  siteShift = 4,
}

/**
 * Where each field of each record is, and the record's size in slots. A negative parent id is
 * not a spanfn span: it names a context from outside (`linkRootSpans`).
 */
/** Every record's (first) tick follows its head. */
export const enum Slot { tick = 1 }
export const enum ThreadBeginRecord { tick = Slot.tick, size = 2 }
export const enum ThreadEndRecord { tick = Slot.tick, size = 2 }
/** A begin record grown by one slot: its end tick sits where the begin record ended. */
export const enum ThreadCompleteRecord { beginTick = ThreadBeginRecord.tick, endTick = ThreadBeginRecord.size, size = endTick + 1 }
export const enum ThreadBeginInsideRecord { tick = Slot.tick, parent = 2, size = 3 }
export const enum AsyncBeginRecord { tick = Slot.tick, spanId = 2, parent = 3, depth = 4, size = 5 }
/** The kind (fulfilled, rejected, detached) carries the outcome. */
export const enum AsyncEndRecord { tick = Slot.tick, spanId = 2, size = 3 }

/**
 * `worker`: the new worker's threadId. `parent`: the async span current then (0: none).
 * `inside`: thread spans open since that span became current; when there are any, the
 * innermost of them started the worker, else the async span did.
 */
export const enum WorkerStartRecord { tick = Slot.tick, worker = 2, parent = 3, inside = 4, size = 5 }

/** The largest record: a writer that has this many free slots can write any event. */
export const enum RecordSize { max = 5 }

/** Slots of a record of each kind, by kind. */
export const RECORD_SLOTS: readonly number[] = [
  ThreadCompleteRecord.size,
  ThreadBeginRecord.size,
  ThreadEndRecord.size,
  AsyncBeginRecord.size,
  AsyncEndRecord.size,
  AsyncEndRecord.size,
  AsyncEndRecord.size,
  ThreadBeginInsideRecord.size,
  WorkerStartRecord.size,
];

/**
 * An open async span is a row of numbers (state.ts `asyncRows`) and its handle is the row's
 * index. A row starts with the span's id (0 marks a free row); the enum gives the other fields'
 * offsets from it. `outcome` is the kind its end record will carry.
 */
export const enum Row { site = 1, parent = 2, depth = 3, outcome = 4, flags = 5, size = 6 }

export const enum RowFlag {
  /** Its end waits for a returned promise. */
  settling = 1,
  /** The function made that promise with `then`/`catch` or `new Promise`, whose handlers end it (chain.ts). */
  chained = 2,
  /** The promise the function made settled before it returned: the span ends at the return. */
  presettled = 4,
  /** The promise the function made follows a foreign thenable: the settlement observer ends it. */
  observed = 8,
}

/**
 * Thread-span tokens (`begin` returns one, `end` takes it back) and async-span handles share
 * one "not recorded" value; below it are encodings of their own (see Token and StandIn).
 */
export const enum Handle { notRecorded = -1 }

/** The one "not recorded" value, for code outside this package (generated code compares to it). */
export const NOT_RECORDED: number = Handle.notRecorded;

/**
 * A recorded thread span's token is `depth * sites + site`: its site, and the thread's depth of
 * open spans at its begin, so `end` can tell whether spans begun inside it never ended. Tokens
 * of depth below 1024 are Smis, for bit operations; `depthShift` reads the depth of those.
 */
export const enum Token {
  sites = 2097152, // 2^21
  siteMask = 2097151,
  depthShift = 21,
  /** The largest token of `end`'s common path (2^31 - 1). */
  common = 2147483647,
  /**
   * Added to the token of a demoted site's recorded outermost call: past the Smi range, so its
   * `end` takes the unusual path, and a multiple of `sites`, so the site reads as before.
   */
  outermost = 4503599627370496, // 2^52
}

/** The site a token names. */
export function siteOf(token: number): number {
  return token <= Token.common ? token & Token.siteMask : token % Token.sites;
}

/** `begin`'s token for a call of demoted site `site`: below "not recorded", and reversible. */
export function demotedToken(site: number): number {
  return -2 - site;
}

/**
 * Levels a site's level byte (state.ts `levels`) can hold beyond the real ones (levels.ts, 1-5):
 * above every maximum level, so `begin` refuses them on its usual test.
 */
export const enum ReservedLevel {
  /** A site registered past what a token can name (Token.sites): never recorded. */
  beyondTokens = 254,
  /** A hot, tiny site that counts its calls instead of recording them (demote.ts). */
  demoted = 255,
}

/**
 * A site's gate byte (gates.ts), which code from earlier plugins reads: `gates[i] === 0 ?
 * beginGated(site) : gates[i] === 1 ? (calls[i]++, -1) : gates[i] === 3 ? beginOutermost(site) :
 * -1`. Such code is in caches and published bundles, so these numbers never change.
 */
export const enum Gate {
  open = 0,
  count = 1,
  shut = 2,
  outermost = 3,
}

/**
 * A site's word: the module-level variable generated code keeps per synchronous site and reads
 * before anything else (codegen.ts `wordBegin`): `w >= 0 ? (++w, -1) : (t = beginWord(site))
 * === -2 ? (w = 0, -1) : t`. A variable costs a load where a typed array costs an inline cache,
 * which is most of a call's cost in code V8 has not optimized yet. At `ask` the code asks
 * `beginWord`; from its answer `countFromNow` on, the word counts the calls itself (a demoted
 * site, whose count stays exact, or one that records nothing, whose count nobody reads). The
 * runtime reads the words, and sets them back to `ask`, through the function the module
 * registered (gates.ts). The plugin writes these numbers into every module, so they never change.
 */
export const enum Word {
  ask = -1,
  countFromNow = -2,
}

/**
 * Span ids are unique in a process: each thread takes ids from its own range, `threadId *
 * perThread` on, so a thread's ids minus its base fit in 32 bits.
 */
export const enum SpanIds { perThread = 4294967296 } // 2^32

/**
 * A stand-in (`adopt`) is an async-span handle below "not recorded" that carries the id and
 * depth of the span it stands for: `-2 - ((id - base) * depths + depth)`, where `base` is the
 * thread's first span id. Ids are taken relative to the base, so they fit in 32 bits on every
 * thread and the whole stays an exact integer; depths are clamped.
 */
export const enum StandIn { depths = 65536, maxDepth = 65535 }

export function standIn(base: number, id: number, depth: number): number {
  return -2 - ((id - base) * StandIn.depths + Math.min(depth, StandIn.maxDepth));
}

export function standInId(base: number, handle: number): number {
  return base + Math.floor((-2 - handle) / StandIn.depths);
}

export function standInDepth(handle: number): number {
  return (-2 - handle) % StandIn.depths;
}

/**
 * The source of the matmul worker, run with `new Worker(WORKER_SOURCE, { eval: true })` so it
 * loads the same way under plain Node, tsx and vitest (no file to resolve next to a
 * transpiled module). It is a CommonJS script: `require` is available, `import` is not.
 *
 * The worker instantiates the shared-memory kernel build over the one shared
 * `WebAssembly.Memory`, then serves commands posted in its control slot (see `SLOT` in
 * ./index.ts): it waits for SEQ to change, runs the command, stores SEQ into DONE and
 * notifies. It never touches JavaScript views of the operands; all data moves through wasm
 * memory, so the main thread may grow the memory between commands.
 */

/** Bit fields of the matmul command's flags argument. */
export const FLAG = { TRANS_A: 1, TRANS_B: 2, ACCUMULATE: 4, ACT_SHIFT: 3 } as const;

/** Int32 indices inside one 64-byte control slot. */
export const SLOT = {
  /** Bumped by the main thread to post a command. */
  SEQ: 0,
  /** Set by the worker to SEQ when the command is finished. */
  DONE: 1,
  /** 0 ok, 1 the command threw (a wasm trap). */
  STATUS: 2,
  /** 1 matmul, 2 quit. */
  OP: 3,
  /**
   * matmul arguments (indices 4..12): c, a, b, m, k, n, flags, scratch, bias. flags: bit 0
   * transA, bit 1 transB, bit 2 accumulate, bits 3.. the activation code (see `WasmActivation`).
   */
  ARGS: 4,
  /** 1 once the worker has instantiated the module, -1 if it could not. */
  READY: 13,
} as const;

export const OP_MATMUL = 1;
export const OP_QUIT = 2;
/** Bytes per control slot: one cache line, so slots of different threads never share one. */
export const SLOT_BYTES = 64;

/** Loads before a worker falls back to Atomics.wait (keeps wake-up latency low in a burst of calls). */
const SPIN = 20000;

export const WORKER_SOURCE = `'use strict';
const { workerData } = require('node:worker_threads');
const { module, memory, slot } = workerData;
const ctrl = new Int32Array(memory.buffer, slot, ${SLOT_BYTES / 4});
const SEQ = ${SLOT.SEQ}, DONE = ${SLOT.DONE}, STATUS = ${SLOT.STATUS}, OP = ${SLOT.OP}, A = ${SLOT.ARGS}, READY = ${SLOT.READY};
function serve() {
  let x;
  try {
    x = new WebAssembly.Instance(module, { env: { memory } }).exports;
  } catch (e) {
    Atomics.store(ctrl, READY, -1);
    Atomics.notify(ctrl, READY);
    return;
  }
  let seen = Atomics.load(ctrl, SEQ);
  Atomics.store(ctrl, READY, 1);
  Atomics.notify(ctrl, READY);
  for (;;) {
    let s = Atomics.load(ctrl, SEQ);
    for (let i = 0; s === seen && i < ${SPIN}; i++) s = Atomics.load(ctrl, SEQ);
    while (s === seen) {
      Atomics.wait(ctrl, SEQ, seen);
      s = Atomics.load(ctrl, SEQ);
    }
    seen = s;
    const op = ctrl[OP];
    let status = 0;
    if (op === ${OP_MATMUL}) {
      try {
        const f = ctrl[A + 6];
        x.matmul(ctrl[A], ctrl[A + 1], ctrl[A + 2], ctrl[A + 3], ctrl[A + 4], ctrl[A + 5],
          f & ${FLAG.TRANS_A} ? 1 : 0, f & ${FLAG.TRANS_B} ? 1 : 0, ctrl[A + 7], ctrl[A + 8], f >> ${FLAG.ACT_SHIFT},
          f & ${FLAG.ACCUMULATE} ? 1 : 0);
      } catch (e) {
        status = 1;
      }
    }
    ctrl[STATUS] = status;
    Atomics.store(ctrl, DONE, s);
    Atomics.notify(ctrl, DONE);
    if (op === ${OP_QUIT}) return;
  }
}
serve();
`;

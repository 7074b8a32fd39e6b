/**
 * State dicts: a module's parameters and persistent buffers by dotted name, collected in
 * either layout and loaded back with every check made before anything is written.
 */
import { Tensor } from '../autograd/tensor.js';
import { fmt, sameShape } from '../autograd/shape.js';
import { allocate, permute } from '../autograd/backend/index.js';

/**
 * The naming and layout of a state: `'tensorgrad'` (this library's own: `Linear` weights
 * `[in, out]`, an `MLP`'s layers as `layers.<i>`) or `'pytorch'` (the equivalent PyTorch
 * module's, so `torch`'s `load_state_dict` accepts it: `nn.Linear` weights `[out, in]`, an
 * `MLP`'s layers numbered as in `nn.Sequential`).
 */
export type StateLayout = 'tensorgrad' | 'pytorch';

/** The layouts, for checking user input. */
export const STATE_LAYOUTS: readonly StateLayout[] = ['tensorgrad', 'pytorch'];

/** A module's state: tensors by dotted name, in PyTorch's order. */
export type StateDict = Map<string, Tensor>;

/** What `loadStateDict` accepts: a `Map` (as `stateDict()` and `decodeSafetensors` give), a record, or `[name, tensor]` pairs. */
export type StateDictInput = ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>> | Iterable<readonly [string, Tensor]>;

/** Options of `stateDict`. */
export interface StateDictOptions {
  /** The names and layout to give (default `'tensorgrad'`). */
  layout?: StateLayout;
}

/** Options of `loadStateDict`. */
export interface LoadStateOptions {
  /** The names and layout of the given state (default `'tensorgrad'`). */
  layout?: StateLayout;
  /**
   * Demand exactly the module's keys, each with the module's dtype (default true). Shapes
   * are checked either way.
   */
  strict?: boolean;
}

/** What `loadStateDict` did not match (empty lists under `strict`, which fails instead). */
export interface LoadStateResult {
  /** The module's keys the state had no value for (those tensors were left as they were). */
  missingKeys: string[];
  /** The state's keys the module has no tensor for (ignored). */
  unexpectedKeys: string[];
}

/** @internal One tensor of a module's state: its key in the chosen layout, and the permutation from our axes to that layout's (null: same). */
export interface StateSlot {
  key: string;
  tensor: Tensor;
  perm: readonly number[] | null;
}

/** Checks a layout option, naming the operation. */
export function checkLayout(op: string, layout: unknown): StateLayout {
  if (layout === undefined) return 'tensorgrad';
  if (!STATE_LAYOUTS.includes(layout as StateLayout)) {
    throw new Error(`${op}: layout must be one of ${STATE_LAYOUTS.map((l) => `'${l}'`).join(', ')}, got ${JSON.stringify(layout)}`);
  }
  return layout as StateLayout;
}

/** @internal The state of `slots`: views sharing memory where the layout is ours, permuted copies otherwise. */
export function collectState(slots: readonly StateSlot[], opts: StateDictOptions): StateDict {
  checkLayout('stateDict', opts.layout);
  const out: StateDict = new Map();
  for (const { key, tensor: t, perm } of slots) {
    if (out.has(key)) throw new Error(`stateDict: two tensors are named '${key}'`);
    if (perm === null) {
      out.set(key, new Tensor(t.data, t.shape));
    } else {
      const shape = perm.map((a) => t.shape[a]);
      const data = allocate(t.dtype, t.size);
      permute(data, t.data, t.shape, perm);
      out.set(key, new Tensor(data, shape));
    }
  }
  return out;
}

function toMap(op: string, state: StateDictInput): Map<string, Tensor> {
  if (state === null || typeof state !== 'object') {
    throw new Error(`${op}: expected a state dict (a Map of name → Tensor, a record or [name, tensor] pairs), got ${String(state)}`);
  }
  const entries: Iterable<readonly [string, Tensor]> =
    Symbol.iterator in state ? (state as Iterable<readonly [string, Tensor]>) : Object.entries(state as Record<string, Tensor>);
  const map = new Map<string, Tensor>();
  for (const entry of entries) {
    if (!Array.isArray(entry) || entry.length !== 2) throw new Error(`${op}: a state dict's entries must be [name, tensor] pairs`);
    const [k, v] = entry as [unknown, unknown];
    if (typeof k !== 'string') throw new Error(`${op}: state dict key ${String(k)} is not a string`);
    if (!(v instanceof Tensor)) throw new Error(`${op}: the value of '${k}' is not a Tensor`);
    map.set(k, v);
  }
  return map;
}

/** @internal Loads `state` into `slots` (see `Module.loadStateDict`): checks all, then writes all. */
export function loadState(op: string, slots: readonly StateSlot[], state: StateDictInput, opts: LoadStateOptions): LoadStateResult {
  const layout = checkLayout(op, opts.layout);
  const strict = opts.strict ?? true;
  const given = toMap(op, state);
  const known = new Set(slots.map((s) => s.key));
  const missingKeys = slots.filter((s) => !given.has(s.key)).map((s) => s.key);
  const unexpectedKeys = [...given.keys()].filter((k) => !known.has(k));

  for (const { key, tensor: t, perm } of slots) {
    const v = given.get(key);
    if (v === undefined) continue;
    const want = perm === null ? t.shape : perm.map((a) => t.shape[a]);
    if (!sameShape(v.shape, want)) {
      const other = perm === null ? null : t.shape;
      const hint =
        other !== null && sameShape(v.shape, other)
          ? ` (that is the 'tensorgrad' layout's shape: load it with layout 'tensorgrad')`
          : perm === null && t.ndim === 2 && sameShape(v.shape, [t.shape[1], t.shape[0]]) && layout === 'tensorgrad'
            ? ` (transposed: if the state is in PyTorch's layout, load it with { layout: 'pytorch' })`
            : '';
      throw new Error(`${op}: '${key}' has shape ${fmt(want)} in the module but ${fmt(v.shape)} in the state${hint}; nothing was loaded`);
    }
    if (strict && v.dtype !== t.dtype) {
      throw new Error(
        `${op}: '${key}' is ${t.dtype} in the module but ${v.dtype} in the state; nothing was loaded (pass { strict: false } to convert)`,
      );
    }
  }
  if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
    const parts: string[] = [];
    if (missingKeys.length > 0) parts.push(`missing key${missingKeys.length === 1 ? '' : 's'} ${missingKeys.map((k) => `'${k}'`).join(', ')}`);
    if (unexpectedKeys.length > 0)
      parts.push(`unexpected key${unexpectedKeys.length === 1 ? '' : 's'} ${unexpectedKeys.map((k) => `'${k}'`).join(', ')}`);
    const hint =
      layout === 'tensorgrad' && slots.length > 0 && missingKeys.length === slots.length && unexpectedKeys.length > 0
        ? `; if the state is in PyTorch's layout, load it with { layout: 'pytorch' }`
        : '';
    throw new Error(`${op}: ${parts.join('; ')}${hint}; nothing was loaded (pass { strict: false } to load the keys that match)`);
  }

  for (const { key, tensor: t, perm } of slots) {
    const v = given.get(key);
    if (v === undefined) continue;
    if (perm === null) {
      if (v.data !== t.data) t.data.set(v.data);
    } else {
      // Back from the state's layout to ours: the inverse permutation, from a private copy
      // (the state could share memory with the module).
      const inverse = new Array<number>(perm.length);
      perm.forEach((a, i) => (inverse[a] = i));
      permute(t.data, v.data.slice(), v.shape, inverse);
    }
  }
  return { missingKeys, unexpectedKeys };
}

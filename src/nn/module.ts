import type { Tensor } from '../autograd/tensor.js';
import { fmt, sameShape } from '../autograd/shape.js';
import { zeroGrads } from '../autograd/engine.js';
import {
  collectState,
  loadState,
  type LoadStateOptions,
  type LoadStateResult,
  type StateDict,
  type StateDictInput,
  type StateDictOptions,
  type StateSlot,
} from './state-dict.js';

/**
 * Base class of layers and models: holds named parameters, buffers and child modules, so a
 * model's parameters include its children's, under stable dotted names (`layers.0.weight`).
 *
 * A module is in training mode when made; `eval()` switches it and all its children to
 * evaluation mode (BatchNorm then uses its running statistics), `train()` back.
 *
 * @example
 * ```ts
 * import { nn, Tensor } from 'tensorgrad';
 * class TwoLayer extends nn.Module {
 *   l1 = this.registerModule('l1', new nn.Linear(4, 8, { seed: 1 }));
 *   l2 = this.registerModule('l2', new nn.Linear(8, 1, { seed: 2 }));
 *   forward(x: Tensor): Tensor { return this.l2.forward(this.l1.forward(x).tanh()); }
 * }
 * const net = new TwoLayer();
 * net.namedParameters().map(([name]) => name); // ['l1.weight', 'l1.bias', 'l2.weight', 'l2.bias']
 * net.eval().training;                          // false
 * [...net.stateDict().keys()];                  // the same four names
 * ```
 */
export abstract class Module {
  private readonly ownParameters = new Map<string, Tensor>();
  private readonly ownBuffers = new Map<string, { t: Tensor; persistent: boolean }>();
  private readonly children = new Map<string, Module>();
  private isTraining = true;

  /** Computes the module's output for input `x`. */
  abstract forward(x: Tensor): Tensor;

  /** Registers `t` as a trainable parameter (sets `requiresGrad`) and returns it. */
  protected registerParameter(name: string, t: Tensor): Tensor {
    this.checkNewName('registerParameter', name);
    t.requiresGrad = true;
    this.ownParameters.set(name, t);
    return t;
  }

  /**
   * Registers `t` as a buffer: state that is not trained (no gradient, not in `parameters()`)
   * but belongs to the module, such as BatchNorm's running statistics. A persistent buffer
   * (the default) is part of `stateDict()`, so it is saved and loaded with the parameters.
   */
  protected registerBuffer(name: string, t: Tensor, opts: { persistent?: boolean } = {}): Tensor {
    this.checkNewName('registerBuffer', name);
    t.requiresGrad = false;
    this.ownBuffers.set(name, { t, persistent: opts.persistent ?? true });
    return t;
  }

  /**
   * Registers a child module (its parameters become this module's, prefixed by `name.`).
   * The child keeps its own mode, as in PyTorch, until this module's next `train()` / `eval()`.
   */
  protected registerModule<M extends Module>(name: string, m: M): M {
    this.checkNewName('registerModule', name);
    this.children.set(name, m);
    return m;
  }

  private checkNewName(op: string, name: string): void {
    if (typeof name !== 'string' || name.length === 0 || name.startsWith('.') || name.endsWith('.')) {
      throw new Error(`${this.constructor.name}.${op}: name must be a non-empty string not starting or ending with '.', got ${JSON.stringify(name)}`);
    }
    if (this.ownParameters.has(name) || this.ownBuffers.has(name) || this.children.has(name)) {
      throw new Error(`${this.constructor.name}.${op}: the name '${name}' is already taken by a parameter, buffer or child module`);
    }
  }

  /** Whether the module is in training mode (true from construction until `eval()`). */
  get training(): boolean {
    return this.isTraining;
  }

  /**
   * Sets training mode (`mode = true`, the default) or evaluation mode on this module and every
   * module inside it, as PyTorch's `module.train(mode)`; returns the module.
   */
  train(mode = true): this {
    this.isTraining = mode;
    for (const m of this.children.values()) m.train(mode);
    return this;
  }

  /** Evaluation mode for this module and every module inside it (`train(false)`); returns the module. */
  eval(): this {
    return this.train(false);
  }

  /** The direct child modules with their names, in registration order. */
  namedChildren(): [string, Module][] {
    return [...this.children];
  }

  /** This module (named `prefix`, '' at the top) and every module inside it, depth first, with dotted names. */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, m] of this.children) out.push(...m.namedModules(prefix === '' ? name : `${prefix}.${name}`));
    return out;
  }

  /** Parameters with dotted names, in registration order (own first, then children's). */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [name, t] of this.ownParameters) out.push([prefix + name, t]);
    for (const [name, m] of this.children) out.push(...m.namedParameters(`${prefix}${name}.`));
    return out;
  }

  /** Every trainable parameter, children's included. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Buffers with dotted names (own first, then children's); non-persistent ones included. */
  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [name, b] of this.ownBuffers) out.push([prefix + name, b.t]);
    for (const [name, m] of this.children) out.push(...m.namedBuffers(`${prefix}${name}.`));
    return out;
  }

  /** Every buffer, children's included. */
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, t]) => t);
  }

  /**
   * Zeroes every parameter's `.grad` in place, keeping its buffer (PyTorch's
   * `zero_grad(set_to_none=False)`), so the next backward() adds the new gradients straight
   * into it instead of allocating: a tensor you kept from `.grad` reads zeros afterwards
   * (copy it with `clone()` to keep the values). `{ setToNone: true }` sets `.grad` to null
   * instead, freeing the buffers.
   */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    zeroGrads(this.parameters(), opts.setToNone ?? false);
  }

  /**
   * The module's state: every parameter and persistent buffer by dotted name, in PyTorch's
   * order (per module: parameters, then buffers, then the children's).
   *
   * In the default layout the values share memory with the module (as PyTorch's
   * `state_dict()`): `clone()` one to keep a snapshot. With `{ layout: 'pytorch' }` the names
   * and layouts are those of the equivalent PyTorch module (`nn.Linear` weights transposed to
   * `[out, in]`, an `MLP`'s layers numbered as in `nn.Sequential`, see `MLP`); the
   * transposed weights are copies, the other values share memory as before.
   *
   * @example
   * ```ts
   * import { nn } from 'tensorgrad';
   * const net = new nn.MLP([3, 4, 2]);
   * [...net.stateDict().keys()];                        // ['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias']
   * net.stateDict({ layout: 'pytorch' }).get('0.weight')?.shape; // [4, 3]
   * ```
   */
  stateDict(opts: StateDictOptions = {}): StateDict {
    return collectState(this.stateSlots(opts.layout === 'pytorch'), opts);
  }

  /**
   * Copies a state (as `stateDict()` gives, or `decodeSafetensors(...).tensors`) into the
   * module's parameters and buffers, in place. Every value is checked before anything is
   * changed: a shape mismatch always fails, naming the key and both shapes; with `strict`
   * (the default) so do a dtype mismatch and any missing or unexpected key (all listed).
   * Without `strict`, keys are matched where they can be, values converted to the
   * module's dtypes, and the keys left out are reported in the result.
   *
   * @example
   * ```ts
   * import { nn } from 'tensorgrad';
   * const a = new nn.MLP([3, 4, 2], { seed: 1 }), b = new nn.MLP([3, 4, 2], { seed: 2 });
   * b.loadStateDict(a.stateDict());  // b now computes what a does
   * b.loadStateDict(a.stateDict({ layout: 'pytorch' }), { layout: 'pytorch' }); // the same, from PyTorch's names
   * ```
   */
  loadStateDict(state: StateDictInput, opts: LoadStateOptions = {}): LoadStateResult {
    return loadState(`${this.constructor.name}.loadStateDict`, this.stateSlots(opts.layout === 'pytorch'), state, opts);
  }

  /** The state entries of this module and its children, named (and laid out) for the chosen layout. */
  private stateSlots(pytorch: boolean, prefix = ''): StateSlot[] {
    const out: StateSlot[] = [];
    const own: [string, Tensor][] = [...this.ownParameters];
    for (const [name, b] of this.ownBuffers) if (b.persistent) own.push([name, b.t]);
    for (const [name, t] of own) {
      const perm = pytorch ? this.pytorchPermutation(name) : null;
      out.push({ key: prefix + name, tensor: t, perm });
    }
    for (const [name, m] of this.children) {
      out.push(...m.stateSlots(pytorch, `${prefix}${pytorch ? this.pytorchChildName(name) : name}.`));
    }
    return out;
  }

  /**
   * How PyTorch's equivalent module lays out the tensor `name` of this module: the axis
   * permutation from ours to PyTorch's, or null when they are the same (the default).
   * `Linear` overrides it: its weight is `[in, out]` here and `[out, in]` in PyTorch.
   */
  protected pytorchPermutation(_name: string): readonly number[] | null {
    return null;
  }

  /** The name PyTorch's equivalent module gives the child `name` (default: the same). */
  protected pytorchChildName(name: string): string {
    return name;
  }

  /**
   * Copies values into the parameters by name (as saved by `namedParameters`). Every
   * parameter must be given, with its shape; nothing is changed if one is missing or wrong.
   */
  loadNamedParameters(values: Iterable<[string, Tensor]>): void {
    const given = new Map(values);
    const mine = this.namedParameters();
    for (const [name, p] of mine) {
      const v = given.get(name);
      if (v === undefined) throw new Error(`loadNamedParameters: no value for parameter '${name}' (shape ${fmt(p.shape)})`);
      if (!sameShape(v.shape, p.shape)) {
        throw new Error(`loadNamedParameters: parameter '${name}' has shape ${fmt(p.shape)} but the value has shape ${fmt(v.shape)}`);
      }
    }
    const known = new Set(mine.map(([n]) => n));
    for (const name of given.keys()) {
      if (!known.has(name)) throw new Error(`loadNamedParameters: unexpected parameter '${name}'`);
    }
    for (const [name, p] of mine) p.data.set(given.get(name)!.data);
  }

  /**
   * A readable description of the module and its children, one line per module, as PyTorch's
   * module repr: `String(model)`.
   *
   * @example
   * ```ts
   * import { nn } from 'tensorgrad';
   * String(new nn.MLP([784, 30, 10]));
   * // MLP(activation=sigmoid, outputActivation=sigmoid,
   * //   (layers.0): Linear(inFeatures=784, outFeatures=30, weight=[784, 30] float32, bias=[30] float32)
   * //   (layers.1): Linear(inFeatures=30, outFeatures=10, weight=[30, 10] float32, bias=[10] float32)
   * // )
   * ```
   */
  toString(): string {
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (this.children.size === 0) return `${head})`;
    const lines = [...this.children].map(([name, m]) => `  (${name}): ${String(m).replace(/\n/g, '\n  ')}`);
    return `${head}${this.extraRepr() === '' ? '' : ','}\n${lines.join('\n')}\n)`;
  }

  /**
   * The settings shown inside the parentheses by `toString()`: by default the module's own
   * number, string and boolean fields (not the base class's own state) and its own parameters'
   * shapes and dtypes. Override it to show something else.
   */
  protected extraRepr(): string {
    const parts: string[] = [];
    const base = moduleBaseKeys();
    for (const [key, v] of Object.entries(this)) {
      if (base.has(key) || key.startsWith('_')) continue;
      if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') parts.push(`${key}=${String(v)}`);
    }
    for (const [name, t] of this.ownParameters) parts.push(`${name}=[${t.shape.join(', ')}] ${t.dtype}`);
    return parts.join(', ');
  }
}

/** The fields every module has (the base class's own state), which `extraRepr` leaves out. */
let baseKeys: Set<string> | null = null;
function moduleBaseKeys(): Set<string> {
  if (baseKeys === null) {
    class Bare extends Module {
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    baseKeys = new Set(Object.keys(new Bare()));
  }
  return baseKeys;
}

import { Tensor } from '../autograd/tensor.js';
import { fmt, sameShape } from '../autograd/shape.js';
import { zeroGrads } from '../autograd/engine.js';

/**
 * Base class of layers and models: holds named parameters and child modules, so a model's
 * parameters include its children's, under stable dotted names (`layers.0.weight`).
 *
 * @example
 * ```ts
 * import { nn, Tensor } from 'tensorgrad';
 * class TwoLayer extends nn.Module {
 *   l1 = this.registerModule('l1', new nn.Linear(4, 8, { seed: 1 }));
 *   l2 = this.registerModule('l2', new nn.Linear(8, 1, { seed: 2 }));
 *   forward(x: Tensor): Tensor { return this.l2.forward(this.l1.forward(x).tanh()); }
 * }
 * new TwoLayer().namedParameters().map(([name]) => name); // ['l1.weight', 'l1.bias', 'l2.weight', 'l2.bias']
 * ```
 */
export abstract class Module {
  private readonly ownParameters = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  /** Computes the module's output for input `x`. */
  abstract forward(x: Tensor): Tensor;

  /** Registers `t` as a trainable parameter (sets `requiresGrad`) and returns it. */
  protected registerParameter(name: string, t: Tensor): Tensor {
    t.requiresGrad = true;
    this.ownParameters.set(name, t);
    return t;
  }

  /** Registers a child module (its parameters become this module's, prefixed by `name.`). */
  protected registerModule<M extends Module>(name: string, m: M): M {
    this.children.set(name, m);
    return m;
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

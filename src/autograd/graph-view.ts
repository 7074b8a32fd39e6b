/**
 * Reading the recorded graph: `gradFn` (the op that made a tensor, PyTorch's `grad_fn`) and
 * `toDot` (the whole graph behind a Tensor or a Value as Graphviz DOT).
 */
import { Tensor } from './tensor.js';
import { Value } from './value.js';
import { fmt } from './shape.js';

/** The recorded op that made a tensor: its name and the tensors it read. */
export interface GradFn {
  /** The op's name (`'mul'`, `'matmul'`, a `defineOp` name, …). */
  readonly op: string;
  /** The tensors it read, in order; empty once a `backward()` has freed the graph. */
  readonly inputs: readonly Tensor[];
  /** Whether its derivative rule is still there (false after a `backward()` without `retainGraph`). */
  readonly live: boolean;
}

/**
 * The op that made `t`, if it was recorded (PyTorch's `t.grad_fn`); null for a leaf, a tensor
 * made under `noGrad`, or one computed only from tensors that need no gradient.
 *
 * @example
 * ```ts
 * import { gradFn, tensor } from 'tensorgrad';
 * const x = tensor([1, 2], { requiresGrad: true });
 * const y = x.mul(3);
 * gradFn(y)?.op;                   // 'mul'
 * gradFn(y)?.inputs[0] === x;      // true
 * gradFn(x);                       // null (a leaf)
 * ```
 */
export function gradFn(t: Tensor): GradFn | null {
  if (!(t instanceof Tensor)) throw new Error('gradFn: expected a Tensor');
  const node = t._node;
  return node === null ? null : { op: node.op, inputs: node.inputs, live: node.backward !== null };
}

/**
 * The graph recorded behind `root` as Graphviz DOT text (render with `dot -Tsvg`): one box
 * per tensor, labelled with the op that made it (or its label, for a leaf), its shape and
 * dtype; leaves that require gradients are filled, constants are grey, and an edge runs from
 * each input to the op's output. For a `Value`: one node per value with its op, data and grad.
 *
 * @example
 * ```ts
 * import { toDot, tensor } from 'tensorgrad';
 * const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * w.label = 'w';
 * const dot = toDot(w.matmul(tensor([1, 1])).tanh().sum());
 * // digraph tensorgrad { … "sum\n[] float32" … "w\n[2,2] float32 · requiresGrad" … }
 * ```
 */
export function toDot(root: Tensor | Value): string {
  if (root instanceof Tensor) return tensorDot(root);
  if (root instanceof Value) return valueDot(root);
  throw new Error('toDot: expected a Tensor or a Value');
}

const HEADER = ['digraph tensorgrad {', '  rankdir=LR;', '  node [shape=box, fontname="Helvetica", fontsize=10];'];

function tensorDot(root: Tensor): string {
  const lines = [...HEADER];
  const ids = new Map<Tensor, string>();
  const id = (t: Tensor): string => {
    let s = ids.get(t);
    if (s === undefined) {
      s = `t${ids.size}`;
      ids.set(t, s);
      stack.push(t);
    }
    return s;
  };
  const stack: Tensor[] = [];
  id(root);
  // Iterative: graphs may be deep.
  while (stack.length > 0) {
    const t = stack.pop() as Tensor;
    const me = ids.get(t) as string;
    const node = t._node;
    const head = node !== null ? (node.backward === null ? `${node.op} (freed)` : node.op) : (t.label ?? (t.requiresGrad ? 'leaf' : 'constant'));
    const tail = `${fmt(t.shape)} ${t.dtype}${node === null && t.requiresGrad ? ' · requiresGrad' : ''}`;
    const name = node !== null && t.label ? `${t.label} = ` : '';
    const style = node !== null ? '' : t.requiresGrad ? ', style=filled, fillcolor="#cfe8ff"' : ', color="#999999", fontcolor="#666666"';
    lines.push(`  ${me} [label=${quote(`${name}${head}\n${tail}`)}${style}];`);
    if (node !== null) node.inputs.forEach((x, i) => lines.push(`  ${id(x)} -> ${me}${node.inputs.length > 1 ? ` [label="${i}"]` : ''};`));
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

function valueDot(root: Value): string {
  const lines = [...HEADER];
  // Keyed by node, not handle: `_a`/`_b` make a new handle for a parent each time.
  const ids = new Map<number, string>();
  const stack: Value[] = [];
  const id = (v: Value): string => {
    let s = ids.get(v._id);
    if (s === undefined) {
      s = `v${ids.size}`;
      ids.set(v._id, s);
      stack.push(v);
    }
    return s;
  };
  id(root);
  while (stack.length > 0) {
    const v = stack.pop() as Value;
    const me = ids.get(v._id) as string;
    const op = v.op;
    const head = [v.label, op].filter((s) => s !== '').join(' = ') || 'leaf';
    const style = op === '' ? ', style=filled, fillcolor="#cfe8ff"' : '';
    lines.push(`  ${me} [label=${quote(`${head}\ndata ${num(v.data)} · grad ${num(v.grad)}`)}${style}];`);
    const parents = [v._a, v._b].filter((p): p is Value => p !== null);
    parents.forEach((p, i) => lines.push(`  ${id(p)} -> ${me}${parents.length > 1 ? ` [label="${i}"]` : ''};`));
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

function num(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(6);
}

/** A DOT string literal (newlines as \n). */
function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

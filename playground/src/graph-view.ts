/**
 * The computation graph of a scalar `Value`, laid out left to right (inputs on the left, the
 * result on the right) and drawn as SVG: one box per node with its op, value and gradient.
 * The graph is read through the nodes' parent links `_a` / `_b` (the library's internal
 * accessors; its public `toDot` gives the same graph as Graphviz text). They make a new handle
 * at each call, so nodes are told apart by `_id`, not by object identity.
 */
import type { Value } from '../../src/core.js';

/** A node of the drawn graph. */
export interface GraphNode {
  value: Value;
  /** The variable name for an input, the number for a constant, else the op. */
  title: string;
  kind: 'input' | 'constant' | 'op';
  /** Longest path from an input: the node's column. */
  layer: number;
  /** Position within its column. */
  row: number;
  parents: GraphNode[];
}

/** Formats a number in at most 6 significant digits, without trailing zeros. */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const s = Math.abs(x) >= 1e-4 && Math.abs(x) < 1e6 ? String(Number(x.toPrecision(6))) : x.toExponential(3);
  return s.replace('-', '−');
}

/**
 * The nodes of `root`'s graph, each once (a value used twice is one node with two edges out),
 * with columns and rows assigned. Iterative, so deep graphs do not overflow the stack.
 */
export function layoutGraph(root: Value): GraphNode[] {
  const nodes = new Map<number, GraphNode>();
  const order: GraphNode[] = [];
  // Post-order walk: a node is finished once both its parents are.
  const stack: { v: Value; expanded: boolean }[] = [{ v: root, expanded: false }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (nodes.has(top.v._id)) {
      stack.pop();
      continue;
    }
    const inputs = [top.v._a, top.v._b].filter((x): x is Value => x !== null);
    if (!top.expanded) {
      top.expanded = true;
      // Reversed, so that `_a` comes off the stack first: inputs keep their order of first use.
      for (let k = inputs.length - 1; k >= 0; k--) if (!nodes.has(inputs[k]._id)) stack.push({ v: inputs[k], expanded: false });
      continue;
    }
    stack.pop();
    const parents = inputs.map((p) => nodes.get(p._id)!);
    const leaf = parents.length === 0;
    const node: GraphNode = {
      value: top.v,
      title: leaf ? top.v.label || formatNumber(top.v.data) : top.v.op,
      kind: leaf ? (top.v.label ? 'input' : 'constant') : 'op',
      layer: leaf ? 0 : 1 + Math.max(...parents.map((p) => p.layer)),
      row: 0,
      parents,
    };
    nodes.set(top.v._id, node);
    order.push(node);
  }
  // Rows: inputs in order of first use; other columns sorted by their parents' mean row, which
  // keeps most edges from crossing.
  const layers: GraphNode[][] = [];
  for (const n of order) {
    if (!layers[n.layer]) layers[n.layer] = [];
    layers[n.layer].push(n);
  }
  for (const column of layers) {
    if (!column) continue;
    const key = (n: GraphNode): number => (n.parents.length === 0 ? 0 : n.parents.reduce((s, p) => s + p.row, 0) / n.parents.length);
    if (column[0].layer > 0) column.sort((a, b) => key(a) - key(b));
    column.forEach((n, i) => {
      n.row = i;
    });
  }
  return order;
}

const SVG = 'http://www.w3.org/2000/svg';
const BOX_W = 132;
const BOX_H = 58;
const COL = 178;
const ROW = 74;
const PAD = 8;

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * An SVG drawing of `root`'s graph after `backward()`. Every node is a `<g>` with
 * `data-title`, `data-value` and `data-grad` attributes (for tests and tools) and a
 * `<title>` that screen readers announce.
 */
export function renderGraph(root: Value): SVGSVGElement {
  const nodes = layoutGraph(root);
  const columns = 1 + Math.max(...nodes.map((n) => n.layer));
  const rowsIn = new Array<number>(columns).fill(0);
  for (const n of nodes) rowsIn[n.layer] = Math.max(rowsIn[n.layer], n.row + 1);
  const maxRows = Math.max(...rowsIn);
  const width = PAD * 2 + (columns - 1) * COL + BOX_W;
  const height = PAD * 2 + (maxRows - 1) * ROW + BOX_H;
  // Centre each column vertically.
  const x = (n: GraphNode): number => PAD + n.layer * COL;
  const y = (n: GraphNode): number => PAD + n.row * ROW + ((maxRows - rowsIn[n.layer]) * ROW) / 2;

  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', class: 'graph-svg' });
  svg.append(el('title', {}, `Computation graph of ${nodes.length} nodes; result ${formatNumber(root.data)}`));
  const edges = el('g', { class: 'edges' });
  for (const n of nodes) {
    for (const p of n.parents) {
      const x1 = x(p) + BOX_W,
        y1 = y(p) + BOX_H / 2,
        x2 = x(n),
        y2 = y(n) + BOX_H / 2;
      const mid = (x1 + x2) / 2;
      edges.append(el('path', { d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2 - 4},${y2}`, 'marker-end': 'url(#arrow)' }));
    }
  }
  const defs = el('defs', {});
  const marker = el('marker', { id: 'arrow', viewBox: '0 0 8 8', refX: 4, refY: 4, markerWidth: 6, markerHeight: 6, orient: 'auto' });
  marker.append(el('path', { d: 'M0,0 L8,4 L0,8 z', class: 'arrow' }));
  defs.append(marker);
  svg.append(defs, edges);
  for (const n of nodes) {
    const g = el('g', {
      class: `node node-${n.kind}${n.value === root ? ' node-root' : ''}`,
      transform: `translate(${x(n)},${y(n)})`,
      'data-title': n.title,
      'data-value': n.value.data,
      'data-grad': n.value.grad,
    });
    const value = formatNumber(n.value.data),
      grad = formatNumber(n.value.grad);
    g.append(
      el('title', {}, `${n.kind === 'op' ? `op ${n.title}` : n.title}: value ${value}, gradient ${grad}`),
      el('rect', { width: BOX_W, height: BOX_H, rx: 6 }),
      el('text', { x: 8, y: 17, class: 'node-title' }, n.title),
      el('text', { x: 8, y: 34 }, `data ${value}`),
      el('text', { x: 8, y: 50, class: 'node-grad' }, `grad ${grad}`),
    );
    svg.append(g);
  }
  return svg;
}

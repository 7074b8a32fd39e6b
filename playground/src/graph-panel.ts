/**
 * The Graph panel: a typed expression, built in the scalar engine, back-propagated, and drawn
 * with each node's value and gradient; and gradient descent on a typed f(x, y).
 */
import { Value } from '../../src/core.js';
import { descend, drawDescent } from './descent.js';
import { byId } from './dom.js';
import { ExprError, parse, parseAssignments, variables, toValue } from './expr.js';
import { formatNumber, renderGraph } from './graph-view.js';

export class GraphPanel {
  constructor() {
    byId('expr-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.runGraph();
    });
    byId('gd-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.runDescent();
    });
    // Typing updates the picture as soon as the text parses; a half-typed expression keeps the last good graph.
    byId('expression').addEventListener('input', () => this.runGraph(true));
    byId('vars').addEventListener('input', () => this.runGraph(true));
    this.runGraph();
    this.runDescent();
  }

  runGraph(quiet = false): void {
    const error = byId('expr-error');
    try {
      const tree = parse(byId<HTMLInputElement>('expression').value);
      const values = parseAssignments(byId<HTMLInputElement>('vars').value);
      const leaves = new Map<string, Value>();
      for (const name of variables(tree)) {
        const v = values.get(name);
        if (v === undefined) throw new ExprError(`No value for '${name}': add ${name}=… to the variables`, 0);
        leaves.set(name, new Value(v, name));
      }
      const out = toValue(tree, leaves);
      out.backward();
      byId('graph').replaceChildren(renderGraph(out));
      const rows = [...leaves.values()].map((v) => {
        const tr = document.createElement('tr');
        for (const text of [v.label, formatNumber(v.data), formatNumber(v.grad)]) {
          const td = document.createElement('td');
          td.textContent = text;
          tr.append(td);
        }
        tr.dataset.variable = v.label;
        tr.dataset.grad = String(v.grad);
        return tr;
      });
      byId('grad-table').replaceChildren(...rows);
      error.textContent = '';
    } catch (e) {
      if (!(e instanceof ExprError)) throw e;
      // While typing, wait for the text to parse before complaining.
      if (!quiet) error.textContent = e.message;
    }
  }

  runDescent(): void {
    const error = byId('gd-error');
    const num = (id: string): number => Number(byId<HTMLInputElement>(id).value);
    try {
      const f = parse(byId<HTMLInputElement>('gd-f').value);
      const extra = variables(f).filter((n) => n !== 'x' && n !== 'y');
      if (extra.length > 0) throw new ExprError(`f may use only x and y, not ${extra.join(', ')}`, 0);
      const steps = Math.min(500, Math.max(1, Math.round(num('gd-steps'))));
      const path = descend(f, num('gd-x'), num('gd-y'), num('gd-lr'), steps);
      drawDescent(byId<HTMLCanvasElement>('gd-canvas'), f, path);
      const end = path[path.length - 1];
      byId('gd-summary').textContent = end
        ? `${path.length - 1} steps: f went from ${formatNumber(path[0].f)} at (${formatNumber(path[0].x)}, ${formatNumber(path[0].y)}) ` +
          `to ${formatNumber(end.f)} at (${formatNumber(end.x)}, ${formatNumber(end.y)}); gradient there (${formatNumber(end.dx)}, ${formatNumber(end.dy)}).`
        : 'f is not finite at the start point.';
      error.textContent = '';
    } catch (e) {
      if (!(e instanceof ExprError)) throw e;
      error.textContent = e.message;
    }
  }
}

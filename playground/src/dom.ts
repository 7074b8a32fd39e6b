/** Small DOM helpers shared by the panels. */

/** The element with id `id`, or an error naming it (a missing id is a bug in index.html). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`playground: no element #${id} in index.html`);
  return e as T;
}

/** `x` as a percentage with two decimals: 0.9012 → '90.12%'. */
export function percent(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

/** An integer with thousands separators. */
export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

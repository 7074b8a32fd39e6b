/** Checks a layer-size list: at least two positive integers. */
export function checkSizes(op: string, sizes: readonly number[]): number[] {
  if (!Array.isArray(sizes) || sizes.length < 2) {
    throw new Error(`${op}: sizes must list at least two layer sizes (inputs and outputs), got ${JSON.stringify(sizes)}`);
  }
  for (const n of sizes) {
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${op}: layer sizes must be positive integers, got ${JSON.stringify(sizes)}`);
  }
  return [...sizes];
}

/**
 * The number of weights and biases of an MLP with layer sizes N₁…N_k: Σᵢ Nᵢ·(Nᵢ₋₁ + 1)
 * (each neuron has one weight per input and one bias).
 *
 * @example
 * ```ts
 * import { nn } from 'tensorgrad';
 * nn.parameterCount([784, 30, 10]); // 23860 = 30·785 + 10·31
 * ```
 */
export function parameterCount(sizes: readonly number[]): number {
  const s = checkSizes('parameterCount', sizes);
  let n = 0;
  for (let i = 1; i < s.length; i++) n += s[i] * (s[i - 1] + 1);
  return n;
}

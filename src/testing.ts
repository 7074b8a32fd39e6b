/**
 * `tensorgrad/testing`: tools for checking the gradients of your own functions.
 *
 * Today it re-exports `gradcheck` (finite differences at given inputs); the property-based
 * `checkGradients` of the design (random values and shapes, shrinking) is added here when
 * it lands.
 *
 * @example
 * ```ts
 * import { tensor } from 'tensorgrad';
 * import { gradcheck } from 'tensorgrad/testing';
 * const x = tensor([0.5, -1, 2], { dtype: 'float64', requiresGrad: true });
 * const report = gradcheck((t) => t.tanh().sum(), [x]);
 * console.log(report.ok); // true
 * ```
 *
 * @module
 */
export { gradcheck, type GradcheckOptions, type GradcheckReport, type GradcheckWorst } from './autograd/index.js';

/**
 * `tensorgrad/testing`: tools for checking the gradients of your own functions.
 *
 * `checkGradients` searches random values (and shapes) for an input where your function's
 * gradient disagrees with finite differences and shrinks a failure to a minimal case;
 * `gradcheck` checks given inputs. fast-check (an optional peer dependency) powers the search.
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
export * from './testing/index.js';

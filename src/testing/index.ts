/**
 * `tensorgrad/testing`: property-based gradient checks for your own functions and ops —
 * `checkGradients` searches inputs with fast-check and shrinks a failure to a minimal case —
 * and the arbitraries tensorgrad's own tests use.
 *
 * fast-check is an optional peer dependency: install it (`npm i -D fast-check`) to use this
 * entry; the main `tensorgrad` entry never loads it.
 */
export {
  checkGradients,
  assertGradients,
  gradientMatchers,
  type CheckGradientsOptions,
  type CheckGradientsResult,
  type InputArg,
  type InputSpec,
  type MatcherResult,
} from './check-gradients.js';
export {
  shapeArb,
  dimArb,
  squashArb,
  broadcastPairArb,
  broadcastTensorsArb,
  realArb,
  awayFromZeroArb,
  domains,
  valuesArb,
  tensorArb,
  sizeOf,
} from './arbitraries.js';

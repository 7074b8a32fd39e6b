export {
  Optimizer,
  OPTIMIZER_NAMES,
  type OptimizerName,
  type OptimizerState,
  type GroupHyperparameters,
  type ParamGroup,
  type ParamGroupSpec,
  type ParamsArgument,
} from './optimizer.js';
export { SGD, type SGDOptions, type SGDHyperparameters } from './sgd.js';
export { Adam, AdamW, type AdamOptions, type AdamHyperparameters } from './adam.js';
export { clipGradNorm, type ClipGradNormOptions } from './clip.js';
export { LRScheduler, stepDecay, cosineDecay, SCHEDULE_NAMES, type Schedule, type ScheduleName } from './schedules.js';
export { minimize, type MinimizeOptions, type MinimizeResult } from './minimize.js';

export { Optimizer, OPTIMIZER_NAMES, type OptimizerName, type OptimizerState } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { LRScheduler, stepDecay, cosineDecay, SCHEDULE_NAMES, type Schedule, type ScheduleName } from './schedules.js';
export { minimize, type MinimizeOptions, type MinimizeResult } from './minimize.js';

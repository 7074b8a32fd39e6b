import type { FloatArray } from './kernels/types.js';

/**
 * The engine's mode flags in one object (as tfjs's `ENGINE`), so every switch that changes
 * what an op does is found in one place. Only the engine, the transforms and the backend's
 * memory module write it.
 */
export interface EngineState {
  /** Whether ops record the graph: false inside `noGrad` and during a plain backward(). */
  gradEnabled: boolean;
  /** How many transforms (grad, vjp, jacobian, …; gradcheck of a Value function) are running their function (above 0: nested). */
  transformDepth: number;
  /** The number of the last backward() walk; a tensor's `_visit` equal to it was reached by that walk. */
  walks: number;
  /** Buffers allocated while a backward() collects them for reuse, or null (see backend/memory). */
  collecting: Set<FloatArray> | null;
}

/** @internal The one engine state. */
export const engineState: EngineState = { gradEnabled: true, transformDepth: 0, walks: 0, collecting: null };

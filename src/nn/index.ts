export { Module } from './module.js';
export { Linear, type LinearOptions } from './linear.js';
export { MLP, type MLPOptions } from './mlp.js';
export { Sequential } from './sequential.js';
export { Activation, Sigmoid, Tanh, ReLU, Softmax, activate, checkActivation, ACTIVATION_NAMES, type ActivationName } from './activations.js';
export { Flatten } from './flatten.js';
export { Conv2d, type Conv2dLayerOptions } from './conv.js';
export { MaxPool2d, AvgPool2d } from './pooling.js';
export { Dropout } from './dropout.js';
export { Embedding } from './embedding.js';
export {
  LayerNorm,
  BatchNorm1d,
  BatchNorm2d,
  layerNorm,
  batchNorm,
  type LayerNormOptions,
  type BatchNormLayerOptions,
  type BatchNormOptions,
} from './normalization.js';
export { INIT_NAMES, initStd, type InitName } from './init.js';
export { parameterCount } from './parameter-count.js';
export { quadraticCost, mseLoss, crossEntropy, binaryCrossEntropy, LOSS_NAMES, type LossName, type MseOptions } from './losses.js';
export { oneHot, argmax, accuracy, type Labels } from './metrics.js';
export { encodeSafetensors, decodeSafetensors, SAFETENSORS_MAX_HEADER_BYTES, type DecodedSafetensors } from './safetensors.js';
export {
  STATE_LAYOUTS,
  type StateLayout,
  type StateDict,
  type StateDictInput,
  type StateDictOptions,
  type LoadStateOptions,
  type LoadStateResult,
} from './state-dict.js';
export {
  moduleToBytes,
  moduleFromBytes,
  LAYOUT_METADATA_KEY,
  type SaveModuleOptions,
  type LoadModuleOptions,
  type LoadModuleResult,
} from './serialize.js';

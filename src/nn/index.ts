export { Module } from './module.js';
export { Linear, type LinearOptions } from './linear.js';
export { MLP, type MLPOptions } from './mlp.js';
export { Sequential } from './sequential.js';
export { Activation, Sigmoid, Tanh, ReLU, Softmax, activate, checkActivation, ACTIVATION_NAMES, type ActivationName } from './activations.js';
export { INIT_NAMES, initStd, type InitName } from './init.js';
export { parameterCount } from './parameter-count.js';
export { quadraticCost, mseLoss, crossEntropy, binaryCrossEntropy, type MseOptions } from './losses.js';
export { oneHot, argmax, accuracy, type Labels } from './metrics.js';

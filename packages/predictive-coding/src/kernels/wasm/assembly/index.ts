// Entry point of the wasm kernel module: every export the loader calls.
export { activate, activateBoth, activateDerivative } from './activations';
export { axpy, scale, sub, mul, addRowVector, rowSums, columnSums, rowMax, rowArgmax, softmax, sumSquares } from './linalg';
export { matmul, matmulChunk, packBytes } from './matmul';
export { adamStep, predictionError, sgdStep, valueStep } from './fused';
export { runChunk } from './jobs';
export { convBlock, convScratchBytes, convWeightBlock, packConvWeights, spreadInto, sumPartials } from './conv';
export { avgPool, avgPoolBackward, maxPool, maxPoolBackward } from './pooling';

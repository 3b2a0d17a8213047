/**
 * The backends (js reference, wasm SIMD, native C++, WebGPU) behind one
 * interface, and the checked operations core and train are written in.
 *
 * @module predictive-coding/kernels
 */
export {
  ACTIVATIONS,
  type Activation,
  type AdamStep,
  type Backend,
  type BackendArray,
  type Conv2dGeometry,
  checkImmediate,
  conv2dOutputSize,
  type DeviceArray,
  type DType,
  elementBytes,
  type FloatArray,
  hostArray,
  type IndexArray,
  LEAKY_SLOPE,
  type MatmulOptions,
  type Pool2dGeometry,
  pool2dOutputSize,
} from './backend.ts';
export { avgPool, avgPoolBackward, conv2d, conv2dInputGrad, conv2dWeightGrad, maxPool, maxPoolBackward } from './conv-ops.ts';
export { cpuBackendName } from './native/native-backend.ts';
export {
  activate,
  activateBoth,
  activateDerivative,
  addRowVector,
  axpy,
  columnSums,
  matmul,
  mul,
  rowArgmax,
  rowMax,
  rowSums,
  scale,
  softmax,
  sub,
  sumSquares,
} from './ops.ts';
export { createReferenceBackend } from './reference.ts';
export { GELU_A, GELU_C, scalarActivation, scalarDerivative } from './scalar-activations.ts';
export { type BackendName, type BackendOptions, createBackend } from './select.ts';
export { disposeTensor, fromValues, type Tensor, tensor, zeros } from './tensor.ts';
export { hasWasmSimd } from './wasm/loader.ts';
export type { WasmBackendOptions } from './wasm/wasm-backend.ts';
export { isCpuAdapter } from './webgpu/adapter.ts';
export { createWebGpuBackend, GpuArray, type WebGpuBackend } from './webgpu/webgpu-backend.ts';

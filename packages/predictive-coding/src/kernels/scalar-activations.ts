/**
 * Scalar activations and their derivatives in float64: the definitions the
 * `js` reference evaluates and every other backend is tested against.
 * Kinks follow PyTorch (relu'(0) = 0, hard_tanh'(±1) = 0, leaky'(0) = slope).
 */
import { type Activation, LEAKY_SLOPE } from './backend.ts';

/** √(2/π), the GELU tanh-approximation constant. */
export const GELU_C = Math.sqrt(2 / Math.PI);
/** Cubic coefficient of the GELU tanh approximation. */
export const GELU_A = 0.044715;

/** f(x) for one value. */
export function scalarActivation(kind: Activation): (x: number) => number {
  switch (kind) {
    case 'linear':
      return (x) => x;
    case 'tanh':
      return Math.tanh;
    case 'sigmoid':
      return sigmoid;
    case 'relu':
      return (x) => Math.max(x, 0); // NaN propagates, as in the wasm kernel
    case 'leaky-relu':
      return (x) => (x > 0 ? x : LEAKY_SLOPE * x);
    case 'gelu':
      // 0.5·x·(1 + tanh u) written as x·σ(2u), which has no cancellation for very negative x.
      return (x) => x * sigmoid(2 * GELU_C * (x + GELU_A * x * x * x));
    case 'hard-tanh':
      return (x) => Math.min(Math.max(x, -1), 1);
  }
}

/** f'(x) for one value. */
export function scalarDerivative(kind: Activation): (x: number) => number {
  switch (kind) {
    case 'linear':
      return () => 1;
    case 'tanh':
      return (x) => {
        const t = Math.tanh(x);
        return 1 - t * t;
      };
    case 'sigmoid':
      return (x) => {
        const s = sigmoid(x);
        return s * (1 - s);
      };
    case 'relu':
      return (x) => (x > 0 ? 1 : 0);
    case 'leaky-relu':
      return (x) => (x > 0 ? 1 : LEAKY_SLOPE);
    case 'gelu':
      return (x) => {
        // d/dx x·σ(2u) = s + 2·x·s(1 − s)·u', s = σ(2u), u' = C(1 + 3A·x²).
        const s = sigmoid(2 * GELU_C * (x + GELU_A * x * x * x));
        return s + 2 * x * s * (1 - s) * GELU_C * (1 + 3 * GELU_A * x * x);
      };
    case 'hard-tanh':
      return (x) => (x > -1 && x < 1 ? 1 : 0);
  }
}

function sigmoid(x: number): number {
  // Two branches keep exp's argument ≤ 0, so neither overflows.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

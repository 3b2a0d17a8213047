/** Checking gradients of a scalar loss of the weights against central finite differences (backprop's tests). */
import { expect } from 'vitest';
import type { Model } from '../../packages/predictive-coding/src/core/index.ts';

/**
 * Checks gradW[l] and gradB[l] (copies, l = 1…L) against the central
 * difference (h = 1e-5) of `loss` in every weight and bias of `model`, to 1e-8
 * relative. `loss` recomputes from the weights as they stand.
 */
export function expectLossGradients(model: Model<Float64Array>, gradW: readonly Float64Array[], gradB: readonly Float64Array[], loss: () => number): void {
  for (let l = 1; l <= model.layers.length; l++) {
    for (const [p, g] of [
      [model.layers[l - 1].weights.data, gradW[l]],
      [model.layers[l - 1].bias.data, gradB[l]],
    ] as const) {
      for (let i = 0; i < p.length; i++) {
        const old = p[i];
        const h = 1e-5;
        p[i] = old + h;
        const up = loss();
        p[i] = old - h;
        const down = loss();
        p[i] = old;
        const fd = (up - down) / (2 * h);
        expect(Math.abs(g[i] - fd), `layer ${l} [${i}]`).toBeLessThan(1e-8 * Math.max(1, Math.abs(fd)));
      }
    }
  }
}

/**
 * The cosine between PC's and backprop's weight gradients, recorded on the backend and read once:
 * the same figure cosine() gives on host arrays, per layer and averaged over probes, on the js
 * reference, on wasm, and on a deferred backend (a GPU's contract).
 */
import { describe, expect, it } from 'vitest';
import { createConfig, initModel, initWorkspace } from '../../packages/predictive-coding/src/core/index.ts';
import type { Backend } from '../../packages/predictive-coding/src/kernels/backend.ts';
import { createBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/reference.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import { cosine, createGradientAgreement } from '../../packages/predictive-coding/src/train/index.ts';
import { deferredReference } from '../helpers/deferred-backend.ts';

async function check(backend: Backend<Float32Array>) {
  const model = initModel(createConfig({ sizes: [7, 5, 3] }), backend, createRng(1));
  const [a, b] = [initWorkspace(model, 2, backend), initWorkspace(model, 2, backend)];
  const rng = createRng(9);
  const agreement = createGradientAgreement(model, backend, 3);
  const want = [0, 0];
  for (let p = 0; p < 3; p++) {
    for (const ws of [a, b])
      for (let l = 1; l <= 2; l++)
        backend.write(
          ws.gradW[l],
          Array.from({ length: ws.gradW[l].length }, () => rng.normal()),
        );
    // A zero gradient counts as cosine 0.
    if (p === 2) backend.fill(b.gradW[2], 0, b.gradW[2].length);
    for (let l = 1; l <= 2; l++) want[l - 1] += cosine(a.gradW[l], b.gradW[l]) / 3;
    agreement.record(a, b);
  }
  expect(() => agreement.record(a, b)).toThrow(/3 probes recorded without a read/);
  expect(agreement.probes).toBe(3);
  const got = await agreement.read();
  expect(agreement.probes).toBe(0);
  for (let l = 0; l < 2; l++) expect(Math.abs(got[l] - want[l]), `layer ${l + 1}: ${got[l]} vs ${want[l]}`).toBeLessThan(1e-6);
  expect(await agreement.read()).toEqual([0, 0]);
  agreement.dispose();
  backend.dispose();
}

describe('gradient agreement', () => {
  it('gives cosine() per layer, averaged over probes, on the js reference', () => check(createReferenceBackend('float32')));
  it('on wasm', async () => check(await createBackend('wasm', { threads: 1 })));
  it('on a deferred backend, read once', () => check(deferredReference()));
});

/** Checkpoints written before layer kinds (no layers, inputShape or shapes in the config) still load, as dense networks. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createConfig, initModel } from '../../packages/predictive-coding/src/core/index.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import { decodeCheckpoint, modelFromCheckpoint } from '../../packages/predictive-coding/src/train/index.ts';

const js = createReferenceBackend('float32');

describe('checkpoint compatibility', () => {
  it('a dense checkpoint written by the code before layer kinds loads with dense layers and the same weights', () => {
    const path = new URL('../fixtures/dense-v1.safetensors', import.meta.url);
    const bytes = new Uint8Array(readFileSync(path));
    // The fixture's config is the old one: no layers, inputShape or shapes.
    expect(new TextDecoder().decode(bytes.subarray(8, 400))).not.toMatch(/layers|inputShape|shapes/);
    const ckpt = decodeCheckpoint(bytes, 'dense-v1.safetensors');
    expect(ckpt.config.layers).toEqual([{ kind: 'dense' }, { kind: 'dense' }]);
    expect(ckpt.config.shapes).toEqual([
      [1, 1, 5],
      [1, 1, 3],
      [1, 1, 2],
    ]);
    expect(ckpt.optimizer?.config.name).toBe('adamw');
    // The same draws as when the fixture was written (seed 4, 5-3-2, tanh, learned feedback).
    const fresh = initModel(createConfig({ sizes: [5, 3, 2], activation: 'tanh', feedback: 'learned' }), js, createRng(4));
    const model = modelFromCheckpoint(ckpt, js);
    for (const [i, layer] of model.layers.entries()) {
      expect(Array.from(layer.weights.data)).toEqual(Array.from(fresh.layers[i].weights.data));
      expect(Array.from(layer.feedback!.data)).toEqual(Array.from(fresh.layers[i].feedback!.data));
    }
  });
});

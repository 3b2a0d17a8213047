/**
 * conv2d-transpose in a whole model: a generative decoder (label at x_0,
 * image at x_L; DESIGN §2's generative orientation) that learns, and its
 * checkpoint round-trip. The rules themselves are proven in conv-transpose.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createConfig, type Feedback, generate, initModel, initWorkspace, type Model } from '../../packages/predictive-coding/src/core/index.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import {
  DEFAULT_TRAIN,
  decodeCheckpoint,
  encodeCheckpoint,
  initOptimizer,
  modelFromCheckpoint,
  supervisedBatch,
  trainStep,
} from '../../packages/predictive-coding/src/train/index.ts';

const js = createReferenceBackend('float32');

/** A generative decoder, label → 7×7×8 → 14×14×4 → 28×28×1 (DCGAN-style: the first transpose of a 1×1 latent is a dense layer with per-channel bias). */
function decoder(feedback: Feedback = 'symmetric'): Model<Float32Array> {
  const config = createConfig({
    sizes: [10, 392, 784, 784],
    orientation: 'generative',
    activation: 'tanh',
    feedback,
    inputShape: [1, 1, 10],
    layers: [
      { kind: 'conv2d-transpose', channels: 8, kernel: 7 },
      { kind: 'conv2d-transpose', channels: 4, kernel: 4, stride: 2, padding: 1 },
      { kind: 'conv2d-transpose', channels: 1, kernel: 4, stride: 2, padding: 1 },
    ],
  });
  return initModel(config, js, createRng(3));
}

/** One-hot labels 0…9 and, for label d, a 28×28 image of a horizontal bar at row 4 + 2d crossing a vertical one at column 22 − 2d. */
function barImages(): { labels: Float32Array; images: Float32Array } {
  const labels = new Float32Array(100);
  const images = new Float32Array(10 * 784);
  for (let d = 0; d < 10; d++) {
    labels[d * 10 + d] = 1;
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++) images[d * 784 + y * 28 + x] = Math.abs(y - (4 + 2 * d)) <= 1 || Math.abs(x - (22 - 2 * d)) <= 1 ? 1 : 0;
  }
  return { labels, images };
}

describe('conv2d-transpose in a generative decoder', () => {
  it('trains with the label clamped at x_0 and the image at x_L: the energy falls, and generating from a label draws its own image', () => {
    const model = decoder();
    const ws = initWorkspace(model, 10, js);
    const { labels, images } = barImages();
    const opt = initOptimizer(model, { name: 'adam', lr: 0.01 }, js);
    const batch = supervisedBatch(model.config, images, labels, 10);
    const energies = Array.from({ length: 15 }, () => trainStep(model, opt, batch, DEFAULT_TRAIN, ws).energy);
    expect(energies.every(Number.isFinite)).toBe(true);
    expect(energies[14]).toBeLessThan(0.4 * energies[0]);
    const out = generate(model, ws, 10, labels);
    // Squared distance of each generated image to its own label's image, and to the next label's.
    let own = 0;
    let next = 0;
    for (let d = 0; d < 10; d++)
      for (let i = 0; i < 784; i++) {
        own += (out[d * 784 + i] - images[d * 784 + i]) ** 2;
        next += (out[d * 784 + i] - images[((d + 1) % 10) * 784 + i]) ** 2;
      }
    expect(own).toBeLessThan(0.5 * next);
  });

  it('round-trips through a checkpoint: the same config, W, b and B, and the same generated images', () => {
    const model = decoder('learned');
    const back = modelFromCheckpoint(decodeCheckpoint(encodeCheckpoint(model), 'decoder.safetensors'), js);
    expect(back.config).toEqual(model.config);
    expect(back.layers).toHaveLength(3);
    back.layers.forEach((layer, i) => {
      expect(layer.weights.shape).toEqual(model.layers[i].weights.shape);
      expect(Array.from(layer.weights.data)).toEqual(Array.from(model.layers[i].weights.data));
      expect(Array.from(layer.bias.data)).toEqual(Array.from(model.layers[i].bias.data));
      expect(Array.from(layer.feedback!.data)).toEqual(Array.from(model.layers[i].feedback!.data));
    });
    const { labels } = barImages();
    const generated = (m: Model<Float32Array>) => Array.from(generate(m, initWorkspace(m, 10, js), 10, labels));
    expect(generated(back)).toEqual(generated(model));
  });
});

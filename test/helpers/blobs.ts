import { createRng } from '../../packages/predictive-coding/src/random.ts';
import type { LabeledData } from '../../packages/predictive-coding/src/train/index.ts';

/** Gaussian blobs in 6 dimensions, 3 classes: class c has mean +2 on coordinate c (linearly separable). */
export function blobs(count: number, seed: number): LabeledData {
  const rng = createRng(seed);
  const images = new Float32Array(count * 6);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const c = rng.int(3);
    labels[i] = c;
    for (let j = 0; j < 6; j++) images[i * 6 + j] = 0.5 * rng.normal() + (j === c ? 2 : 0);
  }
  return { count, features: 6, classes: 3, images, labels };
}

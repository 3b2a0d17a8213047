/** Shared by `pcn generate` and `pcn experiment generative`: sampling digits and completing erased images. */
import { complete, generate, initWorkspace, type Model } from 'predictive-coding/core';
import { PcError } from 'predictive-coding/errors';
import type { Backend } from 'predictive-coding/kernels';
import { createRng } from 'predictive-coding/random';

/** Which half of an image to erase. */
export type Erase = 'top' | 'bottom' | 'left' | 'right';

/** `count` images of class `label` (one-hot at x_0), with noise σ in the hidden layers; `modelName` (its file) appears in errors. */
export function sampleDigits(
  model: Model,
  backend: Backend,
  label: number,
  count: number,
  noise: number,
  seed: number,
  modelName = 'this model',
): Float32Array[] {
  const classes = model.config.sizes[0];
  if (!Number.isInteger(label) || label < 0 || label >= classes)
    throw new PcError(
      'config',
      `generate: label ${label} is not a class of ${modelName}, whose label layer has ${classes} units (classes 0..${classes - 1}). Pass --label 0 to ${classes - 1}.`,
    );
  const n = model.config.sizes.at(-1)!;
  const ws = initWorkspace(model, count, backend);
  const top = new Float32Array(count * classes);
  for (let r = 0; r < count; r++) top[r * classes + label] = 1;
  const out = generate(model, ws, count, top, { noise, rng: createRng(seed) });
  return Array.from({ length: count }, (_, r) => out.slice(r * n, (r + 1) * n));
}

/** Associative recall: relaxes the erased pixels (visible[i] = 0) and every hidden layer (see core's complete). */
export function completeImage(model: Model, backend: Backend, pixels: ArrayLike<number>, visible: Uint8Array, steps: number): Float32Array {
  const ws = initWorkspace(model, 1, backend);
  return complete(model, ws, 1, pixels, visible, { steps, lr: 0.1, momentum: 0.9, tolerance: 0 }).slice(0, model.config.sizes.at(-1));
}

/** 1 for the pixels that stay visible when `half` is erased. */
export function halfMask(width: number, height: number, half: Erase): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const erased = half === 'bottom' ? y >= height / 2 : half === 'top' ? y < height / 2 : half === 'left' ? x < width / 2 : x >= width / 2;
      mask[y * width + x] = erased ? 0 : 1;
    }
  }
  return mask;
}

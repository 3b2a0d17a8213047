/**
 * A labelled image dataset in memory: the shape train/'s loop consumes
 * (structurally; data/ does not import train/).
 */
import { check, shown } from '../errors.ts';

/** Labelled images in memory: `count` images of rows×cols×channels values in [0, 1] (float32, row-major, channels last) and their labels (0…classes−1). */
export interface Dataset {
  readonly name: string;
  readonly count: number;
  /** Values per image: rows·cols·channels. */
  readonly features: number;
  readonly classes: number;
  /** Image height and width. */
  readonly rows: number;
  readonly cols: number;
  /** Values per pixel: 1 for grey images (MNIST-style), 3 for RGB (CIFAR-10). */
  readonly channels: number;
  /**
   * count × features, in [0, 1]. Each image is stored [rows, cols, channels]
   * (NHWC over the dataset, the layout the conv kernels read): channel k of
   * pixel (r, c) of image i is images[((i·rows + r)·cols + c)·channels + k].
   * With one channel this is the plain row-major image of MNIST's files.
   */
  readonly images: Float32Array;
  /** count labels in 0..classes−1. */
  readonly labels: Uint8Array;
}

/** An image size as people write it: '28×28' for one channel, '32×32×3' for more. */
export function imageShape(data: Pick<Dataset, 'rows' | 'cols' | 'channels'>): string {
  return data.channels === 1 ? `${data.rows}×${data.cols}` : `${data.rows}×${data.cols}×${data.channels}`;
}

/**
 * Builds a dataset from 8-bit pixels and labels, scaling pixels to [0, 1];
 * validates every label. `pixels` are already [count, rows, cols, channels]
 * (a reader of planar files such as CIFAR-10's converts them first).
 */
export function datasetFromBytes(name: string, pixels: Uint8Array, labels: Uint8Array, rows: number, cols: number, classes = 10, channels = 1): Dataset {
  check(
    pixels instanceof Uint8Array,
    'data',
    () => `${name}: pixels must be a Uint8Array of 8-bit pixels, got ${shown(pixels)}. Convert it once: Uint8Array.from(pixels).`,
  );
  check(
    labels instanceof Uint8Array,
    'data',
    () => `${name}: labels must be a Uint8Array of class indices, got ${shown(labels)}. Convert it once: Uint8Array.from(labels).`,
  );
  const features = rows * cols * channels;
  const count = labels.length;
  check(
    pixels.length === count * features,
    'data',
    () => `${name}: ${count} labels need ${count * features} pixels (${imageShape({ rows, cols, channels })} each), got ${pixels.length}.`,
  );
  for (let i = 0; i < count; i++) {
    const y = labels[i];
    check(y < classes, 'data', () => `${name}: label ${i} is ${y}, outside 0..${classes - 1}.`);
  }
  const images = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) images[i] = pixels[i] / 255;
  return { name, count, features, classes, rows, cols, channels, images, labels };
}

/**
 * The examples at `indices` (each an integer in 0…count−1, repeats allowed), in
 * that order, as a new dataset of copies named `name`; `data` is not mutated.
 * Throws PcError('shape') naming the first index out of range.
 */
export function subset(data: Dataset, indices: ArrayLike<number>, name = data.name): Dataset {
  const f = data.features;
  const images = new Float32Array(indices.length * f);
  const labels = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    check(
      Number.isInteger(i) && i >= 0 && i < data.count,
      'shape',
      () => `subset: index ${i} (at ${k}) is not an example of ${data.name}, which has ${data.count} (0…${data.count - 1}).`,
    );
    images.set(data.images.subarray(i * f, (i + 1) * f), k * f);
    labels[k] = data.labels[i];
  }
  return { ...data, name, count: indices.length, images, labels };
}

/** The same examples with every image's values reordered by `perm` (new value i = old value perm[i]; with several channels a value is one channel of one pixel): a permuted-MNIST task. */
export function permutePixels(data: Dataset, perm: ArrayLike<number>, name = `${data.name} (permuted)`): Dataset {
  check(perm.length === data.features, 'shape', () => `permutePixels: the permutation has ${perm.length} entries but images have ${data.features} pixels.`);
  const images = new Float32Array(data.images.length);
  for (let k = 0; k < data.count; k++) {
    const o = k * data.features;
    for (let i = 0; i < data.features; i++) images[o + i] = data.images[o + perm[i]];
  }
  return { ...data, name, images };
}

/** The examples whose label is in `classes`, in their original order. */
export function withLabels(data: Dataset, classes: readonly number[], name = `${data.name} (classes ${classes.join(',')})`): Dataset {
  const keep: number[] = [];
  for (let i = 0; i < data.count; i++) if (classes.includes(data.labels[i])) keep.push(i);
  return subset(data, keep, name);
}

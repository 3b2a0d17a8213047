/**
 * The 10,000 digits the package embeds: MNIST's training images 0–9999,
 * grouped by class (all 0s, then all 1s, …), as two gzip IDX files in the
 * package's data/ folder (1.6 MB). They are split deterministically: the
 * last 20 % of each class, in MNIST order, is held out for testing
 * (8,000 train / 2,000 held out).
 */
import { check, PcError } from '../errors.ts';
import { type Dataset, subset } from './dataset.ts';
import { datasetFromIdxBytes } from './idx-dataset.ts';

/** A training split and a held-out split of one dataset, with where they came from. */
export interface Split {
  readonly train: Dataset;
  readonly test: Dataset;
  /** Where the data came from, for logs. */
  readonly source: string;
}

/** Fraction of each class the embedded split holds out for testing. */
export const EMBEDDED_HELD_OUT = 0.2;

/** How logs name the embedded digits. */
export const EMBEDDED_SOURCE = 'mnist-embedded (10,000 MNIST digits shipped with the package: 8,000 train / 2,000 held out)';

/** Where the two embedded files are: data/ beside src/ and dist/, so both resolve it alike. */
export const EMBEDDED_FILES = {
  images: new URL('../../data/mnist-embedded-images-idx3-ubyte.gz', import.meta.url),
  labels: new URL('../../data/mnist-embedded-labels-idx1-ubyte.gz', import.meta.url),
} as const;

/**
 * The embedded digits from their two IDX files' bytes (gzip or not), split
 * per class (EMBEDDED_HELD_OUT of each class, its last examples, held out).
 * Throws PcError('data') if the files are not 28×28 images with labels 0–9
 * grouped by class.
 */
export async function embeddedDigitsFromBytes(images: Uint8Array, labels: Uint8Array): Promise<Split> {
  const all = await datasetFromIdxBytes('mnist-embedded', images, labels);
  check(all.rows === 28 && all.cols === 28, 'data', () => `mnist-embedded: images of ${all.rows}×${all.cols}; expected 28×28.`);
  const train: number[] = [];
  const test: number[] = [];
  let start = 0;
  for (let d = 0; d < 10; d++) {
    let end = start;
    while (end < all.count && all.labels[end] === d) end++;
    check(
      end > start,
      'data',
      () => `mnist-embedded: no digit ${d} where the ${d === 0 ? 'file starts' : `${d - 1}s end`}; the digits must be grouped by class.`,
    );
    const nTrain = Math.round((end - start) * (1 - EMBEDDED_HELD_OUT));
    for (let i = start; i < end; i++) (i - start < nTrain ? train : test).push(i);
    start = end;
  }
  check(
    start === all.count,
    'data',
    () => `mnist-embedded: example ${start} has label ${all.labels[start]} after the 9s; the digits must be grouped by class.`,
  );
  return { train: subset(all, train, 'mnist-embedded (train)'), test: subset(all, test, 'mnist-embedded (held out)'), source: EMBEDDED_SOURCE };
}

/**
 * The embedded digits, read from the package (Node: from disk; browsers and
 * bundlers: fetched from where the bundler put the files). Resolves to the
 * 8,000 / 2,000 split. Throws PcError('data') if a file cannot be read.
 */
export async function loadEmbeddedDigits(): Promise<Split> {
  const [images, labels] = await Promise.all([readAsset(EMBEDDED_FILES.images), readAsset(EMBEDDED_FILES.labels)]);
  return embeddedDigitsFromBytes(images, labels);
}

async function readAsset(url: URL): Promise<Uint8Array> {
  try {
    if (url.protocol === 'file:') {
      // A computed specifier keeps bundlers from pulling node:fs into a browser build.
      const fs = 'node:fs/promises';
      const { readFile } = (await import(/* @vite-ignore */ fs)) as typeof import('node:fs/promises');
      return new Uint8Array(await readFile(url));
    }
    const response = await fetch(url);
    check(response.ok, 'data', () => `HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  } catch (e) {
    throw new PcError('data', `mnist-embedded: cannot read ${url.href}: ${e instanceof Error ? e.message : String(e)}. Is the package complete?`);
  }
}

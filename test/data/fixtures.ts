import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx } from '../../packages/predictive-coding/src/data/index.ts';

/** An IDX file (encodeIdx), optionally gzip-compressed. */
export function idx(dims: number[], data: Uint8Array, gzip = false): Uint8Array {
  const out = encodeIdx(dims, data);
  return gzip ? new Uint8Array(gzipSync(out)) : out;
}

/** n images of rows×cols whose pixel (r, c) of image i is (i + r + c) mod 256, and labels i mod 10. */
export function tinyMnist(n: number, rows = 28, cols = 28): { images: Uint8Array; labels: Uint8Array } {
  const images = new Uint8Array(n * rows * cols);
  for (let i = 0; i < n; i++) for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) images[(i * rows + r) * cols + c] = (i + r + c) % 256;
  return { images, labels: Uint8Array.from({ length: n }, (_, i) => i % 10) };
}

/** Writes a small dataset of side×side images in the standard IDX layout (some files gzip-compressed) into `dir`. */
export function writeTinyIdxDir(dir: string, trainCount = 300, testCount = 100, side = 28): void {
  mkdirSync(dir, { recursive: true });
  const train = tinyMnist(trainCount, side, side);
  const test = tinyMnist(testCount, side, side);
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), idx([trainCount, side, side], train.images, true));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx([trainCount], train.labels));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), idx([testCount, side, side], test.images));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), idx([testCount], test.labels, true));
}

/** The lab's data and models, served with the site (no request leaves its origin). */

import { type Dataset, datasetFromIdx, decodeIdx } from 'predictive-coding/data';
import { type Checkpoint, decodeCheckpoint } from 'predictive-coding/train';

async function bytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** The embedded MNIST digits (8,000 train / 2,000 held out), as gzip IDX files next to the page. */
export async function loadDigits(base: string): Promise<{ train: Dataset; test: Dataset }> {
  const read = async (name: string) => decodeIdx(await bytes(`${base}data/${name}`), name);
  const [ti, tl, vi, vl] = await Promise.all([
    read('train-images-idx3-ubyte.gz'),
    read('train-labels-idx1-ubyte.gz'),
    read('t10k-images-idx3-ubyte.gz'),
    read('t10k-labels-idx1-ubyte.gz'),
  ]);
  return { train: datasetFromIdx('embedded (train)', ti, tl), test: datasetFromIdx('embedded (held out)', vi, vl) };
}

/** A checkpoint shipped with the site (models/), decoded. */
export async function loadCheckpoint(base: string, name: string): Promise<Checkpoint> {
  return decodeCheckpoint(await bytes(`${base}models/${name}`), name);
}

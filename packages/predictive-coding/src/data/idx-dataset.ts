/** A dataset from the bytes of an images file and a labels file in IDX format (as browsers get them from fetch or a file input). */
import type { Dataset } from './dataset.ts';
import { decodeIdx } from './idx.ts';
import { datasetFromIdx } from './mnist.ts';

/**
 * Images [n, rows, cols] and labels [n] from their IDX files' bytes, each
 * gzip-compressed or not; pixels scaled to [0, 1], 10 classes. `name` names
 * the dataset in errors and logs. Throws PcError('data') for a malformed,
 * truncated or oversized file, or files that do not belong together.
 */
export async function datasetFromIdxBytes(name: string, images: Uint8Array | ArrayBuffer, labels: Uint8Array | ArrayBuffer): Promise<Dataset> {
  const [i, l] = await Promise.all([decodeIdx(images, `${name} (images)`), decodeIdx(labels, `${name} (labels)`)]);
  return datasetFromIdx(name, i, l);
}

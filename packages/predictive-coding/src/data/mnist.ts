/** MNIST-style datasets from the arrays of an images and a labels IDX file. */
import { check } from '../errors.ts';
import { type Dataset, datasetFromBytes } from './dataset.ts';
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

/**
 * Datasets in memory and the formats they come in: IDX (MNIST-style),
 * CIFAR-10's binary batches, and the 10,000 digits embedded in the package.
 *
 * @module predictive-coding/data
 */
export { DATASET_NAMES, DATASET_SOURCES, type DatasetName, type DatasetSource } from './checksums.ts';
export {
  CIFAR_CHANNELS,
  CIFAR_CLASSES,
  CIFAR_FOLDER,
  CIFAR_MAX_RECORDS,
  CIFAR_RECORD_BYTES,
  CIFAR_SIDE,
  CIFAR_TEST_FILE,
  CIFAR_TRAIN_FILES,
  type CifarFile,
  cifarRecordCount,
  datasetFromCifar,
} from './cifar.ts';
export { type Dataset, datasetFromBytes, imageShape, permutePixels, subset, withLabels } from './dataset.ts';
export { EMBEDDED_FILES, EMBEDDED_HELD_OUT, EMBEDDED_SOURCE, embeddedDigitsFromBytes, loadEmbeddedDigits, type Split } from './embedded.ts';
export { decodeIdx, encodeIdx, IDX_MAX_DATA_BYTES, type IdxArray, isGzip, parseIdx } from './idx.ts';
export { datasetFromIdxBytes } from './idx-dataset.ts';
export { datasetFromIdx } from './mnist.ts';

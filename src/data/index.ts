export { DATASET_NAMES, DATASET_SOURCES, type DatasetName, type DatasetSource } from './checksums.ts';
export { type Dataset, datasetFromBytes, permutePixels, subset, withLabels } from './dataset.ts';
export { decodeIdx, encodeIdx, IDX_MAX_DATA_BYTES, type IdxArray, isGzip, parseIdx } from './idx.ts';
export { datasetFromIdx, EMBEDDED_HELD_OUT, embeddedMnist } from './mnist.ts';

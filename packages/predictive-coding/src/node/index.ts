/**
 * Reading from disk, Node only (`predictive-coding/node`): dataset folders
 * (IDX, CIFAR-10, the embedded digits by name) and the guarded file reads
 * they use — regular files only, size-capped before anything is allocated,
 * every failure a one-line PcError('data') naming the file.
 *
 * @module predictive-coding/node
 */
export { IDX_FILES, IDX_MAX_FILE_BYTES, loadCifarFolder, loadDataset, loadIdxFolder, loadTestSet } from './datasets.ts';
export { fsError, fsReason, isFsError, type SystemError } from './fs-errors.ts';
export { makeFolders } from './make-folders.ts';
export { CHECKPOINT_MAX_BYTES, isFolder, type ReadOptions, readError, readFileChecked, readFileIfPresent } from './read-file.ts';

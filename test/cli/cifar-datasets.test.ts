/** --data on a CIFAR-10 folder: detected from its file names, read strictly, every failure one line naming the file. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset, loadTestSet as loadTestSetAs } from '../../packages/predictive-coding/src/node/index.ts';

// As the CLI calls them: errors name --data.
const loadData = (spec: string) => loadDataset(spec, '--data');
const loadTestSet = (spec: string) => loadTestSetAs(spec, '--data');

import { cpuBackendName } from '../../packages/predictive-coding/src/kernels/native/native-backend.ts';
import { cifarBatch, writeCifarDir } from '../data/cifar-fixtures.ts';
import { writeTinyIdxDir } from '../data/fixtures.ts';
import { rejectsPcError } from '../helpers/errors.ts';
import { pcn } from './run.ts';

const root = mkdtempSync(join(tmpdir(), 'pc-cifar-'));
/** A folder `name` holding cifar-10-batches-bin/ as the tarball unpacks (or the batches themselves when `flat`); returns [folder, batches]. */
const fresh = (name: string, flat = false): [string, string] => {
  const dir = join(root, name);
  const batches = flat ? dir : join(dir, 'cifar-10-batches-bin');
  writeCifarDir(batches, 2, 3);
  return [dir, batches];
};
const refusal = async (p: Promise<unknown>): Promise<string> => {
  const message = (await rejectsPcError(p, 'data')).message;
  expect(message.split('\n')).toHaveLength(1);
  return message;
};

describe('loading a CIFAR-10 folder', () => {
  it('finds the batches in DIR/cifar-10-batches-bin or in DIR itself: five training files in order, the test file apart', async () => {
    for (const flat of [false, true]) {
      const [dir] = fresh(flat ? 'flat' : 'nested', flat);
      const { train, test, source } = await loadData(dir);
      expect([train.count, train.rows, train.cols, train.channels, train.features, train.classes]).toEqual([10, 32, 32, 3, 3072, 10]);
      expect([test.count, test.features]).toEqual([3, 3072]);
      expect([train.name, test.name, source]).toEqual([`${dir} (train)`, `${dir} (test)`, dir]);
      // Training record i is the generator's record i (labels i mod 10); test records start at 100.
      expect(Array.from(train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(Array.from(test.labels)).toEqual([0, 1, 2]);
      // Record 7 (data_batch_4.bin's second), pixel (1, 2) = plane position 34, blue: (7·7 + 85·2 + 34) mod 256 = 253.
      expect(train.images[7 * 3072 + 34 * 3 + 2]).toBe(Math.fround(253 / 255));
    }
  });

  it('loadTestSet needs only test_batch.bin', async () => {
    const [dir, batches] = fresh('test-only');
    for (let b = 1; b <= 5; b++) rmSync(join(batches, `data_batch_${b}.bin`));
    const { test, source } = await loadTestSet(dir);
    expect([test.count, test.channels, test.name, source]).toEqual([3, 3, `${dir} (test)`, dir]);
    expect(await refusal(loadData(dir))).toContain('has no data_batch_1.bin');
  });

  it('names a missing batch and the files a CIFAR-10 folder holds', async () => {
    const [dir, batches] = fresh('missing');
    rmSync(join(batches, 'data_batch_3.bin'));
    expect(await refusal(loadData(dir))).toBe(
      `--data: ${batches} has no data_batch_3.bin. A CIFAR-10 folder holds data_batch_1.bin, data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin and test_batch.bin (pcn data download cifar10 fetches them).`,
    );
  });

  it('refuses a batch that is a folder or a device, naming it', async () => {
    const [dir, batches] = fresh('folder');
    rmSync(join(batches, 'data_batch_2.bin'));
    mkdirSync(join(batches, 'data_batch_2.bin'));
    expect(await refusal(loadData(dir))).toBe(`--data: ${join(batches, 'data_batch_2.bin')} is a folder; expected a CIFAR-10 batch file. Name a regular file.`);
    const [dev, devBatches] = fresh('device');
    rmSync(join(devBatches, 'test_batch.bin'));
    symlinkSync('/dev/zero', join(devBatches, 'test_batch.bin'));
    expect(await refusal(loadTestSet(dev))).toContain(`--data: ${join(devBatches, 'test_batch.bin')} is a character device`);
  });

  it('refuses a file that is not whole records from its size, before reading it, and one over the cap', async () => {
    const [dir, batches] = fresh('size');
    writeFileSync(join(batches, 'data_batch_5.bin'), cifarBatch(2).subarray(0, 2 * 3073 - 1));
    expect(await refusal(loadData(dir))).toBe(
      `${join(batches, 'data_batch_5.bin')}: 6,145 bytes is not a whole number of 3073-byte CIFAR-10 records (1 × 3073 + 3072; an official batch is 30,730,000 bytes). The file is truncated or not a CIFAR-10 binary batch.`,
    );
    truncateSync(join(batches, 'data_batch_5.bin'), 2 ** 40);
    expect(await refusal(loadData(dir))).toMatch(
      /^--data: .*data_batch_5\.bin is 1,099,511,627,776 bytes; a CIFAR-10 batch file may be at most [\d,]+ bytes\./,
    );
  });

  it('refuses a label outside 0..9, naming the file and the record', async () => {
    const [dir, batches] = fresh('label');
    const bytes = readFileSync(join(batches, 'test_batch.bin'));
    bytes[3073] = 200;
    writeFileSync(join(batches, 'test_batch.bin'), bytes);
    expect(await refusal(loadTestSet(dir))).toBe(
      `${join(batches, 'test_batch.bin')}: record 1 (byte 3,073) has label 200; CIFAR-10 labels are 0..9. The file is corrupt or not a CIFAR-10 batch (CIFAR-100's files have two label bytes).`,
    );
  });

  it('refuses a folder that holds both IDX files and CIFAR-10 batches, and names both kinds in an empty folder', async () => {
    const [dir] = fresh('both');
    writeTinyIdxDir(dir, 10, 10);
    expect(await refusal(loadData(dir))).toMatch(
      /^--data: .* holds both CIFAR-10 batches \(cifar-10-batches-bin\) and MNIST-style IDX files \(train-images-idx3-ubyte\.gz, .*\), so which dataset is meant is unclear\. Keep each dataset in its own folder\.$/,
    );
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect(await refusal(loadData(empty))).toBe(
      `--data: ${empty} has no train-images-idx3-ubyte(.gz). A dataset folder holds train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each optionally .gz), or CIFAR-10's data_batch_1.bin, data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin and test_batch.bin.`,
    );
  });
});

describe('the CLI on a CIFAR-10 folder', () => {
  it('pcn train builds the default MLP as 3072-128-128-128-10 from the data, and pcn eval reads the test batch (on the default cpu backend)', async () => {
    const [dir] = fresh('cli');
    const out = join(root, 'run');
    const r = pcn(['train', '--data', dir, '--epochs', '1', '--threads', '1', '--no-progress', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`pcn train: 3072-128-128-128-10 discriminative`);
    expect(r.stdout).toContain(`10 training / 3 held-out examples from ${dir}`);
    const e = pcn(['eval', '--model', join(out, 'model.safetensors'), '--data', dir, '--threads', '1']);
    expect(e.status, e.stderr).toBe(0);
    expect(e.stdout).toMatch(
      new RegExp(`held-out accuracy: [\\d.]+ % \\(3 examples of ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; ${await cpuBackendName()} backend\\)`),
    );
  });
});

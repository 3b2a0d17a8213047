import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEmbeddedDigits } from '../../packages/predictive-coding/src/data/index.ts';
import { writeTinyIdxDir } from '../data/fixtures.ts';
import { expectAccuracy } from '../helpers/metrics.ts';
import { pcn } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'pcn-cli-'));
const dataDir = join(dir, 'tiny');
const out = join(dir, 'run');

// A small IDX dataset in the standard layout: 300 training and 100 test images.
beforeAll(() => writeTinyIdxDir(dataDir));

describe('pcn train / eval / info', () => {
  it('trains from an IDX directory, prints one JSON object per epoch, and writes checkpoint, log and plots', () => {
    const r = pcn(['train', '--data', dataDir, '--epochs', '2', '--batch', '50', '--layers', '784,32,10', '--out', out, '--json', '--threads', '1']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    const rows = lines.map((l) => JSON.parse(l));
    expect(Object.keys(rows[1])).toEqual(['epoch', 'train_energy', 'test_acc', 'seconds', 'lr']);
    expect(rows[1].epoch).toBe(2);
    // On the 100 test images: a whole number of them, as a fraction (not NaN, not a percentage).
    for (const row of rows) expectAccuracy(row.test_acc, 100, `epoch ${row.epoch} test_acc`);
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n')).toEqual(lines);
    expect(readFileSync(join(out, 'accuracy.svg'), 'utf8')).toMatch(/^<svg/);
    expect(readFileSync(join(out, 'energy.svg'), 'utf8')).toMatch(/^<svg/);
  });

  it('eval reproduces the last epoch accuracy from the checkpoint, and info describes it', () => {
    const last = JSON.parse(readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n')[1]);
    const e = pcn(['eval', '--model', join(out, 'model.safetensors'), '--data', dataDir, '--json']);
    expect(e.status, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout).test_acc).toBeCloseTo(last.test_acc, 6);
    const i = pcn(['info', '--model', join(out, 'model.safetensors'), '--json']);
    expect(i.status, i.stderr).toBe(0);
    const info = JSON.parse(i.stdout);
    expect(info.sizes).toEqual([784, 32, 10]);
    expect(info.parameters).toBe(784 * 32 + 32 + 32 * 10 + 10);
    expect(info.optimizer.step).toBe(12);
  });

  it('a generative model gets the default weight cap, which the checkpoint records; --weight-cap 0 means none', () => {
    const gen = join(dir, 'gen');
    const args = ['train', '--data', dataDir, '--orientation', 'generative', '--layers', '10,16,784', '--epochs', '1', '--batch', '100', '--threads', '1'];
    expect(pcn([...args, '--out', gen]).status).toBe(0);
    const capped = JSON.parse(pcn(['info', '--model', join(gen, 'model.safetensors'), '--json']).stdout);
    expect(capped.optimizer.weightCap).toBe(0.12);
    const uncapped = join(dir, 'gen-uncapped');
    expect(pcn([...args, '--weight-cap', '0', '--out', uncapped]).status).toBe(0);
    const free = JSON.parse(pcn(['info', '--model', join(uncapped, 'model.safetensors'), '--json']).stdout);
    expect(free.optimizer.weightCap).toBeUndefined();
  });

  it("eval classifies a generative model by relaxation, as train's per-epoch evaluation does: same --eval-steps, same accuracy", () => {
    const gen = join(dir, 'gen-eval');
    const args = ['train', '--data', dataDir, '--orientation', 'generative', '--layers', '10,16,784', '--epochs', '1', '--batch', '100', '--threads', '1'];
    for (const [steps, out] of [
      [undefined, gen],
      ['30', `${gen}-30`],
    ] as const) {
      const t = pcn([...args, ...(steps ? ['--eval-steps', steps] : []), '--json', '--out', out]);
      expect(t.status, t.stderr).toBe(0);
      const trained = JSON.parse(t.stdout.trim()).test_acc;
      const e = pcn([
        'eval',
        '--model',
        join(out, 'model.safetensors'),
        '--data',
        dataDir,
        '--threads',
        '1',
        ...(steps ? ['--eval-steps', steps] : []),
        '--json',
      ]);
      expect(e.status, e.stderr).toBe(0);
      expect(JSON.parse(e.stdout).test_acc).toBeCloseTo(trained, 6);
    }
  });

  it('bad flags and values get a one-line error and exit 1, with no stack trace', () => {
    for (const args of [['train', '--bogus'], ['train', '--lr-x', 'fast'], ['train', '--activation', 'swish'], ['train', '--layers', '784'], ['frobnicate']]) {
      const r = pcn(args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/^error: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('missing and corrupt files are user errors with a clear message', () => {
    const missing = pcn(['info', '--model', join(dir, 'nope.safetensors')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe(`error: --model: ${join(dir, 'nope.safetensors')} does not exist.`);
    const bad = join(dir, 'bad.safetensors');
    writeFileSync(bad, readFileSync(join(out, 'model.safetensors')).subarray(0, 1000));
    const r = pcn(['eval', '--model', bad, '--data', dataDir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: .*bad\.safetensors: .*truncated/);
    const noData = pcn(['train', '--data', join(dir, 'nowhere')]);
    expect(noData.status).toBe(1);
    expect(noData.stderr).toContain('does not exist. Pass mnist-embedded or a folder with the four IDX files');
  });
});

describe('pcn --version', () => {
  it('prints the version in package.json, read relative to the module so that dist/main.js finds it too', () => {
    const { version } = JSON.parse(readFileSync(new URL('../../packages/pcn/package.json', import.meta.url), 'utf8'));
    for (const flag of ['--version', '-V']) {
      const r = pcn([flag]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    }
    // main.ts reads ../package.json: dist/main.js is as deep below the package as src/main.ts.
    const tsconfig = JSON.parse(readFileSync(new URL('../../packages/pcn/tsconfig.json', import.meta.url), 'utf8'));
    expect([tsconfig.compilerOptions.rootDir, tsconfig.compilerOptions.outDir]).toEqual(['src', 'dist']);
  });
});

describe('embedded digits', () => {
  it('are the first 10,000 MNIST training digits, split 8,000 / 2,000 by class', async () => {
    const { train, test } = await loadEmbeddedDigits();
    expect(train.count).toBe(8000);
    expect(test.count).toBe(2000);
    const perClass = new Array(10).fill(0);
    for (const y of [...train.labels, ...test.labels]) perClass[y]++;
    expect(perClass).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    // Pixels are whole bytes / 255.
    for (let i = 0; i < 784 * 50; i++) expect(Number.isInteger(Math.round(train.images[i] * 255 * 1e4) / 1e4)).toBe(true);
  });
});

/** `pcn generate` and `pcn experiment …` end to end on a tiny IDX dataset (fast settings; figures are measured by the real runs in docs/experiments.md). */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, encode } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainLabNet } from '../../lab/src/lab-models.ts';
import { loadDataset } from '../../packages/predictive-coding/src/node/index.ts';

const loadData = (spec: string) => loadDataset(spec, '--data');

import { createBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { decodeCheckpoint, encodeCheckpoint, GENERATIVE_MLP, hostCopy } from '../../packages/predictive-coding/src/train/index.ts';
import { tinyMnist, writeTinyIdxDir } from '../data/fixtures.ts';
import { expectAccuracy, expectWithin } from '../helpers/metrics.ts';
import { pcn } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'pcn-exp-'));
const data = join(dir, 'tiny');
beforeAll(() => writeTinyIdxDir(data));

function experiment(name: string, extra: string[]): Record<string, unknown> {
  const out = join(dir, name);
  const r = pcn(['experiment', name, '--data', data, '--out', out, '--json', '--threads', '1', ...extra]);
  expect(r.status, r.stderr).toBe(0);
  // Counts agree with their nouns ("1 epoch", not "1 epochs" or "1 epoch(s)"); a decimal such as "7.1 ms" is not a count.
  expect(r.stderr).not.toMatch(/(?<![\d.])\b1 [a-z]+s\b|\(s\)/);
  const lines = r.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]);
}

describe('pcn experiment', () => {
  it('generative: reports test_acc and writes sample and completion grids that decode to the right size', () => {
    const result = experiment('generative', ['--epochs', '1', '--eval-steps', '5']);
    expect(result.experiment).toBe('generative');
    // Accuracies on the tiny set's 100 test images: whole numbers of images.
    expectAccuracy(result.test_acc, 100, 'test_acc');
    expectAccuracy(result.test_acc_hypotheses, 100, 'test_acc_hypotheses');
    const samples = decode(readFileSync(join(dir, 'generative', 'samples.png')));
    // 10 rows × 8 columns of 28×28 cells with a 1-pixel gap, scaled ×3.
    expect([samples.width, samples.height, samples.channels]).toEqual([(8 * 29 + 1) * 3, (10 * 29 + 1) * 3, 1]);
    for (const f of ['completion.png', 'accuracy.png', 'energy-per-step.png', 'model.safetensors', 'result.json'])
      expect(existsSync(join(dir, 'generative', f)), f).toBe(true);
  });

  it('pcn generate draws a grid from the generative checkpoint and completes an erased image', () => {
    const model = join(dir, 'generative', 'model.safetensors');
    const grid = join(dir, 'grid.png');
    const g = pcn(['generate', '--model', model, '--label', '7', '--count', '16', '--out', grid]);
    expect(g.status, g.stderr).toBe(0);
    const png = decode(readFileSync(grid));
    expect([png.width, png.height]).toEqual([(8 * 29 + 1) * 3, (2 * 29 + 1) * 3]);
    // The grid goes back in: each of its 16 cells is completed (test/cli/generate.test.ts has the round trips).
    const cells = pcn(['generate', '--model', model, '--complete', grid, '--out', join(dir, 'x.png'), '--steps', '5']);
    expect(cells.status, cells.stderr).toBe(0);
    expect(cells.stdout).toContain('for 16 cells of the grid');
    const digit = join(dir, 'digit.png');
    writeFileSync(digit, encode({ width: 28, height: 28, data: tinyMnist(1).images, channels: 1, depth: 8 }));
    const filled = join(dir, 'filled.png');
    const c = pcn(['generate', '--model', model, '--complete', digit, '--out', filled, '--steps', '20']);
    expect(c.status, c.stderr).toBe(0);
    const out = decode(readFileSync(filled));
    expect([out.width, out.height]).toEqual([(3 * 29 + 1) * 4, 29 * 4 + 4]);
  });

  it('the lab trains the same generative net as pcn experiment generative from the same preset and seed', async () => {
    const cli = decodeCheckpoint(readFileSync(join(dir, 'generative', 'model.safetensors')), 'cli');
    const { train } = await loadData(data);
    // pcn experiment runs on the wasm kernels (experiments/context.ts): their relaxed-SIMD build where the
    // child's Node has it by default (22 and later), the plain one on Node 20 (this worker has it only by a flag).
    const relaxedSimd = Number(process.versions.node.split('.')[0]) >= 22;
    const backend = await createBackend('wasm', { threads: 1, relaxedSimd });
    try {
      const lab = await trainLabNet(GENERATIVE_MLP, backend, train, null, 1, 0);
      expect(lab.model.config).toEqual(cli.config);
      const labTensors = decodeCheckpoint(encodeCheckpoint((await hostCopy(backend, lab.model)).model), 'lab').tensors;
      expect([...labTensors.keys()]).toEqual([...cli.tensors.keys()]);
      // Bit for bit: same preset (weight cap included), same seed, same batches, same backend.
      for (const [name, t] of cli.tensors) expect(labTensors.get(name), name).toEqual(t);
      expect(lab.optimizer.config.weightCap).toBe(GENERATIVE_MLP.optimizer.weightCap);
    } finally {
      backend.dispose();
    }
  });

  it('feedback: reports the three accuracies and one angle per layer', () => {
    const result = experiment('feedback', ['--epochs', '1']);
    expect(Object.keys(result)).toEqual(expect.arrayContaining(['acc_symmetric', 'acc_learned', 'acc_random', 'angle_deg']));
    for (const k of ['acc_symmetric', 'acc_learned', 'acc_random']) expectAccuracy(result[k], 100, k);
    expect(result.angle_deg).toHaveLength(4);
    for (const a of result.angle_deg as number[]) expectWithin(a, 0, 180, 'angle_deg');
  });

  it('incremental, streaming and async report their figures', () => {
    expectAccuracy(experiment('incremental', ['--epochs', '1']).test_acc, 100, 'incremental test_acc');
    const s = experiment('streaming', []);
    // One pass in rounds of 48 streams: the 300 training images give 6 rounds, 288 examples, each scored once.
    expect([s.streams, s.examples]).toEqual([48, 48 * Math.floor(300 / 48)]);
    for (const k of ['prequential_acc', 'prequential_acc_plain', 'prequential_acc_reset']) expectAccuracy(s[k], 288, k);
    const a = experiment('async', ['--epochs', '1', '--steps', '100']);
    expect(Math.abs((a.energy_async as number) - (a.energy_sync as number)) / (a.energy_sync as number)).toBeLessThan(0.01);
  });

  it('concurrent: the last JSON line has the fields the issue names; layer groups reach the synchronous energy; a plot is written', () => {
    const c = experiment('concurrent', ['--epochs', '1', '--depth', '4', '--width', '16', '--steps', '60', '--rounds', '1', '--workers', '2']);
    expect(Object.keys(c).slice(0, 7)).toEqual(['experiment', 'workers', 'energy_sync', 'energy_concurrent', 'seconds_sync', 'seconds_concurrent', 'layers']);
    expect([c.experiment, c.workers, c.layers]).toEqual(['concurrent', 2, 6]);
    expect(Math.abs((c.energy_concurrent as number) - (c.energy_sync as number)) / (c.energy_sync as number)).toBeLessThan(0.01);
    for (const k of ['seconds_sync', 'seconds_concurrent', 'seconds_backprop_step']) expect(c[k] as number).toBeGreaterThan(0);
    expectAccuracy(c.accuracy_sync, 32, 'accuracy_sync'); // the relaxed batch: 32 of the 100 test images
    expect(existsSync(join(dir, 'concurrent', 'energy-vs-time.png'))).toBe(true);
    // --layers gives the same net; unequal hidden sizes are refused in one line.
    const same = experiment('concurrent', ['--epochs', '1', '--layers', '784,16,16,16,16,10', '--steps', '20', '--rounds', '1', '--workers', '1']);
    expect([same.layers, same.width]).toEqual([6, 16]);
    const many = pcn(['experiment', 'concurrent', '--data', data, '--depth', '3', '--workers', '12']);
    expect([many.status, many.stderr.trim()]).toEqual([
      1,
      'error: pcn experiment concurrent: --workers 12 is more layer groups than the net has layers (5); at most 5.',
    ]);
    const bad = pcn(['experiment', 'concurrent', '--data', data, '--layers', '784,16,8,10', '--json']);
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toMatch(/^error: pcn experiment concurrent: --layers must be n_0,w,…,w,n_L with equal hidden sizes/);
  });

  it('an unknown experiment name is a one-line error', () => {
    const r = pcn(['experiment', 'telepathy']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: /);
  });
});

describe('pcn compare and the forgetting experiment', () => {
  it('compare prints the JSON fields the issue names, with a FLOP ratio from the FLOP counts', () => {
    const r = pcn(['compare', '--data', data, '--epochs', '1', '--seeds', '1', '--threads', '1', '--json', '--t-sweep', '2']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/(?<![\d.])\b1 [a-z]+s\b|\(s\)/);
    const result = JSON.parse(r.stdout.trim());
    // One seed: each mean is that seed's accuracy on the 100 test images, and the spread is 0.
    for (const k of ['pc_acc_mean', 'bp_acc_mean']) expectAccuracy(result[k], 100, k);
    expect([result.pc_acc_std, result.bp_acc_std]).toEqual([0, 0]);
    for (const k of ['pc_seconds_per_epoch', 'bp_seconds_per_epoch']) expectWithin(result[k], 1e-6, 600, k);
    // GFLOP/s × seconds is the epoch's work: 300 images × 1.627136 MFLOP (PC, T = 8) or × 0.605696 MFLOP (backprop).
    expect(result.pc_gflops * result.pc_seconds_per_epoch).toBeCloseTo(300 * 1.627136e-3, 9);
    expect(result.bp_gflops * result.bp_seconds_per_epoch).toBeCloseTo(300 * 0.605696e-3, 9);
    expect(result.cosine).toHaveLength(4);
    // PC's updates approximate backprop's gradients (forward init, T = 8): a cosine, and a positive one.
    for (const c of result.cosine) expectWithin(c, 0.5, 1 + 1e-12, 'cosine');
    // FLOPs are linear in the rows: T = 8 PC costs 1.627136 MFLOP per image, backprop 0.605696.
    expect(result.flop_ratio).toBeCloseTo(1.627136 / 0.605696, 6);
    expect(result.t_sweep[0].steps).toBe(2);
    expectAccuracy(result.t_sweep[0].test_acc, 100, 't_sweep[0].test_acc');
  });

  it('forgetting (split) reports average accuracy and forgetting for both methods and both scenarios', () => {
    const result = experiment('forgetting', ['--seeds', '1']);
    expect(result.protocol).toBe('split');
    for (const method of ['pc', 'bp']) {
      // R[i][j]: accuracy on task j (two digits: 20 of the 100 test images) after training task i.
      const R = result[`${method}_matrix`] as number[][];
      expect(R).toHaveLength(5);
      for (const row of R) {
        expect(row).toHaveLength(5);
        for (const a of row) expectAccuracy(a, 20, `${method}_matrix`);
      }
      // The averages by their definition: mean_j R[4][j], and mean over j < 4 of max_{j ≤ i < 4} R[i][j] − R[4][j].
      expect(result[`${method}_avg_acc`]).toBeCloseTo(R[4].reduce((s, a) => s + a, 0) / 5, 12);
      let forgetting = 0;
      for (let j = 0; j < 4; j++) forgetting += Math.max(...R.slice(j, 4).map((row) => row[j])) - R[4][j];
      expect(result[`${method}_forgetting`]).toBeCloseTo(forgetting / 4, 12);
      // Task-incremental: a mean of five accuracies on 20 images each; one seed, so no spread.
      expectAccuracy(result[`${method}_avg_acc_task`], 100, `${method}_avg_acc_task`);
      expectWithin(result[`${method}_forgetting_task`], -1, 1, `${method}_forgetting_task`);
      expect([result[`${method}_avg_acc_std`], result[`${method}_forgetting_std`]]).toEqual([0, 0]);
    }
  });
});

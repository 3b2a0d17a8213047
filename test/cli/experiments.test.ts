/** `pcn generate` and `pcn experiment …` end to end on a tiny IDX dataset (fast settings; figures are measured by the real runs in docs/experiments.md). */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, encode } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { tinyMnist, writeTinyIdxDir } from '../data/fixtures.ts';
import { pcn } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'pcn-exp-'));
const data = join(dir, 'tiny');
beforeAll(() => writeTinyIdxDir(data));

function experiment(name: string, extra: string[]): Record<string, unknown> {
  const out = join(dir, name);
  const r = pcn(['experiment', name, '--data', data, '--out', out, '--json', '--threads', '1', ...extra]);
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]);
}

describe('pcn experiment', () => {
  it('generative: reports test_acc and writes sample and completion grids that decode to the right size', () => {
    const result = experiment('generative', ['--epochs', '1', '--eval-steps', '5']);
    expect(result.experiment).toBe('generative');
    expect(typeof result.test_acc).toBe('number');
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

  it('feedback: reports the three accuracies and one angle per layer', () => {
    const result = experiment('feedback', ['--epochs', '1']);
    expect(Object.keys(result)).toEqual(expect.arrayContaining(['acc_symmetric', 'acc_learned', 'acc_random', 'angle_deg']));
    expect(result.angle_deg).toHaveLength(4);
  });

  it('incremental, streaming and async report their figures', () => {
    expect(experiment('incremental', ['--epochs', '1']).test_acc).toEqual(expect.any(Number));
    expect(experiment('streaming', []).prequential_acc).toEqual(expect.any(Number));
    const a = experiment('async', ['--epochs', '1', '--steps', '100']);
    expect(Math.abs((a.energy_async as number) - (a.energy_sync as number)) / (a.energy_sync as number)).toBeLessThan(0.01);
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
    const result = JSON.parse(r.stdout.trim());
    for (const k of [
      'pc_acc_mean',
      'pc_acc_std',
      'bp_acc_mean',
      'bp_acc_std',
      'pc_seconds_per_epoch',
      'bp_seconds_per_epoch',
      'pc_gflops',
      'bp_gflops',
      'flop_ratio',
      'cosine',
    ]) {
      expect(result, k).toHaveProperty(k);
    }
    expect(result.cosine).toHaveLength(4);
    // FLOPs are linear in the rows: T = 8 PC costs 1.627136 MFLOP per image, backprop 0.605696.
    expect(result.flop_ratio).toBeCloseTo(1.627136 / 0.605696, 6);
    expect(result.t_sweep[0].steps).toBe(2);
  });

  it('forgetting (split) reports average accuracy and forgetting for both methods and both scenarios', () => {
    const result = experiment('forgetting', ['--seeds', '1']);
    expect(result.protocol).toBe('split');
    for (const k of ['pc_avg_acc', 'bp_avg_acc', 'pc_forgetting', 'bp_forgetting', 'pc_avg_acc_task', 'bp_forgetting_task'])
      expect(result[k], k).toEqual(expect.any(Number));
    expect(result.pc_matrix).toHaveLength(5);
  });
});

/** `pcn experiment depth` end to end on a tiny IDX dataset (fast settings; the real figures are in docs/experiments.md). */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeTinyIdxDir } from '../data/fixtures.ts';
import { expectAccuracy, expectWithin } from '../helpers/metrics.ts';
import { pcn } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'pcn-depth-'));
const data = join(dir, 'tiny');
beforeAll(() => writeTinyIdxDir(data));

function depth(out: string, extra: string[]): { result: Record<string, unknown>; stderr: string } {
  const r = pcn(['experiment', 'depth', '--data', data, '--out', join(dir, out), '--json', '--threads', '1', ...extra]);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).not.toMatch(/(?<![\d.])\b1 [a-z]+s\b|\(s\)/);
  const lines = r.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return { result: JSON.parse(lines[0]), stderr: r.stderr };
}

describe('pcn experiment depth', () => {
  it('trains the residual MLP under μPC and the standard parameterisation and prints the issue’s JSON fields first', () => {
    const { result, stderr } = depth('tiny-run', ['--depth', '4', '--width', '8', '--epochs', '1']);
    expect(Object.keys(result).slice(0, 6)).toEqual(['experiment', 'depth', 'width', 'epochs', 'acc_mupc', 'acc_standard']);
    expect([result.experiment, result.depth, result.width, result.epochs]).toEqual(['depth', 4, 8, 1]);
    // Accuracies on the tiny set's 100 test images.
    expectAccuracy(result.acc_mupc, 100, 'acc_mupc');
    if (result.diverged_standard === null) expectAccuracy(result.acc_standard, 100, 'acc_standard');
    for (const p of ['mupc', 'standard']) {
      expectAccuracy(result[`acc_${p}_init`], 100, `acc_${p}_init`);
      expect(result[`acc_${p}_per_epoch`]).toHaveLength(1);
      expectWithin(result[`s_per_epoch_${p}`], 1e-6, 600, `s_per_epoch_${p}`);
      // One energy per predicted layer, each a mean of ½‖eps_l‖² ≥ 0; the readout's is clamped to a one-hot target, never exactly met.
      const energies = result[`energy_per_layer_${p}`] as number[];
      expect(energies).toHaveLength(4);
      for (const e of energies) expectWithin(e, 0, 1e6, `energy_per_layer_${p}`);
      expect(energies[3]).toBeGreaterThan(0);
    }
    // μPC's scales for D = 784 inputs, width N = 8, L = 4 layers: input 1/√D, residual 1/√(N·L), readout 1/N.
    const scales = result.scales_mupc as number[];
    const expected = [1 / 28, 1 / Math.sqrt(32), 1 / Math.sqrt(32), 1 / 8];
    expect(scales).toHaveLength(4);
    for (const [i, s] of scales.entries()) expect(s).toBeCloseTo(expected[i], 12);
    expect([result.init_mupc, result.init_standard]).toEqual(['normal', 'uniform']);
    expect(stderr).toMatch(/mupc epoch 1: test \d+\.\d\d %/);
    expect(stderr).toMatch(/standard: every scale 1, W and b ~ U/);
    for (const f of ['accuracy.png', 'accuracy.svg', 'energy-per-layer.png', 'result.json']) expect(existsSync(join(dir, 'tiny-run', f)), f).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'tiny-run', 'result.json'), 'utf8'))).toEqual(result);
  });

  it('a run that diverges is reported, not fatal: the accuracy is measured on the weights as they stand', () => {
    // An x step of 1000 explodes the first relaxation of both runs, before any weight moves.
    const { result, stderr } = depth('diverging', ['--depth', '3', '--width', '4', '--epochs', '1', '--lr-x', '1000']);
    for (const p of ['mupc', 'standard']) {
      expect(result[`diverged_${p}`]).toMatch(/lower the relaxation step size/);
      expectAccuracy(result[`acc_${p}`], 100, `acc_${p}`);
      // No weight moved: the accuracy as it stands is the one before training.
      expect(result[`acc_${p}`]).toBe(result[`acc_${p}_init`]);
      expect(result[`acc_${p}_per_epoch`]).toEqual([]);
      expect(result[`s_per_epoch_${p}`]).toBeNull();
    }
    expect(stderr).toMatch(/standard diverged in epoch 1/);
  });

  it('at depth 128 the standard parameterisation blows up; its accuracy is null, not an argmax over NaN', () => {
    // Unit branch scales: the forward pass grows ~(7/6)^126 in variance, and Adam's lr 0.1 turns the weights non-finite within two batches.
    const { result, stderr } = depth('deep', ['--depth', '128', '--width', '128', '--epochs', '1']);
    expect(result.diverged_mupc).toBeNull();
    expectAccuracy(result.acc_mupc, 100, 'acc_mupc');
    expect(result.diverged_standard).toMatch(/the weights have blown up/);
    expect(result.acc_standard).toBeNull();
    expectAccuracy(result.acc_standard_init, 100, 'acc_standard_init');
    expect(stderr).toMatch(/standard test accuracy as it stands: n\/a \(the outputs are no longer finite\)/);
    expect(result.energy_per_layer_mupc).toHaveLength(128);
  });

  it.each([
    ['--depth', '2', "option '--depth <L>' argument '2' is invalid. expected an integer in 3..10000."],
    ['--width', '0', "option '--width <N>' argument '0' is invalid. expected an integer in 1..65536."],
  ])('%s %s is a one-line usage error, before any data is read', (flag, value, message) => {
    // The data folder does not exist: the option is refused first.
    const r = pcn(['experiment', 'depth', flag, value, '--data', join(dir, 'missing')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`error: ${message} (run pcn experiment --help for usage)\n`);
  });
});

/** `pcn train --arch`, `pcn info` and `pcn compare --arch`: presets and JSON files on small generated data, resuming, and every refusal in one line. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '../../packages/predictive-coding/src/train/index.ts';
import { writeCifarDir } from '../data/cifar-fixtures.ts';
import { writeTinyIdxDir } from '../data/fixtures.ts';
import { pcn } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'pcn-arch-'));
const mnist = join(dir, 'mnist');
const mnist8 = join(dir, 'mnist-8x8');
const cifar = join(dir, 'cifar');
beforeAll(() => {
  writeTinyIdxDir(mnist, 64, 16);
  writeTinyIdxDir(mnist8, 64, 16, 8);
  writeCifarDir(cifar, 4, 6);
});

const run = (data: string, ...args: string[]) => ['train', '--data', data, '--batch', '16', '--threads', '1', '--no-progress', '--steps', '2', ...args];
const oneLine = (r: { status: number | null; stderr: string }) => {
  expect(r.status).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0];
};

describe('pcn train --arch', () => {
  it('cnn on 28×28 grey images: trains, stores the layer specs in the checkpoint, and pcn info lists them', () => {
    const out = join(dir, 'cnn');
    const r = pcn([...run(mnist, '--arch', 'cnn', '--epochs', '1', '--out', out, '--json')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/pcn train: cnn \(784-6272-3136-128-10\)/);
    expect(r.stderr).toContain('x_1 [14, 14, 32] ← conv2d 3×3 ×32 pad 1 + max-pool 2');
    const ckpt = decodeCheckpoint(readFileSync(join(out, 'model.safetensors')), 'model');
    expect(ckpt.config.layers.map((s) => s.kind)).toEqual(['conv2d', 'conv2d', 'dense', 'dense']);
    expect(ckpt.config.inputShape).toEqual([28, 28, 1]);
    const info = pcn(['info', '--model', join(out, 'model.safetensors')]);
    expect(info.stdout).toContain('layer       x_2 [7, 7, 64] ← conv2d 3×3 ×64 pad 1 + max-pool 2');
    expect(info.stdout).toMatch(/parameters {2}421,642/);
    const json = JSON.parse(pcn(['info', '--model', join(out, 'model.safetensors'), '--json']).stdout) as { architecture: { layers: unknown[] } };
    expect(json.architecture.layers).toHaveLength(4);
  });

  it('cnn-cifar on 32×32 colour images, and resmlp with μPC: one epoch each, and a resumed --arch run continues', () => {
    const c = pcn([...run(cifar, '--arch', 'cnn-cifar', '--epochs', '1', '--out', join(dir, 'cifar-run'))]);
    expect(c.status, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/cnn-cifar \(3072-8192-4096-2048-128-10\)/);
    const out = join(dir, 'resmlp');
    const r = pcn([...run(mnist, '--arch', 'resmlp', '--depth', '4', '--width', '8', '--epochs', '1', '--out', out)]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/resmlp depth 4 width 8 \(784-8-8-8-10, μPC\)/);
    expect(r.stdout).toContain('x_2 [1, 1, 8] ← x + dense, scale 0.177');
    // μPC's own settings where no flag is given (pcn experiment depth's).
    expect(r.stdout).toMatch(/discriminative relu, standard schedule, .*T=2, batch 16, x step 0\.05, momentum 0, adam lr 0\.1/);
    const resumed = pcn(['train', '--resume', out, '--epochs', '2', '--no-progress']);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(decodeCheckpoint(readFileSync(join(out, 'checkpoint.safetensors')), 'ckpt').config.parameterisation).toBe('mupc');
    expect(oneLine(pcn(['train', '--resume', out, '--epochs', '3', '--depth', '5']))).toMatch(/--depth 5 differs from 4/);
    // The run's own parameterisation, given again, is no change.
    expect(pcn(['train', '--resume', out, '--epochs', '3', '--parameterisation', 'mupc', '--no-progress']).status).toBe(0);
  });

  it('--output-weight β: the output precision is in the header, the checkpoint and the run, and resume keeps it', () => {
    const out = join(dir, 'beta');
    const r = pcn([...run(mnist8, '--arch', 'cnn', '--epochs', '1', '--output-weight', '0.1', '--out', out)]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/leaky-relu, output weight β 0\.1, standard schedule/);
    const config = () => decodeCheckpoint(readFileSync(join(out, 'checkpoint.safetensors')), 'ckpt').config;
    expect(config().outputWeight).toBe(0.1);
    const info = pcn(['info', '--model', join(out, 'model.safetensors')]);
    expect(info.stdout).toMatch(/output energy mse weighted β 0\.1/);
    expect(JSON.parse(pcn(['info', '--model', join(out, 'model.safetensors'), '--json']).stdout).output_weight).toBe(0.1);
    expect(oneLine(pcn(['train', '--resume', out, '--epochs', '2', '--output-weight', '0.5']))).toMatch(/--output-weight 0\.5 differs from 0\.1/);
    expect(pcn(['train', '--resume', out, '--epochs', '2', '--no-progress']).status).toBe(0);
    expect(config().outputWeight).toBe(0.1);
  });

  it('a JSON file: specs with the classes and input shape from the data, refused when it does not fit the data', () => {
    const file = join(dir, 'net.json');
    writeFileSync(file, JSON.stringify({ layers: [{ kind: 'conv2d', channels: 3, kernel: 3, stride: 2, padding: 1, residual: false }, { kind: 'dense' }] }));
    const r = pcn([...run(mnist8, '--arch', file, '--epochs', '1', '--out', join(dir, 'file-run'))]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/custom \(64-48-10\)/);
    writeFileSync(file, JSON.stringify({ inputShape: [8, 8, 1], layers: [{ kind: 'dense' }] }));
    expect(oneLine(pcn([...run(mnist, '--arch', file)]))).toMatch(
      /--arch .*net.json: the network takes 64 values in and gives 10 out, but .* needs 784 in \(28×28×1\)/,
    );
    writeFileSync(file, JSON.stringify({ layers: [{ kind: 'conv2d', channels: 3, kernel: 3 }] }));
    expect(oneLine(pcn([...run(mnist, '--arch', file)]))).toMatch(
      /gives 2028 out, but .* needs 784 in .* and 10 out .* End the layers with \{ "kind": "dense" \}/,
    );
    writeFileSync(file, JSON.stringify({ layers: [{ kind: 'conv2d', channels: 3, kernel: 3, pool: { kind: 'max', size: 2, strde: 2 } }, { kind: 'dense' }] }));
    expect(oneLine(pcn([...run(mnist, '--arch', file)]))).toMatch(/pool has unknown field 'strde'/);
    writeFileSync(file, JSON.stringify({ layers: [{ kind: 'conv2d', channels: 3, kernel: [3, 3, 3] }, { kind: 'dense' }] }));
    expect(oneLine(pcn([...run(mnist, '--arch', file)]))).toMatch(/kernel must be one integer \(square\) or \[height, width\], got \[3, 3, 3\]/);
    writeFileSync(file, '{ "layers": [');
    expect(oneLine(pcn([...run(mnist, '--arch', file)]))).toMatch(/--arch .*net.json: not valid JSON/);
    writeFileSync(file, JSON.stringify({ layers: [{ kind: 'conv2d', channels: 2 }, { kind: 'dense' }] }));
    expect(oneLine(pcn([...run(mnist, '--arch', file)]))).toMatch(/--arch .*net.json: .*layers\[0\]/);
  });

  it('refuses flags that do not go together, naming them', () => {
    expect(oneLine(pcn([...run(mnist, '--arch', 'cnn', '--layers', '784,16,10')]))).toBe(
      'error: --layers and --arch cnn both describe the network; give one of them.',
    );
    expect(oneLine(pcn([...run(mnist, '--depth', '5')]))).toBe('error: --depth applies only to --arch resmlp. Leave it out, or add --arch resmlp.');
    expect(oneLine(pcn([...run(mnist, '--arch', 'mlp', '--layers', '784,16,10')]))).toBe(
      'error: --layers and --arch mlp both describe the network; give one of them.',
    );
    expect(oneLine(pcn([...run(mnist, '--arch', 'vgg')]))).toMatch(
      /--arch: 'vgg' is neither a preset \(mlp, cnn, cnn-cifar, resmlp\) nor an existing JSON file/,
    );
    expect(oneLine(pcn([...run(mnist, '--arch', 'cnn', '--orientation', 'generative')]))).toMatch(/--arch cnn is a discriminative network/);
    expect(oneLine(pcn(['train', '--data', mnist, '--arch', 'cnn', '--schedule', 'streaming']))).toMatch(/--arch cnn does not apply to --schedule streaming/);
    expect(oneLine(pcn([...run(mnist, '--arch', 'resmlp', '--depth', '2')]))).toMatch(/--depth/);
  });
});

describe('pcn compare --arch', () => {
  it('runs PC and backprop on the same conv net and reports both', () => {
    const r = pcn([
      'compare',
      '--data',
      mnist8,
      '--arch',
      'cnn',
      '--epochs',
      '1',
      '--seeds',
      '1',
      '--steps',
      '2',
      '--lr-w',
      '0.001',
      '--threads',
      '1',
      '--json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as {
      arch: string;
      parameterisation: string;
      sizes: number[];
      pc_acc_mean: number;
      bp_acc_mean: number;
      cosine: number[];
    };
    expect(result.arch).toBe('cnn');
    expect(result.parameterisation).toBe('standard');
    expect((JSON.parse(r.stdout) as { lr_w: number }).lr_w).toBe(0.001);
    expect(result.sizes).toEqual([64, 512, 256, 128, 10]);
    expect(result.cosine).toHaveLength(4);
    for (const c of result.cosine) expect(Math.abs(c)).toBeLessThanOrEqual(1);
    // The top layer's PC update starts as backprop's gradient (same output error after a forward pass).
    expect(result.cosine[3]).toBeGreaterThan(0.5);
    expect(result.pc_acc_mean).toBeGreaterThanOrEqual(0);
  });

  it("takes the x step, its momentum, the output loss and the first seed, and records them with each seed's accuracy", () => {
    const args = ['compare', '--data', mnist8, '--arch', 'cnn', '--epochs', '1', '--seeds', '1', '--steps', '2', '--threads', '1', '--json'];
    const r = pcn([...args, '--lr-x', '0.1', '--momentum-x', '0.5', '--output-energy', 'ce', '--first-seed', '2', '--output-weight', '0.1']);
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as Record<string, unknown>;
    expect([result.lr_x, result.momentum_x, result.output_energy, result.output_weight, result.seed_list]).toEqual([0.1, 0.5, 'ce', 0.1, [2]]);
    expect(result.pc_acc).toEqual([result.pc_acc_mean]);
    expect(result.bp_acc).toEqual([result.bp_acc_mean]);
    expect(r.stderr).toMatch(/x step 0\.1, momentum 0\.5\) and backprop: .* ce output \(PC's weighted β 0\.1\)/);
    // One list of per-epoch accuracies per seed, ending in the seed's final accuracy.
    const perEpoch = result.pc_acc_per_epoch as number[][];
    expect(perEpoch).toHaveLength(1);
    expect(perEpoch[0]).toHaveLength(1);
    expect(perEpoch[0][0]).toBe(result.pc_acc_mean);
    expect((result.bp_acc_per_epoch as number[][])[0][0]).toBe(result.bp_acc_mean);
    // Seeds run past the largest are refused before any data is read.
    expect(oneLine(pcn([...args, '--first-seed', '4294967295', '--seeds', '2']))).toMatch(/--first-seed 4294967295 with --seeds 2 runs past the largest seed/);
    // Momentum 1 never forgets a step: refused in one line naming the flag.
    expect(oneLine(pcn([...args, '--momentum-x', '1']))).toMatch(/--momentum-x/);
  });
});

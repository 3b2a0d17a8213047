/**
 * Assets of the browser lab, made from what the package already has (no
 * download): the embedded MNIST digits as gzip IDX files, and two checkpoints
 * trained on them with fixed seeds — a discriminative MLP for classifying a
 * drawn digit, and a generative network for drawing and completing digits.
 *
 *   npm run build:lab   (runs this, then vite build)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { loadEmbedded } from '../src/cli/datasets.ts';
import { createConfig, initModel, initWorkspace } from '../src/core/index.ts';
import { type Dataset, encodeIdx } from '../src/data/index.ts';
import { createBackend } from '../src/kernels/index.ts';
import { createRng } from '../src/random.ts';
import { encodeCheckpoint, evaluate, fit, initOptimizer } from '../src/train/index.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'lab/public');

function idx(dims: number[], data: Uint8Array): Uint8Array {
  return gzipSync(encodeIdx(dims, data), { level: 9 });
}

function writeIdx(dir: string, prefix: string, d: Dataset): void {
  writeFileSync(
    join(dir, `${prefix}-images-idx3-ubyte.gz`),
    idx(
      [d.count, 28, 28],
      Uint8Array.from(d.images, (v) => Math.round(v * 255)),
    ),
  );
  writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte.gz`), idx([d.count], d.labels));
}

async function main(): Promise<void> {
  const { train, test } = loadEmbedded();
  const dataDir = join(out, 'data');
  mkdirSync(dataDir, { recursive: true });
  writeIdx(dataDir, 'train', train);
  writeIdx(dataDir, 't10k', test);
  mkdirSync(join(out, 'models'), { recursive: true });
  const backend = await createBackend('wasm', { threads: 'auto' });
  const relax = { steps: 8, lr: 0.05, momentum: 0.9, tolerance: 0 };

  const disc = initModel(createConfig({ sizes: [784, 128, 128, 128, 10], activation: 'leaky-relu' }), backend, createRng(0));
  const dws = initWorkspace(disc, 128, backend);
  await fit(disc, initOptimizer(disc, { name: 'adamw', lr: 5e-4, weightDecay: 0.01 }, backend), dws, train, null, {
    epochs: 30,
    batchSize: 128,
    seed: 0,
    lrSchedule: 'warmup-cosine',
    train: { init: 'forward', relax },
  });
  const discAcc = evaluate(disc, dws, test);
  writeFileSync(join(out, 'models/discriminative.safetensors'), encodeCheckpoint(disc, { metadata: { data: 'mnist-embedded', test_acc: String(discAcc) } }));

  const gen = initModel(createConfig({ sizes: [10, 256, 256, 784], activation: 'leaky-relu', orientation: 'generative' }), backend, createRng(0));
  const gws = initWorkspace(gen, 128, backend);
  await fit(gen, initOptimizer(gen, { name: 'adamw', lr: 5e-4, weightDecay: 0.01 }, backend), gws, train, null, {
    epochs: 8,
    batchSize: 128,
    seed: 0,
    lrSchedule: 'warmup-cosine',
    train: { init: 'forward', relax: { ...relax, lr: 0.02 } },
  });
  writeFileSync(join(out, 'models/generative.safetensors'), encodeCheckpoint(gen, { metadata: { data: 'mnist-embedded' } }));
  backend.dispose();
  console.log(
    `lab assets in ${out}: embedded digits (${train.count} + ${test.count}), discriminative model (held-out accuracy ${(100 * discAcc).toFixed(2)} %), generative model`,
  );
}

await main();

/**
 * Assets of the browser lab, made from what the package already has (no
 * download): the embedded MNIST digits as gzip IDX files, and two checkpoints
 * trained on them with fixed seeds — a discriminative MLP for classifying a
 * drawn digit, and a generative network for drawing and completing digits.
 *
 *   npm run build:lab   (runs this, then vite build)
 *
 * The assets are cached: models/assets.hash records the fingerprint of what
 * made them (lab-assets-hash.ts), and an unchanged fingerprint skips the work.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { trainLabNet } from '../lab/src/lab-models.ts';
import { type Dataset, encodeIdx, loadEmbeddedDigits } from '../packages/predictive-coding/src/data/index.ts';
import { createBackend } from '../packages/predictive-coding/src/kernels/index.ts';
import { encodeCheckpoint, evaluate, GENERATIVE_MLP, PCX_MLP } from '../packages/predictive-coding/src/train/index.ts';
import { labAssetsHash } from './lab-assets-hash.ts';

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

const ASSETS = [
  'data/train-images-idx3-ubyte.gz',
  'data/train-labels-idx1-ubyte.gz',
  'data/t10k-images-idx3-ubyte.gz',
  'data/t10k-labels-idx1-ubyte.gz',
  'models/discriminative.safetensors',
  'models/generative.safetensors',
];
const STAMP = join(out, 'models/assets.hash');

async function main(): Promise<void> {
  const hash = labAssetsHash(root);
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === hash && ASSETS.every((f) => existsSync(join(out, f)))) {
    console.log(`lab assets in ${out} are up to date (inputs' hash ${hash.slice(0, 12)}): not retrained`);
    return;
  }
  const { train, test } = await loadEmbeddedDigits();
  const dataDir = join(out, 'data');
  mkdirSync(dataDir, { recursive: true });
  writeIdx(dataDir, 'train', train);
  writeIdx(dataDir, 't10k', test);
  mkdirSync(join(out, 'models'), { recursive: true });
  const backend = await createBackend('wasm', { threads: 'auto' });
  const disc = await trainLabNet(PCX_MLP, backend, train, null, 30, 0);
  const discAcc = evaluate(disc.model, disc.workspace, test);
  writeFileSync(
    join(out, 'models/discriminative.safetensors'),
    encodeCheckpoint(disc.model, { metadata: { data: 'mnist-embedded', test_acc: String(discAcc) } }),
  );
  const gen = await trainLabNet(GENERATIVE_MLP, backend, train, null, 8, 0);
  writeFileSync(join(out, 'models/generative.safetensors'), encodeCheckpoint(gen.model, { metadata: { data: 'mnist-embedded' } }));
  backend.dispose();
  // Written last: an interrupted build leaves no stamp, so the next one starts over.
  writeFileSync(STAMP, `${hash}\n`);
  console.log(
    `lab assets in ${out}: embedded digits (${train.count} + ${test.count}), discriminative model (held-out accuracy ${(100 * discAcc).toFixed(2)} %), generative model`,
  );
}

await main();

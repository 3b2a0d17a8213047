/**
 * The PCX benchmark configuration (DESIGN §3) on full MNIST and Fashion-MNIST:
 * 784-128-128-128-10, batch 128, T = 8, x by SGD with momentum, W by AdamW.
 * Per epoch: held-out accuracy, seconds and achieved GFLOP/s (matmul FLOPs
 * counted by pcEpochFlops), next to this machine's measured matmul peak.
 *
 *   npm run bench [-- --seeds 3] [--epochs 25] [--datasets mnist,fashion-mnist]
 *                 [--mnist DIR] [--fashion-mnist DIR] [--threads N] [--backend cpu|native|wasm|webgpu] [--json]
 *
 * --backend cpu (the default) is native where its addon is built, else wasm.
 * --backend webgpu trains on the GPU (a deferred backend: energies read once per
 * batch); over SwiftShader, Chromium's CPU driver, it is ~200× slower than wasm —
 * its figures mean something only on a GPU. The matmul peak is the CPU backend's own (wasm or native).
 *
 * Accuracy is reported for the last epoch (not the best), as mean ± std over seeds.
 * Hyperparameters are `pcn train`'s defaults, except the weight learning rate
 * on Fashion-MNIST (3e-4, DESIGN §3's PCX value; MNIST uses the default 5e-4,
 * which `pcn train --epochs 3` needs to pass 97 %). PCX also tuned per dataset.
 * --lr-w sets it for both.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { TRAIN_DEFAULTS } from '../packages/pcn/src/commands/train.ts';
import { integer, number, positive } from '../packages/pcn/src/options.ts';
import { createConfig, initModel, initWorkspace } from '../packages/predictive-coding/src/core/index.ts';
import type { Activation, Backend, BackendArray } from '../packages/predictive-coding/src/kernels/index.ts';
import { createBackend } from '../packages/predictive-coding/src/kernels/index.ts';
import { cpuBackendName } from '../packages/predictive-coding/src/kernels/native/native-backend.ts';
import { loadIdxFolder } from '../packages/predictive-coding/src/node/index.ts';
import { createRng } from '../packages/predictive-coding/src/random.ts';
import { fit, initOptimizer, meanStd, pcEpochFlops } from '../packages/predictive-coding/src/train/index.ts';

const { values } = parsed(() =>
  parseArgs({
    options: {
      seeds: { type: 'string', default: '1' },
      epochs: { type: 'string', default: '25' },
      datasets: { type: 'string', default: 'mnist,fashion-mnist' },
      mnist: { type: 'string', default: '../shared/data/mnist' },
      'fashion-mnist': { type: 'string', default: '../shared/data/fashion-mnist' },
      threads: { type: 'string', default: '2' },
      backend: { type: 'string', default: 'cpu' },
      activation: { type: 'string', default: TRAIN_DEFAULTS.activation },
      'lr-x': { type: 'string', default: String(TRAIN_DEFAULTS.lrX) },
      'momentum-x': { type: 'string', default: String(TRAIN_DEFAULTS.momentumX) },
      'lr-w': { type: 'string' },
      'weight-decay': { type: 'string', default: String(TRAIN_DEFAULTS.weightDecay) },
      'output-energy': { type: 'string', default: TRAIN_DEFAULTS.outputEnergy },
      steps: { type: 'string', default: String(TRAIN_DEFAULTS.steps) },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  }),
);

/** Per-dataset weight learning rates (see the file comment). */
const LR_W: Record<string, number> = { mnist: TRAIN_DEFAULTS.lrW, 'fashion-mnist': 3e-4 };

// The same parsers and bounds as pcn train's flags (packages/pcn/src/options.ts).
const seeds = option('--seeds', integer(1, 1_000), values.seeds);
const epochs = option('--epochs', integer(1, 100_000), values.epochs);
const steps = option('--steps', integer(1, 10_000), values.steps);
const lrX = option('--lr-x', positive, values['lr-x']);
const momentumX = option('--momentum-x', number(0, 0.999), values['momentum-x']);
const weightDecay = option('--weight-decay', number(0), values['weight-decay']);
const lrWGiven = values['lr-w'] === undefined ? undefined : option('--lr-w', positive, values['lr-w']);

/** Options that do not parse end the run in one line (a usage error, exit 1), before anything is measured. */
function parsed<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    return fail(`${e instanceof Error ? e.message : String(e)} (usage: see the comment at the top of bench/pcx.ts)`);
  }
}

function option<T>(flag: string, parse: (text: string) => T, text: string): T {
  try {
    return parse(text);
  } catch (e) {
    return fail(`${flag}: ${e instanceof Error ? e.message : String(e)} Got '${text}'.`);
  }
}

function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(1);
}
const emit = (obj: Record<string, unknown>, text: string) => console.log(values.json ? JSON.stringify(obj) : text);

/** Best GFLOP/s of the 256x784·784x256 product on this backend: the machine's matmul peak as we reach it (null on a deferred backend). */
function matmulPeak<T extends BackendArray>(backend: Backend<T>): number | null {
  if (backend.deferred) return null;
  const [m, k, n] = [256, 784, 256];
  const a = backend.alloc(m * k);
  const b = backend.alloc(k * n);
  backend.fill(a, 0.5, m * k);
  backend.fill(b, 0.25, k * n);
  const c = backend.alloc(m * n);
  let best = 0;
  for (let rep = 0; rep < 30; rep++) {
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) backend.matmul(a, b, c, m, k, n);
    best = Math.max(best, (2 * m * k * n * 10) / ((performance.now() - t0) / 1000) / 1e9);
  }
  for (const x of [a, b, c]) backend.free(x);
  return best;
}

async function main(): Promise<void> {
  if (values.backend === 'cpu') values.backend = await cpuBackendName();
  if (values.backend === 'webgpu') await run(await createBackend('webgpu'));
  else if (values.backend === 'wasm' || values.backend === 'native') await run(await createBackend(values.backend, { threads: Number(values.threads) }));
  else throw new Error(`--backend: expected cpu, native, wasm or webgpu, got '${values.backend}'.`);
}

async function run<T extends BackendArray>(backend: Backend<T>): Promise<void> {
  const peak = matmulPeak(backend);
  const peakText = peak === null ? 'matmul peak: see bench:kernels' : `matmul peak ${peak.toFixed(1)} GFLOP/s (256x784·784x256)`;
  emit(
    {
      kind: 'machine',
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      node: process.version,
      backend: backend.name,
      threads: backend.threads,
      matmul_peak_gflops: peak === null ? null : Math.round(peak * 10) / 10,
    },
    `machine: ${cpus()[0]?.model}, ${cpus().length} cores, Node ${process.version}; ${backend.name === 'webgpu' ? 'webgpu' : `${backend.name} × ${backend.threads} threads`}; ${peakText}`,
  );
  const summary: Record<string, unknown>[] = [];
  for (const name of values.datasets.split(',')) {
    const dir = name === 'mnist' ? values.mnist : name === 'fashion-mnist' ? values['fashion-mnist'] : '';
    if (!dir) throw new Error(`--datasets: unknown dataset '${name}'; expected mnist and/or fashion-mnist.`);
    // Errors name the flag the folder came from (--mnist / --fashion-mnist).
    const data = await loadIdxFolder(dir, `--${name}`);
    const config = createConfig({
      sizes: [784, 128, 128, 128, 10],
      activation: values.activation as Activation,
      outputEnergy: values['output-energy'] as 'mse' | 'ce',
    });
    const flops = pcEpochFlops(config, steps, data.train.count, 128);
    const lrW = lrWGiven ?? LR_W[name];
    emit(
      {
        kind: 'config',
        dataset: name,
        sizes: config.sizes,
        activation: values.activation,
        steps,
        lr_x: lrX,
        momentum_x: momentumX,
        lr_w: lrW,
        weight_decay: weightDecay,
        output_energy: config.outputEnergy,
        schedule: 'warmup-cosine',
        epochs,
        seeds,
      },
      `${name}: ${config.sizes.join('-')} ${values.activation}, T=${steps}, x: SGD lr ${lrX} momentum ${momentumX}; W: AdamW lr ${lrW} wd ${weightDecay}, warmup-cosine; ${epochs} epoch${epochs > 1 ? 's' : ''} × ${seeds} seed${seeds > 1 ? 's' : ''}`,
    );
    const finals: number[] = [];
    const secs: number[] = [];
    for (let seed = 0; seed < seeds; seed++) {
      const model = initModel(config, backend, createRng(seed));
      const ws = initWorkspace(model, 128, backend);
      const opt = initOptimizer(model, { name: 'adamw', lr: lrW, weightDecay }, backend);
      const history = await fit(model, opt, ws, data.train, data.test, {
        epochs,
        batchSize: 128,
        seed,
        lrSchedule: 'warmup-cosine',
        train: { init: 'forward', relax: { steps, lr: lrX, momentum: momentumX, tolerance: 0 } },
        onEpoch: (s) => {
          secs.push(s.seconds);
          emit(
            { kind: 'epoch', dataset: name, seed, epoch: s.epoch, test_acc: s.testAccuracy, seconds: s.seconds, gflops: flops / s.seconds / 1e9 },
            `${name} seed ${seed} epoch ${String(s.epoch).padStart(2)}: test ${(100 * s.testAccuracy).toFixed(2)} %  ${s.seconds.toFixed(2)} s  ${(flops / s.seconds / 1e9).toFixed(1)} GFLOP/s`,
          );
        },
      });
      finals.push(history.at(-1)!.testAccuracy);
    }
    const acc = meanStd(finals);
    const sec = meanStd(secs);
    const row = {
      kind: 'summary',
      dataset: name,
      seeds,
      epochs,
      test_acc_mean: acc.mean,
      test_acc_std: acc.std,
      seconds_per_epoch: sec.mean,
      gflops: flops / sec.mean / 1e9,
      gflop_per_epoch: flops / 1e9,
      peak_fraction: peak === null ? null : flops / sec.mean / 1e9 / peak,
    };
    summary.push(row);
    emit(
      row,
      `${name}: last-epoch test accuracy ${(100 * acc.mean).toFixed(2)} ± ${(100 * acc.std).toFixed(2)} % over ${seeds} seed${seeds > 1 ? 's' : ''}; ` +
        `${sec.mean.toFixed(2)} s/epoch, ${(flops / 1e9).toFixed(1)} GFLOP/epoch, ${(flops / sec.mean / 1e9).toFixed(1)} GFLOP/s` +
        (peak === null ? '' : ` = ${((100 * flops) / sec.mean / 1e9 / peak).toFixed(0)} % of the matmul peak`),
    );
  }
  backend.dispose();
}

main().catch((e: unknown) => {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});

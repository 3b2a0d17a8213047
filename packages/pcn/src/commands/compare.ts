/**
 * `pcn compare`: predictive coding and backprop on identical configurations
 * (same network, initial weights, batches, optimiser and schedule, same
 * kernels): test accuracy, time and achieved GFLOP/s per epoch, and per layer
 * the cosine between PC's weight updates and backprop's gradients on the same
 * batch over training.
 */

import type { Command } from 'commander';
import { createConfig, initModel, initWorkspace, type OutputEnergy, PARAMETERISATIONS, type Parameterisation, type PcnConfig } from 'predictive-coding/core';
import type { Split } from 'predictive-coding/data';
import { PcError } from 'predictive-coding/errors';
import { type Backend, type BackendArray, cpuBackendName, createBackend } from 'predictive-coding/kernels';
import { loadDataset } from 'predictive-coding/node';
import { createRng, MAX_SEED } from 'predictive-coding/random';
import {
  ARCHITECTURES,
  bpEpochFlops,
  createGradientAgreement,
  describeArchitecture,
  type EpochStats,
  fit,
  initOptimizer,
  meanStd,
  pcEpochFlops,
  recordBackpropGradients,
} from 'predictive-coding/train';
import { resolveArch } from '../arch.ts';
import { choice, integer, integers, number, positive, seed as seedOption, threads } from '../options.ts';
import { count } from '../plural.ts';
import { warn } from '../warn.ts';
import { TRAIN_DEFAULTS } from './train.ts';

interface CompareOptions {
  data: string;
  arch?: string;
  depth?: number;
  width?: number;
  parameterisation?: Parameterisation;
  steps: number;
  lrW: number;
  lrX: number;
  momentumX: number;
  outputEnergy: OutputEnergy;
  outputWeight: number;
  epochs: number;
  seeds: number;
  firstSeed: number;
  threads: number | 'auto';
  backend: 'cpu' | 'wasm' | 'native' | 'js' | 'webgpu';
  tSweep?: number[];
  cosineEvery: number;
  json: boolean;
}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('predictive coding vs backprop on the same engine, network and data')
    .option('--data <spec>', "'mnist-embedded' or a directory with the four IDX files or CIFAR-10's binary batches", 'mnist-embedded')
    .option('--arch <name|file>', `network: a preset (${ARCHITECTURES.join('|')}; default mlp) or a JSON file, as for pcn train`)
    .option('--depth <L>', 'resmlp: predicted layers (default 8)', integer(3, 10_000))
    .option('--width <n>', 'resmlp: units per hidden layer (default 128)', integer(1, 65_536))
    .option('--parameterisation <p>', `branch scales: ${PARAMETERISATIONS.join('|')} (default: standard; resmlp: mupc)`, choice(PARAMETERISATIONS))
    .option('--steps <T>', 'PC relaxation steps per batch', integer(1, 10_000), TRAIN_DEFAULTS.steps)
    .option('--lr-w <F>', 'AdamW learning rate of both methods (warm-up + cosine)', positive, TRAIN_DEFAULTS.lrW)
    .option('--lr-x <F>', 'PC relaxation step size', positive, TRAIN_DEFAULTS.lrX)
    .option('--momentum-x <F>', 'PC relaxation momentum, 0: Euler', number(0, 0.999), TRAIN_DEFAULTS.momentumX)
    .option('--output-energy <e>', 'output loss of both methods: mse|ce', choice(['mse', 'ce'] as const), TRAIN_DEFAULTS.outputEnergy)
    .option(
      '--output-weight <β>',
      "PC: the output energy's weight (precision) β; small β is the weak-output-error regime, where PC's updates approach backprop's gradients",
      positive,
      1,
    )
    .option('--epochs <n>', 'epochs per run', integer(1, 10_000), 10)
    .option('--seeds <n>', 'seeds per method: first-seed, first-seed + 1, …', integer(1, 100), 3)
    .option(
      '--first-seed <n>',
      'the first seed (to split a long comparison into runs of one seed: their pc_acc and bp_acc lists together give the mean ± std)',
      seedOption,
      0,
    )
    .option('--threads <n>', "matmul threads or 'auto'", threads, 'auto' as const)
    .option(
      '--backend <name>',
      "kernels of both methods: cpu|native|wasm|js|webgpu (cpu: native where npm install built its C++ addon, else wasm; a GPU: each batch's numbers read once; the cosine probes' work then runs inside the epoch's time — raise --cosine-every to time PC alone)",
      choice(['cpu', 'native', 'wasm', 'js', 'webgpu'] as const),
      'cpu' as const,
    )
    .option('--t-sweep <list>', 'also train PC (the first seed) with each of these relaxation step counts, e.g. 1,2,4,8', integers(1, 10_000))
    .option('--cosine-every <n>', 'compare PC updates with backprop gradients every n batches', integer(1, 1_000_000), 25)
    .option('--json', 'print one JSON object (the result) on stdout', false)
    .action(async (opts: CompareOptions) => {
      await runCompare(opts);
    });
}

type Method = 'pc' | 'backprop';

interface Run {
  readonly history: EpochStats[];
  /** Seconds per epoch without the cosine probes. */
  readonly seconds: number[];
  /** Mean cosine per layer over the probes (PC only). */
  readonly cosine: number[];
}

interface RunSettings {
  readonly config: PcnConfig;
  readonly data: Split;
  readonly method: Method;
  readonly seed: number;
  readonly epochs: number;
  readonly relax: { steps: number; lr: number; momentum: number };
  readonly lrW: number;
  readonly cosineEvery: number;
  readonly log: (s: string) => void;
}

async function train(run: RunSettings, backendName: CompareOptions['backend'], threadsOpt: number | 'auto'): Promise<Run> {
  const name = backendName === 'cpu' ? await cpuBackendName() : backendName;
  return name === 'webgpu' ? trainOn(await createBackend('webgpu'), run) : trainOn(await createBackend(name, { threads: threadsOpt }), run);
}

async function trainOn<T extends BackendArray>(backend: Backend<T>, run: RunSettings): Promise<Run> {
  const { config, data, method, seed, epochs, relax, lrW, cosineEvery, log } = run;
  try {
    const model = initModel(config, backend, createRng(seed));
    const ws = initWorkspace(model, TRAIN_DEFAULTS.batch, backend);
    const probe = method === 'pc' ? initWorkspace(model, TRAIN_DEFAULTS.batch, backend) : null;
    const opt = initOptimizer(model, { name: 'adamw', lr: lrW, weightDecay: TRAIN_DEFAULTS.weightDecay }, backend);
    const batches = Math.ceil(data.train.count / TRAIN_DEFAULTS.batch);
    // The cosines are recorded on the backend and read once per epoch.
    const agreement = probe ? createGradientAgreement(model, backend, Math.ceil(batches / cosineEvery) + 1) : null;
    const L = config.sizes.length - 1;
    const sums = new Float64Array(L + 1);
    let probes = 0;
    let batch = 0;
    let probeSeconds = 0;
    const seconds: number[] = [];
    const history = await fit(model, opt, ws, data.train, data.test, {
      epochs,
      batchSize: TRAIN_DEFAULTS.batch,
      seed,
      lrSchedule: TRAIN_DEFAULTS.lrSchedule,
      method,
      train: { init: 'forward', relax: { ...relax, tolerance: 0 } },
      onWarning: warn,
      onGradients:
        !probe || !agreement
          ? undefined
          : (pcWs, rows, images, targets) => {
              if (batch++ % cosineEvery !== 0) return;
              const t0 = performance.now();
              // Backprop's gradient on the same batch and the same (not yet updated) weights.
              recordBackpropGradients(model, probe, rows, images, targets);
              agreement.record(pcWs, probe);
              probeSeconds += (performance.now() - t0) / 1000;
            },
      onEpoch: async (s) => {
        if (agreement) {
          const n = agreement.probes;
          const t0 = performance.now();
          for (const [l, c] of (await agreement.read()).entries()) sums[l + 1] += c * n;
          probes += n;
          probeSeconds += (performance.now() - t0) / 1000;
        }
        seconds.push(s.seconds - probeSeconds);
        probeSeconds = 0;
        log(`  ${method} seed ${seed} epoch ${s.epoch}: test ${(100 * s.testAccuracy).toFixed(2)} %, ${seconds[seconds.length - 1].toFixed(2)} s`);
      },
    });
    agreement?.dispose();
    return { history, seconds, cosine: Array.from(sums.subarray(1), (v) => v / Math.max(1, probes)) };
  } finally {
    backend.dispose();
  }
}

export async function runCompare(opts: CompareOptions): Promise<void> {
  if (opts.firstSeed + opts.seeds - 1 > MAX_SEED)
    throw new PcError('config', `--first-seed ${opts.firstSeed} with --seeds ${opts.seeds} runs past the largest seed, ${MAX_SEED}; lower --first-seed.`);
  const log = (line: string) => (opts.json ? process.stderr : process.stdout).write(`${line}\n`);
  // 'cpu' names the backend it resolves to, in the log and the JSON.
  if (opts.backend === 'cpu') opts.backend = await cpuBackendName();
  const data = await loadDataset(opts.data, '--data');
  const arch = resolveArch({ ...opts, arch: opts.arch ?? 'mlp' }, 'discriminative', data.train, opts.data, TRAIN_DEFAULTS.layers);
  const config = createConfig({ ...arch, activation: TRAIN_DEFAULTS.activation, outputEnergy: opts.outputEnergy, outputWeight: opts.outputWeight });
  const relax = (steps: number) => ({ steps, lr: opts.lrX, momentum: opts.momentumX });
  const pcFlops = pcEpochFlops(config, opts.steps, data.train.count, TRAIN_DEFAULTS.batch);
  const bpFlops = bpEpochFlops(config, data.train.count, TRAIN_DEFAULTS.batch);
  log(
    `compare PC (T=${opts.steps}, x step ${opts.lrX}, momentum ${opts.momentumX}) and backprop: ${arch.label} ${TRAIN_DEFAULTS.activation}, ${opts.outputEnergy} output (PC's weighted β ${opts.outputWeight}), AdamW ${opts.lrW}, ${count(opts.epochs, 'epoch')} × ${count(opts.seeds, 'seed')} on ${data.source}, ${opts.backend} backend`,
  );
  if (opts.arch !== undefined && opts.arch !== 'mlp') for (const line of describeArchitecture(config)) log(`  ${line}`);
  const runs: Record<Method, Run[]> = { pc: [], backprop: [] };
  const seeds = Array.from({ length: opts.seeds }, (_, i) => opts.firstSeed + i);
  for (const seed of seeds) {
    for (const method of ['pc', 'backprop'] as const)
      runs[method].push(
        await train(
          { config, data, method, seed, epochs: opts.epochs, relax: relax(opts.steps), lrW: opts.lrW, cosineEvery: opts.cosineEvery, log },
          opts.backend,
          opts.threads,
        ),
      );
  }
  const last = (m: Method) => runs[m].map((r) => r.history[r.history.length - 1].testAccuracy);
  const acc = (m: Method) => meanStd(last(m));
  const secs = (m: Method) => meanStd(runs[m].flatMap((r) => r.seconds)).mean;
  const pc = acc('pc');
  const bp = acc('backprop');
  const pcSec = secs('pc');
  const bpSec = secs('backprop');
  const cos = runs.pc[0].cosine.map((_, l) => runs.pc.reduce((s, r) => s + r.cosine[l], 0) / runs.pc.length);
  const sweep: { steps: number; test_acc: number; seconds_per_epoch: number }[] = [];
  for (const t of opts.tSweep ?? []) {
    const r = await train(
      { config, data, method: 'pc', seed: opts.firstSeed, epochs: opts.epochs, relax: relax(t), lrW: opts.lrW, cosineEvery: Number.MAX_SAFE_INTEGER, log },
      opts.backend,
      opts.threads,
    );
    sweep.push({ steps: t, test_acc: r.history[r.history.length - 1].testAccuracy, seconds_per_epoch: meanStd(r.seconds).mean });
  }
  const result = {
    pc_acc_mean: pc.mean,
    pc_acc_std: pc.std,
    bp_acc_mean: bp.mean,
    bp_acc_std: bp.std,
    pc_seconds_per_epoch: pcSec,
    bp_seconds_per_epoch: bpSec,
    pc_gflops: pcFlops / pcSec / 1e9,
    bp_gflops: bpFlops / bpSec / 1e9,
    flop_ratio: pcFlops / bpFlops,
    cosine: cos,
    ...(sweep.length ? { t_sweep: sweep } : {}),
    pc_acc: last('pc'),
    bp_acc: last('backprop'),
    // Test accuracy after every epoch, one list per seed.
    pc_acc_per_epoch: runs.pc.map((r) => r.history.map((h) => h.testAccuracy)),
    bp_acc_per_epoch: runs.backprop.map((r) => r.history.map((h) => h.testAccuracy)),
    epochs: opts.epochs,
    seeds: opts.seeds,
    seed_list: seeds,
    arch: opts.arch ?? 'mlp',
    sizes: config.sizes,
    parameterisation: config.parameterisation,
    steps: opts.steps,
    lr_w: opts.lrW,
    lr_x: opts.lrX,
    momentum_x: opts.momentumX,
    output_energy: opts.outputEnergy,
    output_weight: opts.outputWeight,
  };
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const pct = (m: { mean: number; std: number }) => `${(100 * m.mean).toFixed(2)} ± ${(100 * m.std).toFixed(2)} %`;
  console.log(`\n${''.padEnd(10)} ${'test accuracy'.padStart(18)} ${'s/epoch'.padStart(9)} ${'GFLOP/epoch'.padStart(12)} ${'GFLOP/s'.padStart(9)}`);
  console.log(
    `${'PC'.padEnd(10)} ${pct(pc).padStart(18)} ${pcSec.toFixed(2).padStart(9)} ${(pcFlops / 1e9).toFixed(1).padStart(12)} ${result.pc_gflops.toFixed(1).padStart(9)}`,
  );
  console.log(
    `${'backprop'.padEnd(10)} ${pct(bp).padStart(18)} ${bpSec.toFixed(2).padStart(9)} ${(bpFlops / 1e9).toFixed(1).padStart(12)} ${result.bp_gflops.toFixed(1).padStart(9)}`,
  );
  console.log(
    `FLOP ratio PC/BP ${result.flop_ratio.toFixed(2)}, time ratio ${(pcSec / bpSec).toFixed(2)}, GFLOP/s ratio ${(result.pc_gflops / result.bp_gflops).toFixed(2)}`,
  );
  console.log(`cosine(PC update, backprop gradient) per layer, mean over training: ${cos.map((c) => c.toFixed(4)).join(', ')}`);
  for (const s of sweep) console.log(`T = ${s.steps}: PC test accuracy ${(100 * s.test_acc).toFixed(2)} %, ${s.seconds_per_epoch.toFixed(2)} s/epoch`);
}

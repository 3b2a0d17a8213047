/**
 * `pcn experiment depth`: training very deep PC networks (DESIGN §3, "Depth").
 * One residual MLP (the resmlp preset, JPC's FCResNet: a dense input
 * projection, depth − 2 residual dense layers, a dense readout) trained twice
 * from the same seed: under μPC (Innocenti et al. 2025; branch scales 1/√D,
 * 1/√(N·L), 1/N with W ~ N(0, 1)) and under the standard parameterisation
 * (every scale 1, and so initModel's uniform fan-in draw: μPC's N(0, 1)
 * weights unscaled would blow the forward pass up at once). Same data order,
 * relaxation and optimiser for both. Per epoch: test accuracy and wall time;
 * per layer: the energy ½‖eps_l‖² per example at the end of relaxation,
 * averaged over the last epoch's training batches — where in the chain the
 * prediction errors sit once inference has settled.
 */

import { disposeModel, disposeWorkspace, forward, initModel, initWorkspace, type Model, type Parameterisation, type Workspace } from 'predictive-coding/core';
import { PcError } from 'predictive-coding/errors';
import type { Activation } from 'predictive-coding/kernels';
import { createRng } from 'predictive-coding/random';
import { accuracy, architecture, architectureConfig, disposeOptimizer, type EpochStats, fit, initOptimizer, type LabeledData } from 'predictive-coding/train';
import { CHART_STYLE } from '../chart-style.ts';
import { count } from '../plural.ts';
import { warn } from '../warn.ts';
import { type Context, finish } from './context.ts';

export interface DepthOptions {
  /** Predicted layers L (≥ 3). */
  readonly depth: number;
  /** Units per hidden layer. */
  readonly width: number;
  readonly epochs: number;
  /** Relaxation steps T per batch. */
  readonly steps: number;
  /** x step size (SGD, no momentum, as JPC's μPC example). */
  readonly lrX: number;
  /** Adam's learning rate on W and b. */
  readonly lrW: number;
  readonly batch: number;
  readonly activation: Activation;
}

/**
 * The defaults and why. JPC's μPC example (depth 30, width 128, ReLU, batch 64,
 * Adam lr 0.1, activity SGD lr 0.5 on E/batch, i.e. 0.5/64 ≈ 0.008 per example
 * here, T = depth steps) reaches 93.3 % on MNIST in 900 batches. Measured here
 * (depth 16, width 128, embedded digits, 3 epochs, held-out accuracy): x step
 * 0.008 / 0.05 / 0.2: 88.9 / 89.5 % / diverged in epoch 3; Adam lr 0.1 / 0.03 /
 * 0.01: 89.5 / 88.2 / 85.0 %; T = 4 / 16: 88.8 / 89.5 %. Few steps cost little
 * accuracy because the errors reach only the top few layers in T steps
 * whatever T is (each step carries them one layer down, shrunk by the x step),
 * and Adam normalises the small gradients there; T = 128 would cost 14× T = 8.
 * With these, full MNIST: depth 32, 93.50 % after one epoch; depth 128, 92.53 %
 * after one and 95.61 % after five (≈ 350 s per epoch on 2 cores).
 */
export const DEPTH_DEFAULTS: DepthOptions = Object.freeze({
  depth: 128,
  width: 128,
  epochs: 5,
  steps: 8,
  lrX: 0.05,
  lrW: 0.1,
  batch: 64,
  activation: 'relu',
});

const PARAMETERISATIONS = ['mupc', 'standard'] as const satisfies readonly Parameterisation[];

/** How one parameterisation's run went. */
interface Run {
  /** Test accuracy before training (null: outputs not finite). */
  readonly initial: number | null;
  readonly acc: number[];
  readonly seconds: number[];
  /** ½‖eps_l‖² per example, l = 1…L, averaged over the last whole epoch's batches (a diverged first epoch: its batches until then). */
  energies: number[];
  /** Test accuracy at the end: the last epoch's, or as measured after divergence (null when the outputs are no longer finite). */
  final: number | null;
  /** Why training stopped early, when it did (PcError('divergence')'s message). */
  diverged: string | null;
  readonly scales: readonly number[];
}

export async function runDepth(ctx: Context, opts: DepthOptions): Promise<void> {
  const { depth, width, epochs } = opts;
  ctx.log(
    `depth: resmlp of ${depth} predicted layers (input projection, ${count(depth - 2, 'residual layer')}, readout), width ${width}, ${opts.activation}, ` +
      `${count(epochs, 'epoch')} on ${ctx.data.source}; T = ${opts.steps} steps of x step ${opts.lrX}, Adam lr ${opts.lrW}, batch ${opts.batch}, seed ${ctx.options.seed}`,
  );
  const mupc = await train(ctx, opts, 'mupc');
  const standard = await train(ctx, opts, 'standard');
  const runs: Record<Parameterisation, Run> = { mupc, standard };
  await ctx.plot(
    'accuracy',
    `Test accuracy, depth ${depth}, width ${width}`,
    'epoch',
    CHART_STYLE.accuracyTitle,
    // Epoch 0 is the initialisation, so a run that diverges in its first epoch still has a point.
    PARAMETERISATIONS.flatMap((p) => [runs[p].initial, ...runs[p].acc].flatMap((y, i) => (y === null ? [] : [{ x: i, y, series: p }]))),
    { percent: true },
  );
  await ctx.plot(
    'energy-per-layer',
    'Energy per layer after relaxation (per example, last epoch)',
    'layer',
    '½‖ε_l‖² per example',
    // A log axis has no place for 0 or a non-finite energy: such layers are left out (the JSON keeps them, as null for non-finite).
    PARAMETERISATIONS.flatMap((p) => runs[p].energies.flatMap((y, l) => (y > 0 && Number.isFinite(y) ? [{ x: l + 1, y, series: p }] : []))),
    { logY: true },
  );
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
  finish(
    ctx,
    {
      experiment: 'depth',
      depth,
      width,
      epochs,
      acc_mupc: mupc.final,
      acc_standard: standard.final,
      s_per_epoch_mupc: mean(mupc.seconds),
      s_per_epoch_standard: mean(standard.seconds),
      acc_mupc_per_epoch: mupc.acc,
      acc_standard_per_epoch: standard.acc,
      acc_mupc_init: mupc.initial,
      acc_standard_init: standard.initial,
      energy_per_layer_mupc: mupc.energies,
      energy_per_layer_standard: standard.energies,
      diverged_mupc: mupc.diverged,
      diverged_standard: standard.diverged,
      scales_mupc: mupc.scales,
      init_mupc: 'normal',
      init_standard: 'uniform',
      steps: opts.steps,
      lr_x: opts.lrX,
      lr_w: opts.lrW,
      batch: opts.batch,
      activation: opts.activation,
    },
    `depth ${depth}, width ${width}: test accuracy μPC ${pct(mupc.final)}, standard ${pct(standard.final)}${standard.diverged ? ' (diverged)' : ''}; ` +
      `${mean(mupc.seconds)?.toFixed(1) ?? 'n/a'} s per epoch (μPC)`,
  );
}

/** Trains the resmlp under parameterisation `p`; a divergence ends the run early instead of the experiment. */
async function train(ctx: Context, opts: DepthOptions, p: Parameterisation): Promise<Run> {
  const data = ctx.data.train;
  const spec = architecture('resmlp', { shape: [data.rows, data.cols, data.channels], classes: data.classes }, { ...opts, parameterisation: p });
  const config = architectureConfig(spec, { activation: opts.activation });
  // initModel draws N(0, 1) for 'mupc' and the uniform fan-in rule for 'standard' from the same seed.
  const model = initModel(config, ctx.backend, createRng(ctx.options.seed));
  const ws = initWorkspace(model, opts.batch, ctx.backend);
  const opt = initOptimizer(model, { name: 'adam', lr: opts.lrW }, ctx.backend);
  const run: Run = { initial: measure(model, ws, ctx.data.test), acc: [], seconds: [], energies: [], final: null, diverged: null, scales: config.scales };
  ctx.log(
    `${p}: ${p === 'mupc' ? 'W ~ N(0, 1), branch scales 1/√D, 1/√(N·L), 1/N' : 'every scale 1, W and b ~ U(±1/√fan_in)'}; test ${pct(run.initial)} before training`,
  );
  const L = config.sizes.length - 1;
  const sums = new Float64Array(L);
  let batches = 0;
  const start = performance.now();
  try {
    await fit(model, opt, ws, data, ctx.data.test, {
      epochs: opts.epochs,
      batchSize: opts.batch,
      seed: ctx.options.seed,
      lrSchedule: 'constant',
      train: { init: 'forward', schedule: 'standard', relax: { steps: opts.steps, lr: opts.lrX, momentum: 0, tolerance: 0 } },
      onBatch: (b) => {
        if (b.batch === 1) {
          sums.fill(0);
          batches = 0;
        }
        // ws.energies holds each layer's energy after the last relaxation step (the weight update does not recompute errors).
        const rows = Math.min(opts.batch, data.count - (b.batch - 1) * opts.batch);
        for (let l = 1; l <= L; l++) sums[l - 1] += ws.energies[l] / rows;
        batches++;
        // Epochs at depth take minutes: a line every tenth of one.
        if (b.batch % Math.max(1, Math.round(b.batches / 10)) === 0 && b.batch < b.batches)
          ctx.log(`  ${p} epoch ${b.epoch}: batch ${b.batch}/${b.batches}, energy ${b.energy.toExponential(3)}, ${elapsed(start)}`);
      },
      onEpoch: (s: EpochStats) => {
        run.energies = Array.from(sums, (e) => e / batches);
        run.acc.push(s.testAccuracy);
        run.seconds.push(s.seconds);
        ctx.log(`  ${p} epoch ${s.epoch}: test ${(100 * s.testAccuracy).toFixed(2)} %, energy ${s.trainEnergy.toExponential(3)}, ${s.seconds.toFixed(1)} s`);
      },
      onWarning: warn,
    });
    run.final = run.acc[run.acc.length - 1] ?? null;
  } catch (e) {
    if (!(e instanceof PcError && e.code === 'divergence')) throw e;
    run.diverged = e.message;
    // The last whole epoch's profile, or the diverging epoch's batches so far when it was the first.
    if (run.acc.length === 0 && batches > 0) run.energies = Array.from(sums, (e) => e / batches);
    run.final = measure(model, ws, ctx.data.test);
    ctx.log(
      `  ${p} diverged in epoch ${run.acc.length + 1}: ${e.message}\n  ${p} test accuracy as it stands: ${run.final === null ? 'n/a (the outputs are no longer finite)' : pct(run.final)}`,
    );
  } finally {
    // Two depth-128 models with Adam's moments need not share the backend's memory at once.
    disposeOptimizer(opt, ctx.backend);
    disposeWorkspace(ws);
    disposeModel(model, ctx.backend);
  }
  return run;
}

/**
 * Test accuracy by a forward pass (fit's measure), or null once any output is
 * not finite: an argmax over NaN would score by chance, not measure anything.
 */
function measure(model: Model, ws: Workspace, data: LabeledData): number | null {
  const predicted = new Int32Array(data.count);
  for (let start = 0; start < data.count; start += ws.capacity) {
    const rows = Math.min(ws.capacity, data.count - start);
    const out = forward(model, ws, rows, data.images.subarray(start * data.features, (start + rows) * data.features));
    if (!Number.isFinite(ws.backend.sumSquares(out, rows * data.classes))) return null;
    ws.backend.rowArgmax(out, predicted.subarray(start, start + rows), rows, data.classes);
  }
  return accuracy(predicted, data.labels);
}

function pct(a: number | null): string {
  return a === null ? 'n/a' : `${(100 * a).toFixed(2)} %`;
}

function elapsed(start: number): string {
  const s = (performance.now() - start) / 1000;
  return s < 120 ? `${s.toFixed(0)} s` : `${(s / 60).toFixed(1)} min`;
}

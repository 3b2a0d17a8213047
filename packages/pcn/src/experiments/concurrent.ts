/**
 * `pcn experiment concurrent`: layers that run on their own. A deep μPC
 * residual MLP (16 hidden layers by default) is trained briefly; then one
 * test batch, image and label clamped, is relaxed by the synchronous schedule
 * (every layer steps from the same state; 1 and 2 kernel threads) and with
 * the layers cut into 1…N groups on worker threads that trade boundary values
 * with no barrier (relaxConcurrently). Printed: the energy each reaches and
 * its wall-clock time (median of interleaved rounds: the machine's speed
 * drifts), the classification of the batch by relaxation (label free, from
 * zero) both ways, and the same net's backprop step time on the same engine.
 */
import { type ConcurrentRelaxer, relaxConcurrently, startConcurrentRelaxer } from 'predictive-coding/concurrent';
import {
  clampedLayers,
  initModel,
  initValues,
  initWorkspace,
  type Model,
  planRelaxation,
  relax,
  startRelaxation,
  type Workspace,
} from 'predictive-coding/core';
import { PcError } from 'predictive-coding/errors';
import { type Backend, createBackend } from 'predictive-coding/kernels';
import { createRng } from 'predictive-coding/random';
import {
  accuracy,
  architecture,
  architectureConfig,
  backpropStep,
  decodeCheckpoint,
  encodeCheckpoint,
  fit,
  gatherBatch,
  initOptimizer,
  modelFromCheckpoint,
  supervisedBatch,
} from 'predictive-coding/train';
import { count } from '../plural.ts';
import { type Context, finish } from './context.ts';
import { DEPTH_DEFAULTS } from './depth.ts';

export interface ConcurrentExperimentOptions {
  /** Hidden layers of the residual MLP. */
  readonly depth: number;
  readonly width: number;
  readonly epochs: number;
  /** Relaxation steps compared. */
  readonly steps: number;
  readonly lrX: number;
  /** Most layer groups tried (1…workers). */
  readonly workers: number;
  /** Interleaved repetitions of every timing. */
  readonly rounds: number;
  /** Test examples relaxed together. */
  readonly batch: number;
}

/** One way to relax the batch: a label, how to run it once (returning energy and seconds), and its samples. */
interface Contender {
  readonly name: string;
  readonly run: () => Promise<{ energy: number; seconds: number; trace: readonly { seconds: number; energy: number }[] }>;
  readonly seconds: number[];
  energy: number;
  trace: readonly { seconds: number; energy: number }[];
}

/**
 * Defaults: 16 hidden layers of 128, a batch of 32, 200 steps, 1 and 2 layer groups, 7 timed rounds after a warm-up
 * one. (The larger the batch, the better two threads share each product in the synchronous schedule: measured here,
 * the layer groups' lead over it shrinks from 30 % at 32 rows to none at 128.)
 */
export const CONCURRENT_DEFAULTS: ConcurrentExperimentOptions = Object.freeze({
  depth: 16,
  width: 128,
  epochs: 1,
  steps: 200,
  lrX: 0.05,
  workers: 2,
  rounds: 7,
  batch: 32,
});

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function runConcurrent(ctx: Context, o: ConcurrentExperimentOptions): Promise<void> {
  const train = ctx.data.train;
  const spec = architecture(
    'resmlp',
    { shape: [train.rows, train.cols, train.channels], classes: train.classes },
    { depth: o.depth + 1, width: o.width, parameterisation: 'mupc' },
  );
  const config = architectureConfig(spec, { activation: DEPTH_DEFAULTS.activation });
  const L = config.sizes.length - 1;
  if (o.workers > L + 1)
    throw new PcError('config', `pcn experiment concurrent: --workers ${o.workers} is more layer groups than the net has layers (${L + 1}); at most ${L + 1}.`);
  ctx.log(`concurrent: μPC residual MLP ${config.sizes.join('-')} (${L + 1} layers), training ${count(o.epochs, 'epoch')}`);
  const model = initModel(config, ctx.backend, createRng(ctx.options.seed));
  const ws = initWorkspace(model, DEPTH_DEFAULTS.batch, ctx.backend);
  const opt = initOptimizer(model, { name: 'adam', lr: DEPTH_DEFAULTS.lrW }, ctx.backend);
  const history = await fit(model, opt, ws, train, ctx.data.test, {
    epochs: o.epochs,
    batchSize: DEPTH_DEFAULTS.batch,
    seed: ctx.options.seed,
    lrSchedule: 'constant',
    train: { init: 'forward', schedule: 'standard', relax: { steps: DEPTH_DEFAULTS.steps, lr: DEPTH_DEFAULTS.lrX, momentum: 0, tolerance: 0 } },
  });
  ctx.log(`  test accuracy after training (forward pass): ${(100 * (history.at(-1)?.testAccuracy ?? Number.NaN)).toFixed(2)} %`);

  // The batch: test examples spread over the test set (the embedded digits are sorted by class), image and label clamped.
  const test = ctx.data.test;
  const rows = Math.min(o.batch, test.count);
  const picked = Uint32Array.from({ length: rows }, (_, r) => Math.floor((r * test.count) / rows));
  const images = new Float32Array(rows * test.features);
  const targets = new Float32Array(rows * test.classes);
  gatherBatch(test, picked, 0, rows, images, targets);
  const labels = Array.from(picked, (i) => test.labels[i]);
  const { clamp } = supervisedBatch(config, images, targets, rows);
  const relaxConfig = { steps: o.steps, lr: o.lrX, momentum: 0, tolerance: 0 };
  const bytes = encodeCheckpoint(model);
  const copies: { backend: Backend; model: Model; ws: Workspace }[] = [];
  for (const threads of [1, 2]) {
    const backend = await createBackend('wasm', { threads });
    const m = modelFromCheckpoint(decodeCheckpoint(bytes, 'the trained net'), backend);
    copies.push({ backend, model: m, ws: initWorkspace(m, rows, backend) });
  }
  const clamped = clampedLayers(copies[0].model, clamp, rows, 'concurrent');
  const contenders: Contender[] = [];
  for (const { backend, model: m, ws: w } of copies) {
    const plan = planRelaxation(m, clamped);
    contenders.push({
      name: `synchronous, ${count(backend.threads, 'thread')}`,
      run: async () => {
        initValues(m, w, rows, clamp, 'forward');
        const t0 = performance.now();
        const r = relax(m, w, rows, plan, relaxConfig, startRelaxation(m, w, rows, plan), { trace: true });
        const seconds = (performance.now() - t0) / 1000;
        // Steps take equal time: step t ends at t/T of the run.
        return { energy: r.energy, seconds, trace: Array.from(r.trace ?? [], (energy, t) => ({ seconds: (seconds * t) / o.steps, energy })) };
      },
      seconds: [],
      energy: Number.NaN,
      trace: [],
    });
  }
  const { model: m1, ws: w1 } = copies[0];
  // Each grouping's threads start once and relax every round, as they would relax batch after batch in training.
  const relaxers: ConcurrentRelaxer[] = [];
  for (let workers = 1; workers <= o.workers; workers++) {
    const relaxer = await startConcurrentRelaxer(m1, rows, clamped, { workers });
    relaxers.push(relaxer);
    ctx.log(`  ${count(workers, 'layer group')} ${JSON.stringify(relaxer.groups)} started in ${(1000 * relaxer.startSeconds).toFixed(0)} ms`);
    contenders.push({
      name: `concurrent, ${count(workers, 'layer group')}`,
      run: async () => {
        initValues(m1, w1, rows, clamp, 'forward');
        return relaxer.relax(w1, { steps: o.steps, lr: o.lrX });
      },
      seconds: [],
      energy: Number.NaN,
      trace: [],
    });
  }
  // Interleaved rounds, each in a rotated order, so a slow spell of the machine falls on every contender alike.
  for (let round = 0; round <= o.rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(k + round) % contenders.length];
      const r = await c.run();
      if (round === 0) continue; // warm-up: compiled code, thread pools, caches
      c.seconds.push(r.seconds);
      c.energy = r.energy;
      c.trace = r.trace;
    }
  }
  for (const c of contenders)
    ctx.log(`  ${c.name}: energy ${c.energy.toFixed(5)}, ${(1000 * median(c.seconds)).toFixed(1)} ms per relaxation of ${o.steps} steps`);
  for (const r of relaxers) await r.close();
  const syncs = contenders.filter((c) => c.name.startsWith('synchronous'));
  const bestSync = syncs.reduce((a, b) => (median(b.seconds) < median(a.seconds) ? b : a));
  const concurrent = contenders[contenders.length - 1];

  // Classification of the batch by relaxation: the label free, every free layer from zero, 5T steps both ways, with
  // momentum 0.9 — from zero the input has to travel up every layer; run short of equilibrium, the two schedules'
  // different paths (stale boundary values in one) can end on different labels.
  const free = clamped.map((c, l) => c && l !== L);
  const classify = { ...relaxConfig, steps: 5 * o.steps, lr: 0.1, momentum: 0.9 };
  const guess = async (how: 'sync' | 'concurrent'): Promise<number> => {
    const start = clamp.map((c, l) => (l === L ? undefined : c));
    initValues(m1, w1, rows, start, 'zero');
    const plan = planRelaxation(m1, free);
    if (how === 'sync') relax(m1, w1, rows, plan, classify, startRelaxation(m1, w1, rows, plan));
    else await relaxConcurrently(m1, w1, rows, free, { steps: classify.steps, lr: classify.lr, momentum: classify.momentum, workers: o.workers });
    const predicted = new Int32Array(rows);
    copies[0].backend.rowArgmax(w1.x[L], predicted, rows, test.classes);
    return accuracy(predicted, labels);
  };
  const accSync = await guess('sync');
  const accConcurrent = await guess('concurrent');
  ctx.log(
    `  classification by relaxation (label free, from zero, ${5 * o.steps} steps): synchronous ${(100 * accSync).toFixed(2)} %, concurrent ${(100 * accConcurrent).toFixed(2)} %`,
  );

  // The same net's backprop step on the same engine (the thread setting that relaxed fastest).
  const best = copies[syncs.indexOf(bestSync)];
  const bpOpt = initOptimizer(best.model, { name: 'sgd', lr: 0 }, best.backend);
  const bp: number[] = [];
  for (let k = 0; k <= o.rounds; k++) {
    const t0 = performance.now();
    backpropStep(best.model, bpOpt, rows, images, targets, best.ws);
    if (k > 0) bp.push((performance.now() - t0) / 1000);
  }
  ctx.log(`  backprop step (forward, backward, update) on ${count(best.backend.threads, 'thread')}: ${(1000 * median(bp)).toFixed(2)} ms`);

  await ctx.plot(
    'energy-vs-time',
    `Relaxation of one batch (${L + 1} layers): energy against wall-clock time`,
    'milliseconds',
    'E',
    contenders.flatMap((c) => c.trace.filter((p) => p.energy > 0).map((p) => ({ x: 1000 * p.seconds, y: p.energy, series: c.name }))),
    { logY: true },
  );
  for (const { backend } of copies) backend.dispose();
  const gap = Math.abs(concurrent.energy - bestSync.energy) / bestSync.energy;
  finish(
    ctx,
    {
      experiment: 'concurrent',
      workers: o.workers,
      energy_sync: bestSync.energy,
      energy_concurrent: concurrent.energy,
      seconds_sync: median(bestSync.seconds),
      seconds_concurrent: median(concurrent.seconds),
      layers: L + 1,
      width: o.width,
      steps: o.steps,
      rounds: o.rounds,
      batch: rows,
      contenders: contenders.map((c) => ({ name: c.name, energy: c.energy, seconds: median(c.seconds) })),
      accuracy_sync: accSync,
      accuracy_concurrent: accConcurrent,
      seconds_backprop_step: median(bp),
      relative_energy_gap: gap,
    },
    `concurrent (${count(o.workers, 'layer group')}): energy ${concurrent.energy.toFixed(5)} vs synchronous ${bestSync.energy.toFixed(5)} ` +
      `(gap ${(100 * gap).toFixed(4)} %), ${(1000 * median(concurrent.seconds)).toFixed(1)} ms vs ${(1000 * median(bestSync.seconds)).toFixed(1)} ms ` +
      `(${bestSync.name}); backprop step ${(1000 * median(bp)).toFixed(2)} ms`,
  );
}

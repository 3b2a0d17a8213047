/**
 * `pcn experiment async`: local autonomy. On one batch of a trained network
 * (image and label clamped), relax once with the synchronous schedule (every
 * layer steps from the same state) and once with no global barrier (each step
 * the layers move one at a time in a random order, each from its neighbours'
 * latest x and eps), from the same start, and compare the final energies.
 */
import { clampedLayers, initValues, planRelaxation, relax, startRelaxation } from 'predictive-coding/core';
import { createRng, offsetSeed } from 'predictive-coding/random';
import { gatherBatch, shuffledOrder, supervisedBatch } from 'predictive-coding/train';
import { count } from '../plural.ts';
import { type Context, finish } from './context.ts';
import { trainMlp } from './discriminative.ts';

export interface AsyncOptions {
  readonly epochs: number;
  readonly steps: number;
  readonly lrX: number;
}

export async function runAsync(ctx: Context, opts: AsyncOptions): Promise<void> {
  ctx.log(`async: training the MLP for ${count(opts.epochs, 'epoch')}, then relaxing one test batch ${count(opts.steps, 'step')} both ways`);
  const { model, ws } = await trainMlp(ctx, { epochs: opts.epochs });
  const rows = Math.min(128, ctx.data.test.count);
  const images = new Float32Array(rows * ctx.data.test.features);
  const targets = new Float32Array(rows * ctx.data.test.classes);
  gatherBatch(ctx.data.test, shuffledOrder(ctx.data.test.count, createRng(ctx.options.seed)), 0, rows, images, targets);
  const { clamp } = supervisedBatch(model.config, images, targets, rows);
  const plan = planRelaxation(model, clampedLayers(model, clamp, rows, 'async'));
  const traces: Record<string, Float64Array> = {};
  for (const order of ['synchronous', 'random'] as const) {
    initValues(model, ws, rows, clamp, 'forward');
    const r = relax(model, ws, rows, plan, { steps: opts.steps, lr: opts.lrX, momentum: 0, tolerance: 0, order }, startRelaxation(model, ws, rows), {
      trace: true,
      rng: createRng(offsetSeed(ctx.options.seed, 1)),
    });
    traces[order] = r.trace!;
    ctx.log(`  ${order}: energy ${r.initialEnergy.toFixed(4)} → ${r.energy.toFixed(6)} after ${count(r.iterations, 'step')}`);
  }
  const sync = traces.synchronous[traces.synchronous.length - 1];
  const async = traces.random[traces.random.length - 1];
  await ctx.plot(
    'energy-per-step',
    'Relaxation of one batch: synchronous vs random order (no barrier)',
    'relaxation step',
    'E',
    Object.entries(traces).flatMap(([order, tr]) => Array.from(tr, (y, x) => ({ x, y, series: order }))),
    { logY: true },
  );
  const gap = Math.abs(async - sync) / sync;
  finish(
    ctx,
    { experiment: 'async', energy_sync: sync, energy_async: async, relative_gap: gap, steps: opts.steps },
    `async: final energy synchronous ${sync.toFixed(6)}, random order ${async.toFixed(6)} (relative gap ${(100 * gap).toFixed(4)} %)`,
  );
}

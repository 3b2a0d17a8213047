/**
 * `pcn experiment forgetting`: catastrophic forgetting, PC against backprop.
 * Tasks are trained in sequence on one network (one optimiser state carried
 * over, constant learning rate); after each task every task is tested, which
 * fills the accuracy matrix R[i][j] = accuracy on task j after training task i.
 * - split: 5 tasks of two digits ({0,1}, {2,3}, …), scored class-incremental
 *   (argmax over all 10 outputs) and task-incremental (argmax over the task's two);
 * - permuted: task 0 the images as they are, tasks 1… a fixed random pixel
 *   permutation each (seeded); 10-way.
 * Both methods use the same network, initial weights, batches, optimiser and
 * epochs per task, so their current-task accuracies (the diagonal) match.
 * Average accuracy = mean_j R[T−1][j]; average forgetting = mean over j < T−1
 * of max_{j ≤ i < T−1} R[i][j] − R[T−1][j].
 */

import { createConfig, forward, initModel, initWorkspace, type Model, type Workspace } from 'predictive-coding/core';
import { type Dataset, permutePixels, withLabels } from 'predictive-coding/data';
import { createRng } from 'predictive-coding/random';
import { fit, initOptimizer, meanStd, shuffledOrder } from 'predictive-coding/train';
import { CHART_STYLE } from '../chart-style.ts';
import { TRAIN_DEFAULTS } from '../commands/train.ts';
import { count } from '../plural.ts';
import { warn } from '../warn.ts';
import { type Context, finish } from './context.ts';

export type Protocol = 'split' | 'permuted';

export interface ForgettingOptions {
  readonly protocol: Protocol;
  readonly seeds: number;
  readonly epochs: number;
  readonly tasks: number;
}

interface Task {
  readonly train: Dataset;
  readonly test: Dataset;
  /** Output units a task-incremental learner chooses among (split only). */
  readonly classes: readonly number[];
}

function makeTasks(ctx: Context, o: ForgettingOptions, seed: number): Task[] {
  const { train, test } = ctx.data;
  if (o.protocol === 'split') {
    return Array.from({ length: 5 }, (_, t) => {
      const classes = [2 * t, 2 * t + 1];
      return { train: withLabels(train, classes), test: withLabels(test, classes), classes };
    });
  }
  const all = Array.from({ length: 10 }, (_, i) => i);
  const rng = createRng(1000 + seed);
  return Array.from({ length: o.tasks }, (_, t) => {
    const perm = t === 0 ? Uint32Array.from({ length: train.features }, (_, i) => i) : shuffledOrder(train.features, rng);
    return { train: permutePixels(train, perm), test: permutePixels(test, perm), classes: all };
  });
}

/** Accuracy on `data`, the argmax taken over `classes` only. */
function accuracyAmong(model: Model, ws: Workspace, data: Dataset, classes: readonly number[]): number {
  let hits = 0;
  const n = data.classes;
  for (let start = 0; start < data.count; start += ws.capacity) {
    const rows = Math.min(ws.capacity, data.count - start);
    const out = forward(model, ws, rows, data.images.subarray(start * data.features, (start + rows) * data.features));
    for (let r = 0; r < rows; r++) {
      let best = classes[0];
      for (const c of classes) if (out[r * n + c] > out[r * n + best]) best = c;
      if (best === data.labels[start + r]) hits++;
    }
  }
  return hits / data.count;
}

/** Accuracy matrices (class- and task-incremental) for one method and seed. */
async function runSequence(
  ctx: Context,
  tasks: Task[],
  method: 'pc' | 'backprop',
  seed: number,
  epochs: number,
): Promise<{ cil: number[][]; til: number[][] }> {
  const config = createConfig({ sizes: [784, 128, 128, 128, 10], activation: TRAIN_DEFAULTS.activation });
  const model = initModel(config, ctx.backend, createRng(seed));
  const ws = initWorkspace(model, TRAIN_DEFAULTS.batch, ctx.backend);
  const opt = initOptimizer(model, { name: 'adamw', lr: TRAIN_DEFAULTS.lrW, weightDecay: TRAIN_DEFAULTS.weightDecay }, ctx.backend);
  const all = Array.from({ length: 10 }, (_, i) => i);
  const cil: number[][] = [];
  const til: number[][] = [];
  for (const [i, task] of tasks.entries()) {
    await fit(model, opt, ws, task.train, null, {
      epochs,
      batchSize: TRAIN_DEFAULTS.batch,
      seed: seed * 100 + i,
      lrSchedule: 'constant',
      method,
      train: { init: 'forward', relax: { steps: TRAIN_DEFAULTS.steps, lr: TRAIN_DEFAULTS.lrX, momentum: TRAIN_DEFAULTS.momentumX, tolerance: 0 } },
      onWarning: warn,
    });
    cil.push(tasks.map((t) => accuracyAmong(model, ws, t.test, all)));
    til.push(tasks.map((t) => accuracyAmong(model, ws, t.test, t.classes)));
    ctx.log(`  ${method} seed ${seed}, after task ${i + 1}: ${cil[i].map((a) => (100 * a).toFixed(1)).join(' ')}`);
  }
  return { cil, til };
}

function averages(R: number[][]): { acc: number; forgetting: number } {
  const T = R.length;
  const last = R[T - 1];
  const acc = last.reduce((s, v) => s + v, 0) / T;
  let forgetting = 0;
  for (let j = 0; j < T - 1; j++) {
    let best = 0;
    for (let i = j; i < T - 1; i++) best = Math.max(best, R[i][j]);
    forgetting += best - last[j];
  }
  return { acc, forgetting: T > 1 ? forgetting / (T - 1) : 0 };
}

function meanMatrix(ms: number[][][]): number[][] {
  return ms[0].map((row, i) => row.map((_, j) => ms.reduce((s, m) => s + m[i][j], 0) / ms.length));
}

function formatMatrix(R: number[][]): string {
  return R.map((row, i) => `    after task ${i + 1}: ${row.map((v) => (100 * v).toFixed(1).padStart(5)).join(' ')}`).join('\n');
}

export async function runForgetting(ctx: Context, o: ForgettingOptions): Promise<void> {
  ctx.log(
    `forgetting, ${o.protocol} protocol: ${count(o.protocol === 'split' ? 5 : o.tasks, 'task')} in sequence, ${count(o.epochs, 'epoch')} each, ${count(o.seeds, 'seed')}, PC and backprop`,
  );
  const results = { pc: { cil: [] as number[][][], til: [] as number[][][] }, backprop: { cil: [] as number[][][], til: [] as number[][][] } };
  for (let seed = 0; seed < o.seeds; seed++) {
    const tasks = makeTasks(ctx, o, seed);
    for (const method of ['pc', 'backprop'] as const) {
      const r = await runSequence(ctx, tasks, method, seed, o.epochs);
      results[method].cil.push(r.cil);
      results[method].til.push(r.til);
    }
  }
  const summary = (method: 'pc' | 'backprop', scenario: 'cil' | 'til') => {
    const per = results[method][scenario].map(averages);
    return { acc: meanStd(per.map((p) => p.acc)), forgetting: meanStd(per.map((p) => p.forgetting)), matrix: meanMatrix(results[method][scenario]) };
  };
  const scenarios: ('cil' | 'til')[] = o.protocol === 'split' ? ['cil', 'til'] : ['cil'];
  const name = { cil: o.protocol === 'split' ? 'class-incremental' : '10-way', til: 'task-incremental' };
  for (const s of scenarios) {
    for (const m of ['pc', 'backprop'] as const) {
      const r = summary(m, s);
      ctx.log(
        `${m} ${name[s]}: average final accuracy ${(100 * r.acc.mean).toFixed(2)} ± ${(100 * r.acc.std).toFixed(2)} %, average forgetting ${(100 * r.forgetting.mean).toFixed(2)} ± ${(100 * r.forgetting.std).toFixed(2)} points; mean accuracy matrix (rows: after task i; columns: task j):\n${formatMatrix(r.matrix)}`,
      );
    }
    await ctx.plot(
      `accuracy-${name[s]}`,
      `${o.protocol} ${name[s]}: accuracy on each task as tasks are learned (mean over seeds)`,
      'tasks trained',
      CHART_STYLE.accuracyTitle,
      (['pc', 'backprop'] as const).flatMap((m) =>
        summary(m, s).matrix.flatMap((row, i) => row.map((y, j) => ({ x: i + 1, y, series: `${m}, task ${j + 1}` }))),
      ),
      { percent: true },
    );
  }
  const pc = summary('pc', 'cil');
  const bp = summary('backprop', 'cil');
  const extra =
    o.protocol === 'split'
      ? {
          pc_avg_acc_task: summary('pc', 'til').acc.mean,
          bp_avg_acc_task: summary('backprop', 'til').acc.mean,
          pc_forgetting_task: summary('pc', 'til').forgetting.mean,
          bp_forgetting_task: summary('backprop', 'til').forgetting.mean,
        }
      : {};
  finish(
    ctx,
    {
      protocol: o.protocol,
      pc_avg_acc: pc.acc.mean,
      bp_avg_acc: bp.acc.mean,
      pc_forgetting: pc.forgetting.mean,
      bp_forgetting: bp.forgetting.mean,
      pc_avg_acc_std: pc.acc.std,
      bp_avg_acc_std: bp.acc.std,
      pc_forgetting_std: pc.forgetting.std,
      bp_forgetting_std: bp.forgetting.std,
      ...extra,
      pc_matrix: pc.matrix,
      bp_matrix: bp.matrix,
      seeds: o.seeds,
      epochs_per_task: o.epochs,
    },
    `forgetting (${o.protocol}, ${name.cil}): average final accuracy PC ${(100 * pc.acc.mean).toFixed(2)} %, backprop ${(100 * bp.acc.mean).toFixed(2)} %; ` +
      `average forgetting PC ${(100 * pc.forgetting.mean).toFixed(2)}, backprop ${(100 * bp.forgetting.mean).toFixed(2)} points`,
  );
}

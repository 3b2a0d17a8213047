/** The discriminative MLP the feedback, incremental and async experiments share: `pcn train`'s defaults. */

import { createConfig, type Feedback, initModel, initWorkspace, type Model, type Workspace } from 'predictive-coding/core';
import { createRng } from 'predictive-coding/random';
import { type EpochStats, fit, initOptimizer, type LearningSchedule, type OptimizerState } from 'predictive-coding/train';
import { TRAIN_DEFAULTS } from '../commands/train.ts';
import { sizes } from '../options.ts';
import { warn } from '../warn.ts';
import type { Context } from './context.ts';

export interface Trained {
  readonly model: Model;
  readonly ws: Workspace;
  readonly opt: OptimizerState;
  readonly history: EpochStats[];
}

export interface MlpOptions {
  readonly epochs: number;
  readonly feedback?: Feedback;
  readonly schedule?: LearningSchedule;
  readonly lrW?: number;
  readonly weightDecay?: number;
  /** Relaxation step size and momentum on x (default: pcn train's). */
  readonly lrX?: number;
  readonly momentumX?: number;
  readonly onEpoch?: (s: EpochStats, model: Model) => void;
}

/** Trains 784-128-128-128-10 on the context's data with the CLI defaults, overridden by `o`. */
export async function trainMlp(ctx: Context, o: MlpOptions): Promise<Trained> {
  const config = createConfig({ sizes: sizes(TRAIN_DEFAULTS.layers), activation: TRAIN_DEFAULTS.activation, feedback: o.feedback ?? 'symmetric' });
  const model = initModel(config, ctx.backend, createRng(ctx.options.seed));
  const ws = initWorkspace(model, TRAIN_DEFAULTS.batch, ctx.backend);
  const opt = initOptimizer(model, { name: 'adamw', lr: o.lrW ?? TRAIN_DEFAULTS.lrW, weightDecay: o.weightDecay ?? TRAIN_DEFAULTS.weightDecay }, ctx.backend);
  const history = await fit(model, opt, ws, ctx.data.train, ctx.data.test, {
    epochs: o.epochs,
    batchSize: TRAIN_DEFAULTS.batch,
    seed: ctx.options.seed,
    lrSchedule: TRAIN_DEFAULTS.lrSchedule,
    train: {
      init: 'forward',
      schedule: o.schedule ?? 'standard',
      relax: { steps: TRAIN_DEFAULTS.steps, lr: o.lrX ?? TRAIN_DEFAULTS.lrX, momentum: o.momentumX ?? TRAIN_DEFAULTS.momentumX, tolerance: 0 },
    },
    onEpoch: (s) => o.onEpoch?.(s, model),
    onWarning: warn,
  });
  return { model, ws, opt, history };
}

/**
 * `pcn experiment incremental`: no separate phases. The weights move at every
 * relaxation step together with x (incremental PC), instead of after T steps.
 */

import { CHART_STYLE } from '../chart-style.ts';
import { count } from '../plural.ts';
import { type Context, finish } from './context.ts';
import { trainMlp } from './discriminative.ts';

export interface IncrementalOptions {
  readonly epochs: number;
  readonly lrW: number;
  readonly lrX: number;
  readonly momentumX: number;
}

export async function runIncremental(ctx: Context, opts: IncrementalOptions): Promise<void> {
  ctx.log(
    `incremental PC: ${count(opts.epochs, 'epoch')}, the weights learn at every one of the T relaxation steps (AdamW lr ${opts.lrW}; x lr ${opts.lrX}, momentum ${opts.momentumX})`,
  );
  const { history } = await trainMlp(ctx, {
    epochs: opts.epochs,
    schedule: 'incremental',
    lrW: opts.lrW,
    lrX: opts.lrX,
    momentumX: opts.momentumX,
    onEpoch: (s) => ctx.log(`  epoch ${s.epoch}: energy ${s.trainEnergy.toFixed(4)}, test ${(100 * s.testAccuracy).toFixed(2)} %, ${s.seconds.toFixed(1)} s`),
  });
  await ctx.plot(
    'accuracy',
    'Incremental PC: test accuracy',
    'epoch',
    CHART_STYLE.accuracyTitle,
    history.map((s) => ({ x: s.epoch, y: s.testAccuracy })),
    { percent: true, colour: 'accuracy' },
  );
  await ctx.plot(
    'energy',
    'Incremental PC: training energy per example',
    'epoch',
    CHART_STYLE.energyTitle,
    history.map((s) => ({ x: s.epoch, y: s.trainEnergy })),
    { logY: true, colour: 'energy' },
  );
  const acc = history[history.length - 1].testAccuracy;
  finish(
    ctx,
    { experiment: 'incremental', test_acc: acc, epochs: opts.epochs, lr_w: opts.lrW, lr_x: opts.lrX, momentum_x: opts.momentumX },
    `incremental: test accuracy ${(100 * acc).toFixed(2)} % after ${count(opts.epochs, 'epoch')}`,
  );
}

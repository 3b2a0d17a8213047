/**
 * `pcn experiment streaming`: a network that never stops. One pass over the
 * training images as a stream: each is shown for k relaxation steps while x
 * and the weights keep adapting (the weights learn after every step), states
 * never reset; each example is scored before it is learned (prequential
 * accuracy). Several independent streams run side by side (`streams`).
 *
 * A control run re-initialises the free layers by a feedforward sweep for
 * every example (the stream is then no longer continuous): the gap between
 * the two is the cost of never resetting, reported next to it.
 */
import { createConfig, initModel, initWorkspace } from '../../core/index.ts';
import { createRng } from '../../random.ts';
import { initOptimizer, type StreamResult, stream } from '../../train/index.ts';
import { TRAIN_DEFAULTS } from '../commands/train.ts';
import { sizes } from '../options.ts';
import { type Context, finish } from './context.ts';

export interface StreamingOptions {
  readonly steps: number;
  readonly lrX: number;
  readonly lrW: number;
  readonly streams: number;
}

async function run(ctx: Context, opts: StreamingOptions, reset: boolean): Promise<StreamResult> {
  const config = createConfig({ sizes: sizes(TRAIN_DEFAULTS.layers), activation: TRAIN_DEFAULTS.activation });
  const model = initModel(config, ctx.backend, createRng(ctx.options.seed));
  const ws = initWorkspace(model, opts.streams, ctx.backend);
  const opt = initOptimizer(model, { name: 'adamw', lr: reset ? 1e-3 : opts.lrW, weightDecay: TRAIN_DEFAULTS.weightDecay }, ctx.backend);
  const steps = reset ? 8 : opts.steps;
  ctx.log(
    `${reset ? 'control (feedforward re-initialisation per example)' : 'streaming, states never reset'}: ${steps} bottom-up steps per example, x lr ${opts.lrX}, ${opts.streams} streams`,
  );
  return stream(model, opt, ws, ctx.data.train, {
    stepsPerExample: steps,
    // Bottom-up order: a new input reaches every layer within one step.
    relax: { steps, lr: opts.lrX, momentum: 0, tolerance: 0, order: 'bottom-up' },
    seed: ctx.options.seed,
    streams: opts.streams,
    reset,
    progressEvery: 1000,
    onProgress: (seen, acc) => {
      if (seen % 10_000 < opts.streams) ctx.log(`  ${seen.toLocaleString('en-US')} examples: prequential accuracy ${(100 * acc).toFixed(2)} %`);
    },
  });
}

export async function runStreaming(ctx: Context, opts: StreamingOptions): Promise<void> {
  ctx.log(`streaming PC: one pass over ${ctx.data.train.count.toLocaleString('en-US')} examples, AdamW after every step`);
  const strict = await run(ctx, opts, false);
  const control = await run(ctx, opts, true);
  await ctx.plot('prequential', 'Streaming PC: prequential accuracy (each example scored before it is learned)', 'examples seen', 'accuracy', [
    ...strict.curve.map((c) => ({ x: c.seen, y: c.accuracy, series: 'states never reset' })),
    ...control.curve.map((c) => ({ x: c.seen, y: c.accuracy, series: 'feedforward re-initialisation (control)' })),
  ]);
  finish(
    ctx,
    {
      experiment: 'streaming',
      prequential_acc: strict.prequentialAccuracy,
      prequential_acc_reset: control.prequentialAccuracy,
      examples: strict.seen,
      steps_per_example: opts.steps,
      streams: opts.streams,
      seconds: strict.seconds,
    },
    `streaming: prequential accuracy ${(100 * strict.prequentialAccuracy).toFixed(2)} % with states never reset (${strict.seen.toLocaleString('en-US')} examples, ${strict.seconds.toFixed(0)} s); ` +
      `${(100 * control.prequentialAccuracy).toFixed(2)} % when each example starts from a feedforward sweep`,
  );
}

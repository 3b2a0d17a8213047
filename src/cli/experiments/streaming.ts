/**
 * `pcn experiment streaming`: a network that never stops. One pass over the
 * training images as a stream: each is shown for k relaxation steps while x
 * and the weights keep adapting, states never reset; each example is scored
 * before it is learned (prequential accuracy).
 */
import { createConfig, initModel, initWorkspace } from '../../core/index.ts';
import { createRng } from '../../random.ts';
import { initOptimizer, stream } from '../../train/index.ts';
import { TRAIN_DEFAULTS } from '../commands/train.ts';
import { sizes } from '../options.ts';
import { type Context, finish } from './context.ts';

export interface StreamingOptions {
  readonly steps: number;
  readonly lrX: number;
  readonly lrW: number;
}

export async function runStreaming(ctx: Context, opts: StreamingOptions): Promise<void> {
  const config = createConfig({ sizes: sizes(TRAIN_DEFAULTS.layers), activation: TRAIN_DEFAULTS.activation });
  const model = initModel(config, ctx.backend, createRng(ctx.options.seed));
  const ws = initWorkspace(model, 1, ctx.backend);
  const opt = initOptimizer(model, { name: 'adamw', lr: opts.lrW, weightDecay: TRAIN_DEFAULTS.weightDecay }, ctx.backend);
  ctx.log(
    `streaming PC: one pass over ${ctx.data.train.count.toLocaleString('en-US')} examples, ${opts.steps} steps each (x lr ${opts.lrX}, AdamW lr ${opts.lrW} at every step)`,
  );
  const r = await stream(model, opt, ws, ctx.data.train, {
    stepsPerExample: opts.steps,
    // x follows each new input fast (no momentum), or W would learn to predict the previous example's states.
    relax: { steps: opts.steps, lr: opts.lrX, momentum: 0, tolerance: 0 },
    seed: ctx.options.seed,
    progressEvery: 1000,
    onProgress: (seen, acc) => {
      if (seen % 10_000 === 0) ctx.log(`  ${seen.toLocaleString('en-US')} examples: prequential accuracy ${(100 * acc).toFixed(2)} %`);
    },
  });
  await ctx.plot(
    'prequential',
    'Streaming PC: prequential accuracy (each example scored before it is learned)',
    'examples seen',
    'accuracy',
    r.curve.map((c) => ({ x: c.seen, y: c.accuracy })),
  );
  finish(
    ctx,
    { experiment: 'streaming', prequential_acc: r.prequentialAccuracy, examples: r.seen, steps_per_example: opts.steps, seconds: r.seconds },
    `streaming: prequential accuracy ${(100 * r.prequentialAccuracy).toFixed(2)} % over ${r.seen.toLocaleString('en-US')} examples in ${r.seconds.toFixed(0)} s`,
  );
}

/**
 * `pcn experiment generative`: the generative picture. Train label → … → image
 * (x_0 = one-hot label, x_L = 784 pixels), then classify test images by
 * relaxation (image clamped, the label layer settles), draw a grid of digits
 * per class, and complete half-erased test images (associative recall).
 */

import { classifyByRelaxation } from 'predictive-coding/core';
import { subset } from 'predictive-coding/data';
import { createRng, offsetSeed } from 'predictive-coding/random';
import { encodeCheckpoint, evaluate, fit, GENERATIVE_EVAL_RELAX, GENERATIVE_MLP, presetFitOptions, presetModel, shuffledOrder } from 'predictive-coding/train';
import { CHART_STYLE } from '../chart-style.ts';
import { TRAIN_DEFAULTS } from '../commands/train.ts';
import { completeImage, halfMask, sampleDigits } from '../generative.ts';
import { tile, writeGreyPng } from '../images.ts';
import { writeFileAtomic } from '../io.ts';
import { layersFromData } from '../layers.ts';
import { count } from '../plural.ts';
import { warn } from '../warn.ts';
import { type Context, finish } from './context.ts';

/** Relaxation of the hidden layers under each clamped label hypothesis. */
const HYPOTHESES_RELAX = Object.freeze({ steps: 50, lr: 0.05, momentum: 0.5, tolerance: 0 });

export interface GenerativeOptions {
  readonly epochs: number;
  /** 0: no cap. */
  readonly weightCap: number;
  /** Weight of the prior on x_0 while it relaxes (0: none). */
  readonly prior: number;
  /** Label layer first, image layer last; default (classes)-256-256-(image size). */
  readonly layers?: readonly number[];
  readonly evalSteps: number;
  readonly noise: number;
}

export async function runGenerative(ctx: Context, opts: GenerativeOptions): Promise<void> {
  const { data, backend } = ctx;
  const seed = ctx.options.seed;
  const preset = GENERATIVE_MLP;
  const {
    model,
    workspace: ws,
    optimizer: opt,
  } = presetModel(preset, backend, seed, {
    model: { sizes: opts.layers ? [...opts.layers] : layersFromData(TRAIN_DEFAULTS.generativeLayers, 'generative', data.train) },
    optimizer: { weightCap: opts.weightCap || undefined },
  });
  const evalRelax = { ...GENERATIVE_EVAL_RELAX, steps: opts.evalSteps };
  // Per-epoch accuracy on a fixed 1,000-image sample of the test set (the full set is scored at the end).
  const probe = subset(data.test, shuffledOrder(data.test.count, createRng(offsetSeed(seed, 1))).subarray(0, Math.min(1000, data.test.count)));
  const curve: { epoch: number; energy: number; acc: number }[] = [];
  ctx.log(
    `generative PCN ${model.config.sizes.join('-')} on ${data.source}: ${count(opts.epochs, 'epoch')}, ${opts.weightCap ? `weights capped at ±${opts.weightCap}` : 'no weight cap'}, classification by ${count(opts.evalSteps, 'relaxation step')}${opts.prior ? ` under a prior of weight ${opts.prior} on the label layer` : ''}`,
  );
  await fit(
    model,
    opt,
    ws,
    data.train,
    null,
    presetFitOptions(preset, opts.epochs, seed, {
      onWarning: warn,
      onEpoch: (s) => {
        const acc = evaluate(model, ws, probe, evalRelax, { priorWeight: opts.prior });
        curve.push({ epoch: s.epoch, energy: s.trainEnergy, acc });
        ctx.log(
          `epoch ${s.epoch}: energy ${s.trainEnergy.toFixed(3)}, accuracy by relaxation on 1,000 test images ${(100 * acc).toFixed(2)} % (${s.seconds.toFixed(1)} s)`,
        );
      },
    }),
  );
  const testAcc = evaluate(model, ws, data.test, evalRelax, { priorWeight: opts.prior });
  ctx.log(`classification by relaxing the label layer, full test set (${data.test.count}): ${(100 * testAcc).toFixed(2)} %`);
  const hypothesesAcc = evaluate(model, ws, data.test, HYPOTHESES_RELAX, { readout: 'hypotheses' });
  ctx.log(`classification by the least-energy label hypothesis (each class clamped in turn), full test set: ${(100 * hypothesesAcc).toFixed(2)} %`);

  // Energy per relaxation step while classifying one batch.
  const rows = Math.min(128, data.test.count);
  const out = new Int32Array(rows);
  const r = classifyByRelaxation(model, ws, rows, data.test.images.subarray(0, rows * data.test.features), evalRelax, out, {
    trace: true,
    priorWeight: opts.prior,
  });
  const side = data.test.rows;
  const grid = Array.from({ length: 10 }, (_, digit) => sampleDigits(model, backend, digit, 8, opts.noise, offsetSeed(seed, digit))).flat();
  writeGreyPng(ctx.file('samples.png'), tile(grid, side, side, 8, 3));
  const means = Array.from({ length: 10 }, (_, digit) => sampleDigits(model, backend, digit, 1, 0, seed)[0]);
  writeGreyPng(ctx.file('means.png'), tile(means, side, side, 10, 3));
  const completions = Array.from({ length: 6 }, (_, i) => {
    const img = data.test.images.subarray(i * data.test.features, (i + 1) * data.test.features);
    const visible = halfMask(side, side, 'bottom');
    return [img, Float32Array.from(img, (v, j) => (visible[j] ? v : 0.5)), completeImage(model, backend, img, visible, 200)];
  }).flat();
  writeGreyPng(ctx.file('completion.png'), tile(completions, side, side, 3, 3));
  await ctx.plot(
    'accuracy',
    'Generative PCN: classification by relaxation (1,000 test images)',
    'epoch',
    CHART_STYLE.accuracyTitle,
    curve.map((c) => ({ x: c.epoch, y: c.acc })),
    { percent: true, colour: 'accuracy' },
  );
  await ctx.plot(
    'energy-per-epoch',
    'Training energy per example',
    'epoch',
    CHART_STYLE.energyTitle,
    curve.map((c) => ({ x: c.epoch, y: c.energy })),
    { logY: true, colour: 'energy' },
  );
  await ctx.plot(
    'energy-per-step',
    'Energy while classifying one test batch',
    'relaxation step',
    'E',
    Array.from(r.trace!, (e, t) => ({ x: t, y: e })),
    { logY: true, colour: 'energy' },
  );
  writeFileAtomic(ctx.file('model.safetensors'), encodeCheckpoint(model, { metadata: { experiment: 'generative', test_acc: String(testAcc) } }));
  finish(
    ctx,
    {
      experiment: 'generative',
      test_acc: testAcc,
      test_acc_hypotheses: hypothesesAcc,
      epochs: opts.epochs,
      eval_steps: opts.evalSteps,
      weight_cap: opts.weightCap,
      prior_weight: opts.prior,
      sizes: model.config.sizes,
    },
    `generative: classification by relaxing the label layer ${(100 * testAcc).toFixed(2)} %, by least-energy hypothesis ${(100 * hypothesesAcc).toFixed(2)} % on ${data.test.count} test images; ` +
      'means.png (the mean image of each digit), samples.png (rows = digits 0–9), completion.png (original | bottom half erased | completed)',
  );
}

/**
 * `pcn experiment feedback`: learning without weight transport. The same MLP
 * trained with symmetric feedback (Wᵀ), learned feedback B (its own local
 * rule, Kolen–Pollack decay through AdamW's decoupled weight decay on W and
 * B alike) and fixed random B (feedback alignment); the angle between B and
 * Wᵀ is logged per layer and epoch.
 */

import { type Feedback, feedbackAngles } from 'predictive-coding/core';
import { CHART_STYLE } from '../chart-style.ts';
import { count } from '../plural.ts';
import { type Context, finish } from './context.ts';
import { trainMlp } from './discriminative.ts';

export interface FeedbackOptions {
  readonly epochs: number;
  /** Decoupled weight decay on W and B; it is what shrinks B − Wᵀ. */
  readonly weightDecay: number;
}

export async function runFeedback(ctx: Context, opts: FeedbackOptions): Promise<void> {
  const acc: Record<Feedback, number[]> = { symmetric: [], learned: [], random: [] };
  const angles: Record<'learned' | 'random', number[][]> = { learned: [], random: [] };
  for (const feedback of ['symmetric', 'learned', 'random'] as const) {
    ctx.log(`feedback ${feedback}: ${count(opts.epochs, 'epoch')}, weight decay ${opts.weightDecay} on W and B`);
    await trainMlp(ctx, {
      epochs: opts.epochs,
      feedback,
      weightDecay: opts.weightDecay,
      onEpoch: (s, model) => {
        acc[feedback].push(s.testAccuracy);
        const a = feedbackAngles(model);
        if (feedback !== 'symmetric') angles[feedback].push(a);
        ctx.log(
          `  epoch ${s.epoch}: test ${(100 * s.testAccuracy).toFixed(2)} %${a.length ? `, angle(B, Wᵀ) per layer ${a.map((v) => `${v.toFixed(1)}°`).join(' ')}` : ''}`,
        );
      },
    });
  }
  const last = (xs: number[]) => xs[xs.length - 1];
  await ctx.plot(
    'accuracy',
    'Test accuracy by feedback',
    'epoch',
    CHART_STYLE.accuracyTitle,
    (['symmetric', 'learned', 'random'] as const).flatMap((f) => acc[f].map((y, i) => ({ x: i + 1, y, series: f }))),
    { percent: true },
  );
  await ctx.plot(
    'angle',
    'Angle between B_l and W_lᵀ (degrees)',
    'epoch',
    'angle (degrees)',
    (['learned', 'random'] as const).flatMap((f) => angles[f].flatMap((a, i) => a.map((y, l) => ({ x: i + 1, y, series: `${f}, layer ${l + 1}` })))),
  );
  const finalAngles = angles.learned[angles.learned.length - 1] ?? [];
  finish(
    ctx,
    {
      experiment: 'feedback',
      acc_symmetric: last(acc.symmetric),
      acc_learned: last(acc.learned),
      acc_random: last(acc.random),
      angle_deg: finalAngles,
      angle_deg_random: angles.random[angles.random.length - 1] ?? [],
      epochs: opts.epochs,
      weight_decay: opts.weightDecay,
    },
    `feedback: test accuracy symmetric ${(100 * last(acc.symmetric)).toFixed(2)} %, learned ${(100 * last(acc.learned)).toFixed(2)} %, random ${(100 * last(acc.random)).toFixed(2)} %; ` +
      `final angle(B, Wᵀ) learned ${finalAngles.map((v) => `${v.toFixed(2)}°`).join(', ')}`,
  );
}

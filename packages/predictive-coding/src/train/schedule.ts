/**
 * Learning-rate schedules for the weights, as functions of the step.
 * - `'constant'`: lr;
 * - `'warmup-cosine'`: PCX's benchmark schedule: from lr up to 1.1·lr over the
 *   first 10 % of steps, then a cosine down to 0.1·lr at the last step.
 */
import { checkChoice } from '../errors.ts';

/** A weight learning-rate schedule: 'constant', or 'warmup-cosine' (linear warm-up from lr to 1.1·lr over the first 10 % of steps, then cosine decay to 0.1·lr). */
export type LrSchedule = 'constant' | 'warmup-cosine';

/** Every LrSchedule. */
export const SCHEDULES: readonly LrSchedule[] = ['constant', 'warmup-cosine'];

/** The learning rate at `step` (0-based) of `total` steps. Throws PcError('config') for a schedule not in SCHEDULES. */
export function scheduledLr(schedule: LrSchedule, lr: number, step: number, total: number): number {
  checkChoice(schedule, SCHEDULES, 'scheduledLr: schedule');
  if (schedule === 'constant' || total <= 1) return lr;
  const warmup = Math.floor(0.1 * total);
  const peak = 1.1 * lr;
  if (step < warmup) return lr + ((peak - lr) * step) / warmup;
  const t = Math.min(1, (step - warmup) / Math.max(1, total - 1 - warmup));
  const end = 0.1 * lr;
  return end + (peak - end) * 0.5 * (1 + Math.cos(Math.PI * t));
}

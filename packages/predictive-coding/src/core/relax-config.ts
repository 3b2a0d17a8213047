/**
 * Settings of a relaxation (docs/design.md §2, inference): how many steps, their size
 * and momentum, early stopping and the order in which layers move — and the
 * one check every caller runs on them.
 */
import { check, checkObject, shown } from '../errors.ts';

/** How values relax (docs/design.md §2): T steps of size eta_x with momentum, stopping early once the energy changes by less than `tolerance`, in a given order. */
export interface RelaxConfig {
  /** T: the most relaxation steps. */
  readonly steps: number;
  /** eta_x, the step size on x. */
  readonly lr: number;
  /** Momentum of the x updates; 0 gives plain Euler steps (v is reset for every batch). */
  readonly momentum: number;
  /** Stop early once |E_t − E_{t−1}| ≤ tolerance·E_{t−1}; 0 always runs all T steps. */
  readonly tolerance: number;
  /** 'synchronous' (default) or 'random': see the file comment. 'random' needs options.rng. */
  readonly order?: RelaxOrder;
}

/**
 * How the free layers take a step: all from one state ('synchronous'), or one
 * at a time from their neighbours' latest values — in a fresh random order
 * each step ('random', no global barrier) or bottom-up ('bottom-up', so a new
 * input reaches every layer within one step).
 */
export type RelaxOrder = 'synchronous' | 'random' | 'bottom-up';

/** The relaxation used where none is given: T = 8 synchronous steps of 0.1 on x, no momentum, no early stop (tolerance 0). */
export const DEFAULT_RELAX: RelaxConfig = Object.freeze({ steps: 8, lr: 0.1, momentum: 0, tolerance: 0, order: 'synchronous' });

const ORDERS: readonly RelaxOrder[] = ['synchronous', 'random', 'bottom-up'];

/**
 * Checks a relaxation configuration; `where` names it in messages (e.g.
 * 'trainStep: config.relax'). Throws PcError('config') naming the field, the
 * value and the valid range. Steps may be 0 only where `allowZeroSteps` (a
 * forward pass with nothing to relax is then the answer).
 */
export function validateRelaxConfig(config: RelaxConfig, where: string, allowZeroSteps = false): void {
  checkObject(config, where, 'an object { steps, lr, momentum, tolerance, order? }');
  const min = allowZeroSteps ? 0 : 1;
  check(
    Number.isInteger(config.steps) && config.steps >= min && config.steps <= 1e7,
    'config',
    () =>
      `${where}.steps must be an integer in ${min}..10000000, got ${shown(config.steps)}.${min ? ' With no relaxation step the hidden layers never receive an error to learn from.' : ''}`,
  );
  check(Number.isFinite(config.lr) && config.lr > 0, 'config', () => `${where}.lr (the x step size) must be a finite number > 0, got ${shown(config.lr)}.`);
  check(
    Number.isFinite(config.momentum) && config.momentum >= 0 && config.momentum < 1,
    'config',
    () => `${where}.momentum must be in [0, 1) (0: Euler steps), got ${shown(config.momentum)}.`,
  );
  check(
    Number.isFinite(config.tolerance) && config.tolerance >= 0,
    'config',
    () => `${where}.tolerance must be a finite number ≥ 0 (0: always run every step), got ${shown(config.tolerance)}.`,
  );
  check(
    config.order === undefined || ORDERS.includes(config.order),
    'config',
    () => `${where}.order must be one of ${ORDERS.join(', ')}, got ${shown(config.order)}.`,
  );
}

/**
 * Seeded random numbers: every random draw in the library takes an `Rng`
 * built from an explicit seed (no global generator, no clock seeding).
 * xoshiro128** (Blackman & Vigna), seeded through splitmix32; 32-bit integer
 * arithmetic only, so a seed gives the same stream on every engine.
 *
 * @module predictive-coding/random
 */
import { PcError, shown } from './errors.ts';
import { quoted } from './printable.ts';

/** A seeded pseudo-random generator (xoshiro128**): every random draw of the library comes from one, created by createRng(seed). */
export interface Rng {
  /** Uniform in [0, 1), 32 random bits. */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** An independent generator derived from this one (for a sub-task with its own stream). */
  fork(): Rng;
  /** A copy of the generator's state (draws nothing); restoreRng continues the stream from it. */
  state(): RngState;
}

/** Everything an Rng's future draws depend on: xoshiro128**'s four words and the pending second normal of a Box–Muller pair. */
export interface RngState {
  /** Four unsigned 32-bit words, not all zero. */
  readonly words: readonly [number, number, number, number];
  readonly spare: number | null;
}

/** The largest seed: seeds are unsigned 32-bit integers, the state splitmix32 starts from (larger numbers would collide modulo 2^32). */
export const MAX_SEED = 2 ** 32 - 1;

/**
 * Throws PcError('config') unless `seed` is an integer in 0..MAX_SEED; `where`
 * names it ('createRng: seed', 'fit: options.seed'). Nothing is defaulted:
 * every random draw comes from a seed the caller chose.
 */
export function checkSeed(seed: number, where: string): void {
  if (Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED) return;
  throw new PcError(
    'config',
    `${where} must be an integer in 0..${MAX_SEED} (an unsigned 32-bit integer), got ${shown(seed)}. Pass an explicit seed: every random draw comes from one.`,
  );
}

/** The seed of sub-task `k` of a run seeded by `seed`: (seed + k) mod 2^32, so a seed near MAX_SEED still gives valid, distinct seeds. */
export function offsetSeed(seed: number, k: number): number {
  checkSeed(seed, 'offsetSeed: seed');
  return (seed + k) % 2 ** 32;
}

/** A generator seeded by `seed`, an integer in 0..MAX_SEED (checkSeed; anything else is PcError('config')). */
export function createRng(seed: number): Rng {
  checkSeed(seed, 'createRng: seed');
  let s = seed >>> 0;
  const split = (): number => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  return restoreRng({ words: [split(), split(), split(), split()], spare: null });
}

/**
 * A generator that continues from `state` (from Rng.state(), or
 * parseRngState); throws PcError('config') for a state that is not four
 * unsigned 32-bit words, not all zero (xoshiro's one fixed point), and a spare.
 */
export function restoreRng(state: RngState): Rng {
  if (!isRngState(state))
    throw new PcError(
      'config',
      `restoreRng: the state ${shown(state)} is not four unsigned 32-bit words (not all zero) and a spare (a number or null). Pass rng.state() or parseRngState(text, source).`,
    );
  let [a, b, c, d] = state.words.map((w) => w | 0);
  const u32 = (): number => {
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return r;
  };
  let spare: number | null = state.spare;
  const rng: Rng = {
    next: () => u32() / 4294967296,
    int: (n) => Math.floor((u32() / 4294967296) * n),
    normal() {
      if (spare !== null) {
        const v = spare;
        spare = null;
        return v;
      }
      // 1 − u keeps the logarithm's argument in (0, 1].
      const u = 1 - u32() / 4294967296;
      const v = u32() / 4294967296;
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    fork: () => createRng(u32()),
    state: () => ({ words: [a >>> 0, b >>> 0, c >>> 0, d >>> 0], spare }),
  };
  return rng;
}

/** Parses JSON.stringify(rng.state()) back, checking every field; `source` (a file) names it in the PcError('data'). */
export function parseRngState(text: string, source: string): RngState {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    v = undefined;
  }
  if (!isRngState(v))
    throw new PcError(
      'data',
      `${source}: the saved random-generator state ${quoted(text, 80)} is not four unsigned 32-bit words (not all zero) and a spare (a number or null). The file is corrupt; start the run afresh.`,
    );
  return { words: [v.words[0], v.words[1], v.words[2], v.words[3]], spare: v.spare };
}

function isRngState(v: unknown): v is RngState {
  const o = (typeof v === 'object' && v !== null ? v : {}) as { words?: unknown; spare?: unknown };
  const words = o.words;
  return (
    Array.isArray(words) &&
    words.length === 4 &&
    words.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32) &&
    words.some((w) => w !== 0) &&
    (o.spare === null || (typeof o.spare === 'number' && Number.isFinite(o.spare)))
  );
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

import { describe, expect, it } from 'vitest';
import { createRng, MAX_SEED, offsetSeed, parseRngState, type RngState, restoreRng } from '../packages/predictive-coding/src/random.ts';
import { catchPcError } from './helpers/errors.ts';

describe('rng state', () => {
  it('a generator restored from a saved state continues the same stream, including a pending Box–Muller spare', () => {
    for (const draws of [0, 1, 7]) {
      const a = createRng(42);
      for (let i = 0; i < draws; i++) a.next();
      a.normal(); // leaves the second normal of the pair pending
      const b = restoreRng(parseRngState(JSON.stringify(a.state()), 'test'));
      const fromA = [a.normal(), a.next(), a.int(1000), a.normal(), a.normal()];
      const fromB = [b.normal(), b.next(), b.int(1000), b.normal(), b.normal()];
      expect(fromB).toEqual(fromA);
    }
  });

  it('the state is four 32-bit words and the spare, and saving it draws nothing', () => {
    const a = createRng(1);
    const s = a.state();
    expect(s.words).toHaveLength(4);
    for (const w of s.words) expect(Number.isInteger(w) && w >= 0 && w < 2 ** 32).toBe(true);
    expect(s.spare).toBeNull();
    expect(a.state()).toEqual(s);
    expect(a.next()).toBe(createRng(1).next());
  });

  it('a state that is not four u32 words and a finite spare or null is a data error naming its source', () => {
    for (const bad of [
      '',
      'null',
      '{}',
      '{"words":[1,2,3],"spare":null}',
      '{"words":[1,2,3,-1],"spare":null}',
      '{"words":[0,0,0,0],"spare":null}',
      '{"words":[1,2,3,4],"spare":"x"}',
    ])
      expect(catchPcError(() => parseRngState(bad, 'run.safetensors'), 'data').message).toContain('run.safetensors');
  });

  it('quotes the saved text terminal-safe: bidi overrides and C1 controls from the file are written as escapes', () => {
    const message = catchPcError(() => parseRngState('{"words":"\u202e\u009b"}', 'run.safetensors'), 'data').message;
    expect(message).toContain('the saved random-generator state "{\\"words\\":\\"\\u{202e}\\u{9b}\\"}" is not');
    expect(message).not.toMatch(/[\u202e\u009b]/);
  });
});

describe('seeds', () => {
  it.each([
    ['undefined', undefined],
    ['1.5', 1.5],
    ['NaN', Number.NaN],
    ['-1', -1],
    ['4294967296', 2 ** 32],
    ["'7'", '7'],
  ])('createRng(%s) is a config error naming the range, not a silent seed', (shown, seed) => {
    expect(catchPcError(() => createRng(seed as number), 'config').message).toBe(
      `createRng: seed must be an integer in 0..4294967295 (an unsigned 32-bit integer), got ${shown}. Pass an explicit seed: every random draw comes from one.`,
    );
  });

  it('every seed in 0..2^32−1 gives its own stream, and forks (seeded by 32 random bits) work', () => {
    const first = [0, 1, 2 ** 31, 2 ** 32 - 1].map((s) => createRng(s).next());
    expect(new Set(first).size).toBe(4);
    const rng = createRng(2 ** 32 - 1);
    for (let i = 0; i < 100; i++) expect(rng.fork().next()).toBeGreaterThanOrEqual(0);
  });

  it('restoreRng refuses a state that is not four u32 words (not all zero) and a spare, instead of a generator stuck at 0', () => {
    for (const state of [{ words: [0, 0, 0, 0], spare: null }, { words: [1, 2, 3], spare: null }, { words: [1, 2, 3, 4], spare: 'x' }, undefined])
      expect(catchPcError(() => restoreRng(state as unknown as RngState), 'config').message).toMatch(
        /^restoreRng: the state .* is not four unsigned 32-bit words \(not all zero\) and a spare \(a number or null\)\. Pass rng\.state\(\) or parseRngState\(text, source\)\.$/,
      );
  });
});

describe('offsetSeed', () => {
  it('gives sub-task k the seed (seed + k) mod 2^32, valid even at MAX_SEED, and refuses a bad seed', () => {
    expect(offsetSeed(5, 3)).toBe(8);
    expect(offsetSeed(MAX_SEED, 1)).toBe(0);
    expect(offsetSeed(MAX_SEED - 1, 9)).toBe(7);
    expect(() => createRng(offsetSeed(MAX_SEED, 9))).not.toThrow();
    expect(() => offsetSeed(-1, 1)).toThrow(/offsetSeed: seed must be an integer in 0\.\.4294967295/);
  });
});

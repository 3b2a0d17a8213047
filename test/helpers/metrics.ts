import { expect } from 'vitest';

/**
 * An accuracy measured on `count` examples: a finite fraction in [0, 1] that is
 * a whole number of examples over `count`. NaN, a percentage, a missing field
 * or a wrong denominator fail — unlike `expect.any(Number)` or `>= 0`.
 */
export function expectAccuracy(value: unknown, count: number, what: string): void {
  expect(Number.isFinite(value), `${what} = ${String(value)} is not a finite number`).toBe(true);
  const v = value as number;
  expect(v, what).toBeGreaterThanOrEqual(0);
  expect(v, what).toBeLessThanOrEqual(1);
  expect(Math.abs(v * count - Math.round(v * count)), `${what} = ${v} is not a whole number of ${count} examples`).toBeLessThan(1e-9);
}

/** A finite number in [lo, hi]. */
export function expectWithin(value: unknown, lo: number, hi: number, what: string): void {
  expect(Number.isFinite(value), `${what} = ${String(value)} is not a finite number`).toBe(true);
  expect(value as number, what).toBeGreaterThanOrEqual(lo);
  expect(value as number, what).toBeLessThanOrEqual(hi);
}

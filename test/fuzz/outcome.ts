import { expect } from 'vitest';
import { PcError } from '../../packages/predictive-coding/src/errors.ts';

/** Fails unless `e` is a PcError('data') with a one-line message that names `name`. */
export function expectDataError(e: unknown, name: string): void {
  if (!(e instanceof PcError)) throw e; // a TypeError, RangeError … is the bug this test hunts
  expect(e.code).toBe('data');
  expect(e.message.startsWith(`${name}: `), e.message).toBe(true);
  expect(e.message, e.message).not.toMatch(/[\n\r]/);
}

/** Runs `fn`: it returns normally or throws a PcError('data') naming `name`. */
export function onlyDataErrors(fn: () => unknown, name: string): void {
  try {
    fn();
  } catch (e) {
    expectDataError(e, name);
  }
}

/** As onlyDataErrors, for a promise. */
export async function onlyDataErrorsAsync(p: () => Promise<unknown>, name: string): Promise<void> {
  try {
    await p();
  } catch (e) {
    expectDataError(e, name);
  }
}

import { PcError, type PcErrorCode } from '../../packages/predictive-coding/src/errors.ts';

/** The PcError that `fn` throws; fails the test if it throws nothing, something else, or a different code. */
export function catchPcError(fn: () => unknown, code?: PcErrorCode): PcError {
  try {
    fn();
  } catch (e) {
    return expectCode(e, code);
  }
  throw new Error('expected a PcError, but nothing was thrown');
}

/** As catchPcError, for a promise. */
export async function rejectsPcError(p: Promise<unknown>, code?: PcErrorCode): Promise<PcError> {
  try {
    await p;
  } catch (e) {
    return expectCode(e, code);
  }
  throw new Error('expected a PcError, but the promise resolved');
}

function expectCode(e: unknown, code: PcErrorCode | undefined): PcError {
  if (!(e instanceof PcError)) throw e;
  if (code && e.code !== code) throw new Error(`expected PcError code '${code}', got '${e.code}': ${e.message}`);
  return e;
}

/**
 * The one error class of the library. Callers branch on `code`, never on the
 * message:
 * - `'shape'`: arrays or tensors whose sizes do not fit together;
 * - `'data'`: a corrupt, truncated or mismatched file or input values;
 * - `'divergence'`: a relaxation or training run produced NaN/Inf or exploded;
 * - `'config'`: an option that is out of range or an environment that lacks a
 *   required feature.
 *
 * Messages say where, what was wrong (received vs expected) and what to do.
 */
export type PcErrorCode = 'shape' | 'data' | 'divergence' | 'config';

export class PcError extends Error {
  readonly code: PcErrorCode;

  constructor(code: PcErrorCode, message: string) {
    super(message);
    this.name = 'PcError';
    this.code = code;
  }
}

/** Throws `PcError(code, message())` unless `ok`; the closure keeps passing checks free of string building. */
export function check(ok: boolean, code: PcErrorCode, message: () => string): asserts ok {
  if (!ok) throw new PcError(code, message());
}

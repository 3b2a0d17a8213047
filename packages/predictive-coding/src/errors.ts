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
 *
 * @module predictive-coding/errors
 */
import { oneLine } from './printable.ts';

/** What kind of failure a PcError is: 'shape' (arrays of the wrong size), 'data' (a file or dataset that is missing, malformed or truncated), 'divergence' (a relaxation or training step that blew up) or 'config' (options that are invalid or do not go together). */
export type PcErrorCode = 'shape' | 'data' | 'divergence' | 'config';

/** The one error class of the library: a `code` and a one-line message that says what was received, what was expected and what to do. Every function documents the codes it throws. */
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

/**
 * Throws PcError('config') unless `value` is an object (not null, not an
 * array): the first check of every options argument, so that a missing one is
 * "`where` must be `what`, got undefined." rather than a TypeError from inside.
 */
export function checkObject(value: unknown, where: string, what: string): asserts value is object {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return;
  throw new PcError('config', `${where} must be ${what}, got ${shown(value)}.`);
}

/** Throws PcError('config') unless `value` is one of `choices`: "`where` must be 'a', 'b' or 'c', got `value`." No allocation when it passes. */
export function checkChoice<C extends string>(value: unknown, choices: readonly C[], where: string): asserts value is C {
  if ((choices as readonly unknown[]).includes(value)) return;
  const quoted = choices.map((c) => `'${c}'`);
  const list = quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}` : quoted.join('');
  throw new PcError('config', `${where} must be ${list}, got ${shown(value)}.`);
}

/**
 * A value as a message quotes it, whatever it is: numbers as written (NaN,
 * Infinity, 1e+30 — JSON.stringify would print null), strings in single
 * quotes, arrays item by item (the first 12), plain objects as (cut) JSON, anything else by its kind
 * ('a Float64Array of 12', 'a function'). One line, terminal-safe.
 */
export function shown(value: unknown): string {
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return `'${oneLine(value, 60)}'`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function' || typeof value === 'symbol') return `a ${typeof value}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}${'length' in value ? ` of ${value.length}` : ''}`;
  if (value instanceof ArrayBuffer) return `an ArrayBuffer of ${value.byteLength} bytes`;
  if (Array.isArray(value)) {
    const items = value.slice(0, 12).map((v) => (typeof v === 'object' && v !== null ? (Array.isArray(v) ? 'an array' : 'an object') : shown(v)));
    return oneLine(`[${items.join(', ')}${value.length > 12 ? `, … ${value.length} in all` : ''}]`, 120);
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return `a ${proto?.constructor?.name ?? 'object'}`;
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
  } catch {
    text = undefined;
  }
  return text === undefined ? 'an object' : oneLine(text, 80);
}

/**
 * The bytes of file `name` given as a Uint8Array (a Node Buffer is one) or an
 * ArrayBuffer (fetch's arrayBuffer()); PcError('data') naming the file and
 * `where` (the reader) for anything else.
 */
export function fileBytes(file: unknown, name: string, where: string): Uint8Array {
  if (file instanceof Uint8Array) return file;
  if (file instanceof ArrayBuffer) return new Uint8Array(file);
  throw new PcError('data', `${name}: ${where} needs the file's bytes (a Uint8Array or an ArrayBuffer), got ${shown(file)}.`);
}
export { printable, printableJson, quoted } from './printable.ts';

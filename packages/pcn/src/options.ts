/** Argument parsers for commander: each rejects a bad value with a one-line reason. */
import { type Command, InvalidArgumentError } from 'commander';
import { MAX_SEED } from 'predictive-coding/random';

export function integer(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer in ${min}..${max === Number.MAX_SAFE_INTEGER ? '∞' : max}.`);
    return n;
  };
}

/**
 * A number as people write one: decimal, optionally signed, with an optional
 * exponent (0.5, .5, 5e-4). Number() alone would also take 0x10, 0b1, 0o7,
 * Infinity and '' (as 16, 1, 7, ∞ and 0); null for anything else.
 */
function decimal(value: string): number | null {
  const v = value.trim();
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v) ? Number(v) : null;
}

export function number(min: number, max = Number.POSITIVE_INFINITY): (value: string) => number {
  const expected = max === Number.POSITIVE_INFINITY ? `a finite number ≥ ${min}` : `a number in [${min}, ${max}]`;
  return (value) => {
    const n = decimal(value);
    if (n === null || !Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`expected ${expected}.`);
    return n;
  };
}

export function choice<T extends string>(options: readonly T[]): (value: string) => T {
  return (value) => {
    if (!options.includes(value as T)) throw new InvalidArgumentError(`expected one of ${options.join(', ')}.`);
    return value as T;
  };
}

/** A comma-separated list of positive integers, e.g. 784,128,10. */
export function sizes(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.length < 2 || parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1))
    throw new InvalidArgumentError('expected at least two positive integers separated by commas, e.g. 784,128,10.');
  return parts.map(Number);
}

/** A seed for createRng: an integer in 0..MAX_SEED (2^32 − 1). */
export const seed = integer(0, MAX_SEED);

/** True when the option `key` (its attribute name, e.g. 'lrX') was typed on the command line, not a default. */
export function fromCli(cmd: Command | undefined, key: string): boolean {
  return cmd?.getOptionValueSource(key) === 'cli';
}

/** 'auto' or a thread count 1..64. */
export function threads(value: string): number | 'auto' {
  return value === 'auto' ? 'auto' : integer(1, 64)(value);
}

/** A finite number > 0 (a rate for which 0 would mean "do nothing"). */
export function positive(value: string): number {
  const n = decimal(value);
  if (n === null || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a finite number > 0.');
  return n;
}

/** A comma-separated list of integers in min..max ('1,2,4'). */
export function integers(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number[] {
  const one = integer(min, max);
  return (value) => {
    const parts = value.split(',').map((v) => v.trim());
    if (parts.length === 0 || parts.some((v) => v === ''))
      throw new InvalidArgumentError(`expected integers in ${min}..${max === Number.MAX_SAFE_INTEGER ? '∞' : max}, separated by commas.`);
    return parts.map(one);
  };
}

/**
 * One or more http(s) URLs separated by commas, added to those of earlier
 * uses of the flag (a repeatable option, not a variadic one, so that it never
 * swallows the command's arguments after it).
 */
export function urls(value: string, previous: readonly string[] | undefined): string[] {
  const parts = value.split(',').map((v) => v.trim());
  for (const p of parts) {
    let url: URL | null = null;
    try {
      url = new URL(p);
    } catch {
      // Not a URL at all: refused below.
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      throw new InvalidArgumentError(
        `expected an http:// or https:// URL, e.g. https://example.org/mnist/${p === value ? '' : ` (got '${p}')`}; repeat the flag or separate URLs by commas for several.`,
      );
  }
  return [...(previous ?? []), ...parts];
}

/** Flag parsers refuse bad values with a one-line reason (commander turns it into `error: … (run pcn <command> --help for usage)`). */
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { integer, integers, number, positive } from '../../packages/pcn/src/options.ts';

describe('integers (e.g. compare --t-sweep)', () => {
  it('parses a comma-separated list and refuses anything that is not an integer in range', () => {
    expect(integers(1, 100)('1,2, 4,8')).toEqual([1, 2, 4, 8]);
    for (const bad of ['1,x', '1,,2', '', '0,1', '1,101', '2.5']) expect(() => integers(1, 100)(bad), bad).toThrow(InvalidArgumentError);
  });
});

describe('number and positive (rates, noise, weight decay)', () => {
  it('take decimal and scientific notation only: 0x10, 0b1, 0o7, 1_000 and Infinity are refused', () => {
    expect([number(0)('0.5'), number(0)('.5'), number(0)('5.'), number(0)('1e-3'), number(0)('2E+2'), number(-1)('-0.25'), number(0)(' 3 ')]).toEqual([
      0.5, 0.5, 5, 1e-3, 200, -0.25, 3,
    ]);
    expect(positive('5e-4')).toBe(5e-4);
    for (const bad of ['0x10', '0b1', '0o7', '1_000', 'Infinity', '-Infinity', 'NaN', '', ' ', '1e', 'e3', '1.2.3', '+', '--1'])
      for (const parse of [number(-10), positive]) expect(() => parse(bad), JSON.stringify(bad)).toThrow(InvalidArgumentError);
    expect(() => integer(0)('0x10')).toThrow(InvalidArgumentError);
  });

  it('say "a finite number" where the range has no upper end', () => {
    expect(() => number(0)('Infinity')).toThrow('expected a finite number ≥ 0.');
    expect(() => number(0, 0.999)('Infinity')).toThrow('expected a number in [0, 0.999].');
    expect(() => positive('Infinity')).toThrow('expected a finite number > 0.');
  });
});

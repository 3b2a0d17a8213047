/** Flag parsers refuse bad values with a one-line reason (commander turns it into `error: … (run pcn --help for usage)`). */
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { integers } from '../../src/cli/options.ts';

describe('integers (e.g. compare --t-sweep)', () => {
  it('parses a comma-separated list and refuses anything that is not an integer in range', () => {
    expect(integers(1, 100)('1,2, 4,8')).toEqual([1, 2, 4, 8]);
    for (const bad of ['1,x', '1,,2', '', '0,1', '1,101', '2.5']) expect(() => integers(1, 100)(bad), bad).toThrow(InvalidArgumentError);
  });
});

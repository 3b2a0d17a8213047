/** Examples are code that the tests run; the README's code block must be the example, verbatim. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = (file: string): string => execFileSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8', timeout: 60_000 });

describe('examples', () => {
  it('examples/matmul.ts prints the product the README promises', () => {
    expect(run('examples/matmul.ts').trim()).toBe('Float32Array(4) [ 4, 5, 10, 11 ]');
  });

  it("the README's kernel example is examples/matmul.ts, verbatim", () => {
    const readme = readFileSync(`${root}README.md`, 'utf8');
    const block = readme.match(/```ts\n(\/\/ examples\/matmul\.ts[\s\S]*?)```/)?.[1];
    expect(block).toBe(readFileSync(`${root}examples/matmul.ts`, 'utf8'));
  });
});

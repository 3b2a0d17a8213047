/** Examples are code that the tests run; every README code block that names an example must be that file, verbatim. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = (file: string): string =>
  execFileSync(process.execPath, ['--conditions=predictive-coding-source', '--import', 'tsx', file], { cwd: root, encoding: 'utf8', timeout: 60_000 });

describe('examples', () => {
  it('examples/matmul.ts prints the product the README promises', () => {
    expect(run('examples/matmul.ts').trim()).toBe('Float32Array(4) [ 4, 5, 10, 11 ]');
  });

  it('examples/train-step.ts lowers the energy and learns the XOR-like problem', () => {
    const m = run('examples/train-step.ts').match(/^energy ([\d.]+) → ([\d.]+); training accuracy (\d+)\/64$/m);
    expect(m).not.toBeNull();
    expect(Number(m![2])).toBeLessThan(0.1 * Number(m![1]));
    expect(Number(m![3])).toBeGreaterThanOrEqual(56);
  });

  it('examples/presets.ts trains PCX_MLP on the embedded digits to a held-out accuracy above 85 %', () => {
    const m = run('examples/presets.ts').match(/^held-out accuracy ([\d.]+) %$/m);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(85);
  });

  it('README code blocks that name an example are that file, verbatim', () => {
    const readme = readFileSync(`${root}README.md`, 'utf8');
    const blocks = [...readme.matchAll(/```ts\n(\/\/ (examples\/[\w-]+\.ts)[\s\S]*?)```/g)];
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const [, body, file] of blocks) expect(body, file).toBe(readFileSync(`${root}${file}`, 'utf8'));
  });
});

/** `pcn train` says when training goes wrong and which flag to change: warnings on stderr, persistent divergence exit 1. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeTinyIdxDir } from '../data/fixtures.ts';
import { pcn } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'pcn-divergence-'));
const data = join(dir, 'small-8x8');
beforeAll(() => writeTinyIdxDir(data, 400, 50, 8));
const train = (...args: string[]) =>
  pcn(['train', '--data', data, '--batch', '20', '--layers', '64,32,32,10', '--threads', '1', '--no-progress', '--out', join(dir, args.join('')), ...args]);

describe('pcn train on diverging settings', () => {
  it('an x step far too large ends the run with exit 1 and one line naming --lr-x and --momentum-x', () => {
    const r = train('--lr-x', '3', '--epochs', '2');
    expect(r.status, r.stderr).toBe(1);
    const [line, ...rest] = r.stderr.trim().split('\n');
    expect(rest).toEqual([]);
    expect(line).toMatch(
      /^error: fit: epoch 1, batch \d+: \d+ of the last \d+ relaxations ended with more energy .*pcn --lr-x; now 3\).*pcn --momentum-x; now 0\.9\)/,
    );
  });

  it('a weight lr far too large ends the run naming --lr-w, not the relaxation', () => {
    const r = train('--lr-w', '1e9', '--epochs', '2');
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^error: .*weight.* --lr-w; now 1000000000\)/m);
    expect(r.stderr).not.toMatch(/--lr-x/);
  });

  it("--init zero with the default steps trains but warns on stderr, naming --steps and --init 'forward' (stdout stays JSON)", () => {
    const r = train('--init', 'zero', '--epochs', '1', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim()).epoch).toBe(1);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning: '));
    // The library's "fit: options.train: " names its API, not the flags the user typed: the CLI drops it.
    expect(warnings[0]).toMatch(/^warning: init 'zero' starts every free layer far from equilibrium.*at least 100 steps \(pcn --steps\)/);
  });
});

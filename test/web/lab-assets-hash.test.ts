/** The lab's asset cache key: stable for the same inputs, different when any input file changes, is added, or is renamed. */
import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labAssetsHash } from '../../scripts/lab-assets-hash.ts';

describe('labAssetsHash', () => {
  it('changes exactly when what the assets are made from changes', () => {
    const root = mkdtempSync(join(tmpdir(), 'pc-labhash-'));
    mkdirSync(join(root, 'src', 'deep'), { recursive: true });
    writeFileSync(join(root, 'src', 'a.ts'), 'a');
    writeFileSync(join(root, 'src', 'deep', 'b.ts'), 'b');
    writeFileSync(join(root, 'script.ts'), 's');
    const inputs = ['src', 'script.ts'];
    const first = labAssetsHash(root, inputs);
    expect(labAssetsHash(root, inputs)).toBe(first);
    writeFileSync(join(root, 'src', 'deep', 'b.ts'), 'B');
    const edited = labAssetsHash(root, inputs);
    expect(edited).not.toBe(first);
    writeFileSync(join(root, 'src', 'c.ts'), '');
    const added = labAssetsHash(root, inputs);
    expect(added).not.toBe(edited);
    renameSync(join(root, 'src', 'c.ts'), join(root, 'src', 'd.ts'));
    expect(labAssetsHash(root, inputs)).not.toBe(added);
  });

  it('covers the library sources, the embedded digits, the lab recipes and the script', () => {
    const root = join(import.meta.dirname, '..', '..');
    expect(labAssetsHash(root)).toMatch(/^[0-9a-f]{64}$/);
  });
});

/** `pcn info` on checkpoints whose metadata tries to reach the terminal or pass itself off as computed fields. */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createConfig, initModel } from '../../packages/predictive-coding/src/core/index.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import { encodeCheckpoint, initOptimizer } from '../../packages/predictive-coding/src/train/index.ts';
import { pcn, pcnArgs, scratchCwd } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'pcn-info-'));
const file = join(dir, 'hostile.safetensors');

const ESC = '\u001b';
const BEL = '\u0007';
const RLO = '\u202e'; // right-to-left override: makes "txt.exe" display as "exe.txt"
const hostile: Record<string, string> = {
  note: `${ESC}[2J${ESC}]0;owned${BEL}cleared`,
  [`key${ESC}[31m`]: 'red',
  spoof: `report${RLO}fdp.exe`,
  lines: 'one\ntwo\rthree\u2028four\u0085five',
  zero_width: 'a\u200bb\ufeffc',
  // Keys that name computed fields: they must not replace them.
  parameters: '1',
  sizes: '[1,1]',
  file: 'not-this-file',
  orientation: 'sideways',
};

// Characters that must never reach the terminal raw: C0/C1 controls, format characters (bidi, zero width), line/paragraph separators.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

beforeAll(() => {
  const backend = createReferenceBackend('float32');
  const model = initModel(createConfig({ sizes: [4, 3, 2], activation: 'tanh' }), backend, createRng(0));
  const opt = initOptimizer(model, {}, backend);
  writeFileSync(file, encodeCheckpoint(model, { optimizer: opt, metadata: hostile }));
});

describe('pcn info', () => {
  it('escapes control, bidi and other invisible characters in every metadata key and value, one line per entry', () => {
    const r = pcn(['info', '--model', file]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.replace(/\n$/, '').split('\n');
    for (const line of lines) expect(UNSAFE.test(line), JSON.stringify(line)).toBe(false);
    expect(r.stdout).toContain('\\u{1b}[2J\\u{1b}]0;owned\\u{7}cleared');
    expect(r.stdout).toContain('key\\u{1b}[31m');
    expect(r.stdout).toContain('report\\u{202e}fdp.exe');
    expect(r.stdout).toContain('one\\ntwo\\rthree\\u{2028}four\\u{85}five');
    expect(r.stdout).toContain('a\\u{200b}b\\u{feff}c');
    // The computed lines come first and say what the file holds; the metadata's "parameters" is listed as metadata.
    expect(lines[1]).toBe('  network     4-3-2 (discriminative), activations linear, tanh, linear, output energy mse');
    expect(lines[2]).toBe(`  parameters  ${4 * 3 + 3 + 3 * 2 + 2}`);
    expect(lines).toContain('  metadata    parameters = 1');
  });

  it('--json keeps computed fields computed and puts the metadata under "metadata", escaped so the line is plain ASCII-safe text', () => {
    const r = pcn(['info', '--model', file, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(UNSAFE.test(r.stdout.trim())).toBe(false);
    const info = JSON.parse(r.stdout);
    expect(info.file).toBe(file);
    expect(info.sizes).toEqual([4, 3, 2]);
    expect(info.orientation).toBe('discriminative');
    expect(info.parameters).toBe(23);
    expect(info.optimizer.name).toBe('adamw');
    // JSON escapes are undone by the parser: the values arrive exactly as stored.
    expect(info.metadata).toEqual(hostile);
  });
});

describe('pcn info into a pipe closed early', () => {
  it('stops quietly with status 0 when the reader goes away (as `| head -1`)', async () => {
    const child = spawn(process.execPath, pcnArgs(['info', '--model', file, '--json']), { cwd: scratchCwd });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Close our end before pcn writes: its write then fails with EPIPE.
    child.stdout.destroy();
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });
});

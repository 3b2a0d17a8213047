/**
 * The CLI on hostile inputs: every one is a user error (exit 1) with a
 * one-line message naming the file, never a stack trace or "internal error".
 * The full catalogue (about 200 files, with memory and time) is
 * scripts/hostile-files.ts; these are one of each kind.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { createConfig, initModel } from '../../packages/predictive-coding/src/core/index.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import { encodeCheckpoint } from '../../packages/predictive-coding/src/train/index.ts';
import { idx, tinyMnist } from '../data/fixtures.ts';
import { chunk, concat, ihdr, SIGNATURE } from './png-fixtures.ts';
import { pcn, type Run } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'pcn-hostile-'));
const js = createReferenceBackend('float32');
const classifier = join(dir, 'classifier.safetensors');
const generator = join(dir, 'generator.safetensors');
const testOnly = join(dir, 'test-only');
const small = join(dir, 'small');

beforeAll(() => {
  writeFileSync(classifier, encodeCheckpoint(initModel(createConfig({ sizes: [784, 10] }), js, createRng(1))));
  writeFileSync(generator, encodeCheckpoint(initModel(createConfig({ sizes: [10, 8, 784], orientation: 'generative' }), js, createRng(1))));
  for (const [folder, side] of [
    [testOnly, 28],
    [small, 8],
  ] as const) {
    mkdirSync(folder);
    const { images, labels } = tinyMnist(20, side, side);
    writeFileSync(join(folder, 't10k-images-idx3-ubyte.gz'), idx([20, side, side], images, true));
    writeFileSync(join(folder, 't10k-labels-idx1-ubyte'), idx([20], labels));
  }
});

/** Exit 1 and exactly one line, `error: …`, that contains `path`. */
function expectUserError(r: Run, path: string): string {
  expect(r.status, r.stderr).toBe(1);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toContain(path);
  return lines[0];
}

describe('pcn on hostile inputs', () => {
  it('eval needs only the test files', () => {
    const r = pcn(['eval', '--model', classifier, '--data', testOnly, '--json', '--backend', 'js']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ count: 20, data: testOnly });
  });

  it('eval names the model and the data when their sizes differ', () => {
    const line = expectUserError(pcn(['eval', '--model', classifier, '--data', small, '--backend', 'js']), classifier);
    expect(line).toBe(
      `error: pcn eval: ${classifier} takes 784 values per image and 10 classes, but ${small} (test) has 64 (8×8) and 10. Evaluate it on the data it was trained on.`,
    );
  });

  it('info refuses a named pipe, a link to /dev/zero and a forged header without hanging', () => {
    const fifo = join(dir, 'pipe.safetensors');
    execFileSync('mkfifo', [fifo]);
    expectUserError(pcn(['info', '--model', fifo], 20_000), fifo);
    const zero = join(dir, 'zero.safetensors');
    symlinkSync('/dev/zero', zero);
    expectUserError(pcn(['info', '--model', zero], 20_000), zero);
    const forged = join(dir, 'null.safetensors');
    const text = new TextEncoder().encode('null');
    const bytes = new Uint8Array(8 + text.length);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(text.length), true);
    bytes.set(text, 8);
    writeFileSync(forged, bytes);
    expectUserError(pcn(['info', '--model', forged]), forged);
  });

  it('eval refuses an IDX name that is a folder', () => {
    const folder = join(dir, 'folder-data');
    mkdirSync(join(folder, 't10k-images-idx3-ubyte'), { recursive: true });
    writeFileSync(join(folder, 't10k-labels-idx1-ubyte'), idx([1], new Uint8Array(1)));
    expectUserError(pcn(['eval', '--model', classifier, '--data', folder]), join(folder, 't10k-images-idx3-ubyte'));
  });

  it('generate refuses a 20000×20000 PNG from its header and names the model for a bad label', () => {
    const huge = join(dir, 'huge.png');
    writeFileSync(
      huge,
      concat(SIGNATURE, ihdr(20000, 20000, 8, 0), chunk('IDAT', new Uint8Array(deflateSync(new Uint8Array(1 << 16)))), chunk('IEND', new Uint8Array(0))),
    );
    const out = join(dir, 'out.png');
    expectUserError(pcn(['generate', '--model', generator, '--complete', huge, '--out', out]), huge);
    const line = expectUserError(pcn(['generate', '--model', generator, '--label', '12', '--out', out]), generator);
    expect(line).toContain('label 12 is not a class of');
  });
});

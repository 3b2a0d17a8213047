import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../packages/pcn/src/io.ts';
import { readError, readFileChecked } from '../../packages/predictive-coding/src/node/index.ts';
import { catchPcError } from '../helpers/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'pc-read-'));
const options = { flag: '--model', maxBytes: 1000, kind: 'a checkpoint' };
const refusal = (path: string, o = options): string => catchPcError(() => readFileChecked(path, o), 'data').message;

describe('reading an input file', () => {
  it('returns the bytes of a regular file', () => {
    const path = join(dir, 'ok.bin');
    writeFileSync(path, Uint8Array.from([1, 2, 3]));
    expect(Array.from(readFileChecked(path, options))).toEqual([1, 2, 3]);
  });

  it('refuses a missing file, a folder and a path under a file, naming the option and the path', () => {
    expect(refusal(join(dir, 'nope'))).toBe(`--model: ${join(dir, 'nope')} does not exist.`);
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    expect(refusal(sub)).toBe(`--model: ${sub} is a folder; expected a checkpoint file. Name a regular file.`);
    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    expect(refusal(join(file, 'below'))).toBe(
      `--model: cannot read ${join(file, 'below')}: a part of the path that should be a folder is a file (ENOTDIR). Check the path.`,
    );
  });

  it('refuses a link to an endless device and a named pipe without reading them', () => {
    const zero = join(dir, 'zero');
    symlinkSync('/dev/zero', zero);
    expect(refusal(zero)).toBe(`--model: ${zero} is a character device (such as /dev/zero); expected a checkpoint file. Name a regular file.`);
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(refusal(fifo)).toBe(`--model: ${fifo} is a named pipe (FIFO); expected a checkpoint file. Name a regular file.`);
    const loop = join(dir, 'loop');
    symlinkSync(loop, loop);
    expect(refusal(loop)).toMatch(/^--model: cannot read .*loop: too many levels of symbolic links .* \(ELOOP\)\. Fix the links\.$/);
  });

  it('refuses a file over the cap from its size alone (a sparse file: nothing to read)', () => {
    const big = join(dir, 'big');
    writeFileSync(big, '');
    truncateSync(big, 2 ** 40);
    expect(refusal(big)).toBe(`--model: ${big} is 1,099,511,627,776 bytes; a checkpoint file may be at most 1,000 bytes. Is this the right file?`);
  });

  it('lets the caller refuse a file from its first bytes before reading the rest', () => {
    const path = join(dir, 'head.bin');
    writeFileSync(path, Uint8Array.from([9, 8, 7, 6]));
    const seen: number[][] = [];
    const head = {
      bytes: 2,
      check: (b: Uint8Array, size: number) => {
        seen.push([...b, size]);
      },
    };
    expect(Array.from(readFileChecked(path, { ...options, head }))).toEqual([9, 8, 7, 6]);
    expect(seen).toEqual([[9, 8, 4]]);
  });

  it('says what a permission or device error means (as for a user without read access)', () => {
    const eacces = Object.assign(new Error('EACCES: permission denied, open'), { code: 'EACCES' });
    expect(readError(eacces, '--data', '/x/y').message).toBe(
      '--data: cannot read /x/y: permission denied (EACCES). Change its permissions or run as a user who may read it.',
    );
    expect(readError(new Error('odd\nsecond line'), '--data', '/x/y').message).toBe('--data: cannot read /x/y: odd. Check the file.');
  });
});

describe('reading a checkpoint file', () => {
  it('refuses a header over 100 MB from the first 8 bytes of a sparse file', () => {
    const path = join(dir, 'huge-header.safetensors');
    const head = new Uint8Array(8);
    new DataView(head.buffer).setBigUint64(0, 120_000_000n, true);
    writeFileSync(path, head);
    truncateSync(path, 1_900_000_000);
    const t0 = performance.now();
    expect(catchPcError(() => readCheckpoint(path), 'data').message).toBe(
      `${path}: the header claims 120000000 bytes; safetensors headers are at most 100000000 bytes (the reference reader's limit). The file is corrupt or not a safetensors checkpoint.`,
    );
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('refuses a header length past the end of the file, from the first 8 bytes', () => {
    const path = join(dir, 'short.safetensors');
    const head = new Uint8Array(16);
    new DataView(head.buffer).setBigUint64(0, 5000n, true);
    writeFileSync(path, head);
    expect(catchPcError(() => readCheckpoint(path), 'data').message).toBe(
      `${path}: the header claims 5000 bytes but only 8 follow. The file is truncated or not a safetensors checkpoint.`,
    );
  });

  it('names the option in file-system errors', () => {
    expect(catchPcError(() => readCheckpoint(dir, '--resume'), 'data').message).toBe(
      `--resume: ${dir} is a folder; expected a checkpoint file. Name a regular file.`,
    );
  });
});

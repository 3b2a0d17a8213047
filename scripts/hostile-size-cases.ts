/**
 * The size-limit kind of scripts/hostile-cases.ts: gzip and zlib bombs,
 * sparse giants, headers that claim gigabytes, and checkpoint paths that are
 * devices or pipes — each must be refused before it is allocated or read.
 */

import { execFileSync } from 'node:child_process';
import { symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDeflate, createGzip, constants as zlib } from 'node:zlib';
import { chunk, concat, ihdr, png, SIGNATURE } from '../test/cli/png-fixtures.ts';
import type { CaseContext } from './hostile-context.ts';

/** Streams `total` zero bytes (after `head`) through gzip or zlib: a bomb of a few MB, made in a second (Z_RLE). */
async function compressedZeros(format: 'gzip' | 'zlib', head: Uint8Array, total: number): Promise<Uint8Array> {
  const z = format === 'gzip' ? createGzip({ level: 9, strategy: zlib.Z_RLE }) : createDeflate({ level: 9, strategy: zlib.Z_RLE });
  const parts: Buffer[] = [];
  z.on('data', (d: Buffer) => parts.push(d));
  const done = new Promise((resolve) => z.on('end', resolve));
  const write = (b: Uint8Array) => new Promise<void>((resolve) => (z.write(b) ? resolve() : z.once('drain', () => resolve())));
  await write(head);
  const block = new Uint8Array(1 << 24);
  for (let left = total; left > 0; left -= block.length) await write(left >= block.length ? block : block.subarray(0, left));
  z.end();
  await done;
  return new Uint8Array(Buffer.concat(parts));
}

/** An IDX header of unsigned bytes with dimensions `dims`, and no data after it. */
function idxHeader(dims: readonly number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length);
  out.set([0, 0, 8, dims.length]);
  for (const [i, d] of dims.entries()) new DataView(out.buffer).setUint32(4 + 4 * i, d);
  return out;
}

/** No size limit before allocating: writes the kind's files and pushes its cases onto `ctx.cases`. */
export async function writeSizeCases({ dir, out, classifier, generator, cases, idxDir, file, ckpt, ckptPath }: CaseContext): Promise<void> {
  const kind = 'size limits';
  const bomb = idxDir('gzip-bomb');
  const gz = join(bomb.dir, 't10k-images-idx3-ubyte.gz');
  writeFileSync(gz, await compressedZeros('gzip', idxHeader([20, 28, 28]), 4 * 2 ** 30)); // 4 GB inflated
  cases.push({ kind, name: '4 MB gzip inflating to 4 GB (eval)', args: ['eval', '--model', classifier, '--data', bomb.dir], names: [gz], expect: 1 });
  const bombTrain = idxDir('gzip-bomb-train');
  writeFileSync(bombTrain.trainImages, await compressedZeros('gzip', idxHeader([60000, 28, 28]), 4 * 2 ** 30));
  cases.push({
    kind,
    name: '4 MB gzip inflating to 4 GB, MNIST header (train)',
    args: ['train', '--data', bombTrain.dir, '--epochs', '1', '--out', join(out, 'bomb'), '--no-progress'],
    names: [bombTrain.trainImages],
    expect: 1,
  });
  const atCap = idxDir('gzip-at-cap');
  writeFileSync(atCap.trainImages, await compressedZeros('gzip', idxHeader([342_000, 28, 28]), 342_000 * 784 + 2 ** 20));
  cases.push({
    kind,
    name: 'gzip declaring 268 MB (the cap) and inflating past it (train)',
    args: ['train', '--data', atCap.dir, '--epochs', '1', '--out', join(out, 'cap'), '--no-progress'],
    names: [atCap.trainImages],
    expect: 1,
  });
  const claims = idxDir('idx-huge-dims');
  writeFileSync(claims.testImages, idxHeader([60_000_000, 28, 28]));
  cases.push({ kind, name: 'IDX header claiming 47 GB', args: ['eval', '--model', classifier, '--data', claims.dir], names: [claims.testImages], expect: 1 });
  const sparse = idxDir('idx-sparse-1tb');
  truncateSync(sparse.testImages, 2 ** 40);
  cases.push({ kind, name: 'sparse 1 TB IDX file', args: ['eval', '--model', classifier, '--data', sparse.dir], names: [sparse.testImages], expect: 1 });
  // A valid 20000×20000 greyscale PNG: 400 MB of zero scanlines deflate to about 389 kB.
  const bigPng = file(
    '20000x20000.png',
    concat(
      SIGNATURE,
      ihdr(20000, 20000, 8, 0),
      chunk('IDAT', await compressedZeros('zlib', new Uint8Array(0), 20000 * 20001)),
      chunk('IEND', new Uint8Array(0)),
    ),
  );
  cases.push({
    kind,
    name: 'valid 20000×20000 PNG (389 kB)',
    args: ['generate', '--model', generator, '--complete', bigPng, '--out', join(out, 'a.png')],
    names: [bigPng],
    expect: 1,
  });
  const pngBomb = file('idat-1gb.png', png({ width: 28, height: 28, colorType: 0, depth: 8 }, await compressedZeros('zlib', new Uint8Array(0), 2 ** 30)));
  cases.push({
    kind,
    name: '28×28 PNG whose IDAT inflates to 1 GB',
    args: ['generate', '--model', generator, '--complete', pngBomb, '--out', join(out, 'b.png')],
    names: [pngBomb],
    expect: 1,
  });
  const zero = join(dir, 'zero.safetensors');
  symlinkSync('/dev/zero', zero);
  ckptPath(kind, 'link to /dev/zero', zero);
  const urandom = join(dir, 'urandom.safetensors');
  symlinkSync('/dev/urandom', urandom);
  ckptPath(kind, 'link to /dev/urandom', urandom);
  const fifo = join(dir, 'fifo.safetensors');
  execFileSync('mkfifo', [fifo]);
  ckptPath(kind, 'named pipe with no writer', fifo);
  const header120 = new Uint8Array(8 + 120_000_000).fill(0x20);
  new DataView(header120.buffer).setBigUint64(0, 120_000_000n, true);
  header120[8] = 0x7b;
  header120[header120.length - 1] = 0x7d;
  ckpt(kind, '120 MB JSON header', header120);
  const huge = file('sparse-3gb.safetensors', new Uint8Array(0));
  truncateSync(huge, 3 * 2 ** 30);
  ckptPath(kind, 'sparse 3 GB checkpoint', huge);
  const claim = new Uint8Array(16);
  new DataView(claim.buffer).setBigUint64(0, 2n ** 63n, true);
  ckpt(kind, 'header length 2^63', claim);
  const bigPngFile = file('sparse-1gb.png', new Uint8Array(0));
  truncateSync(bigPngFile, 2 ** 30);
  cases.push({
    kind,
    name: 'sparse 1 GB PNG',
    args: ['generate', '--model', generator, '--complete', bigPngFile, '--out', join(out, 'c.png')],
    names: [bigPngFile],
    expect: 1,
  });
}

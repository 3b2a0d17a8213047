/** `pcn data download cifar10` against a local HTTP server on 127.0.0.1 serving generated tarballs — never the internet. */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../packages/predictive-coding/src/node/index.ts';

const loadData = (spec: string) => loadDataset(spec, '--data');

import { downloadDataset, sha256Hex } from '../../packages/pcn/src/download.ts';
import { DATASET_SOURCES, type DatasetSource } from '../../packages/predictive-coding/src/data/index.ts';
import { cifarBatch } from '../data/cifar-fixtures.ts';
import { rejectsPcError } from '../helpers/errors.ts';
import { pcnAsync } from './run.ts';
import { type TarEntry, tarGz } from './tar-fixtures.ts';

const FILE = 'cifar-10-binary.tar.gz';
const members: TarEntry[] = [
  { name: 'cifar-10-batches-bin', type: '5' },
  ...[1, 2, 3, 4, 5].map((b) => ({ name: `cifar-10-batches-bin/data_batch_${b}.bin`, data: cifarBatch(2, 2 * (b - 1)) })),
  { name: 'cifar-10-batches-bin/test_batch.bin', data: cifarBatch(3, 100) },
  { name: 'cifar-10-batches-bin/batches.meta.txt', data: 'airplane\nautomobile\n' },
  { name: 'cifar-10-batches-bin/readme.html', data: '<p>CIFAR-10</p>' },
];
const archives: Record<string, Uint8Array> = {
  good: tarGz(members),
  evil: tarGz([...members, { name: '../../escaped.bin', data: 'x' }]),
  short: tarGz(members.filter((m) => !m.name.endsWith('readme.html') && !m.name.endsWith('data_batch_4.bin'))),
};
const good = archives.good;
const source = (mirrors: string[], sum = sha256Hex(good)): DatasetSource => ({ ...DATASET_SOURCES.cifar10, mirrors, sha256: { [FILE]: sum } });

let server: Server;
let base = '';
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const [, mirror, name] = (req.url ?? '').split('/');
    if (name !== FILE || mirror === 'missing') {
      res.writeHead(404).end();
      return;
    }
    if (mirror === 'cut') {
      // Half the body, then the connection drops.
      res.writeHead(200, { 'content-length': good.length });
      res.write(good.subarray(0, good.length >> 1), () => res.destroy());
      return;
    }
    const bytes = mirror === 'corrupt' ? good.map((b, i) => (i === 40 ? b ^ 1 : b)) : (archives[mirror] ?? good);
    res.writeHead(200, { 'content-length': bytes.length }).end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});

afterAll(() => server.close());

const fresh = () => mkdtempSync(join(tmpdir(), 'pc-cifar-dl-'));

describe('downloading CIFAR-10', () => {
  it('fetches the tarball past a failing mirror, verifies it, extracts the eight members, and the folder loads', async () => {
    const dir = fresh();
    const reports = await downloadDataset(source([`${base}/missing/`, `${base}/good/`]), dir);
    expect(reports.map((r) => [r.file, r.status])).toEqual([
      [FILE, 'downloaded'],
      ['cifar-10-batches-bin/', 'extracted'],
    ]);
    expect(readdirSync(dir).sort()).toEqual(['cifar-10-batches-bin', FILE]);
    expect(readdirSync(join(dir, 'cifar-10-batches-bin')).sort()).toEqual([
      'batches.meta.txt',
      'data_batch_1.bin',
      'data_batch_2.bin',
      'data_batch_3.bin',
      'data_batch_4.bin',
      'data_batch_5.bin',
      'readme.html',
      'test_batch.bin',
    ]);
    expect(Array.from(readFileSync(join(dir, FILE)))).toEqual(Array.from(good));
    const { train, test } = await loadData(dir);
    expect([train.count, test.count, train.channels]).toEqual([10, 3, 3]);
    // Record 3 (data_batch_2.bin's second), pixel (0, 0), red: (7·3 + 0 + 0) mod 256 = 21.
    expect(train.images[3 * 3072]).toBe(Math.fround(21 / 255));
    // A second run finds the tarball present and verified, fetches nothing, and extracts again.
    const before = hits.length;
    const again = await downloadDataset(source([`${base}/good/`]), dir);
    expect(again.map((r) => r.status)).toEqual(['present', 'extracted']);
    expect(hits.length).toBe(before);
  });

  it('refuses a tarball with the wrong SHA-256, or one cut off mid-download, and leaves nothing behind', async () => {
    for (const mirror of ['corrupt', 'cut']) {
      const dir = fresh();
      const message = (await rejectsPcError(downloadDataset(source([`${base}/${mirror}/`]), dir), 'data')).message;
      expect(message, mirror).toMatch(
        mirror === 'corrupt'
          ? /^could not download cifar-10-binary\.tar\.gz: http:\/\/127\.0\.0\.1:\d+\/corrupt\/cifar-10-binary\.tar\.gz: SHA-256 [0-9a-f]{64} is not the expected [0-9a-f]{64}\. Nothing was written/
          : /^could not download cifar-10-binary\.tar\.gz: http:\/\/127\.0\.0\.1:\d+\/cut\/cifar-10-binary\.tar\.gz: .+\. Nothing was written/,
      );
      expect(readdirSync(dir), mirror).toEqual([]);
    }
  });

  it('refuses an archive (even one matching its sum) with an entry outside the folder or a member missing, extracting nothing', async () => {
    const dir = fresh();
    const evil = (await rejectsPcError(downloadDataset(source([`${base}/evil/`], sha256Hex(archives.evil)), dir), 'data')).message;
    expect(evil).toBe(
      'cifar-10-binary.tar.gz: its entry "../../escaped.bin" would be written outside the destination folder (an absolute path or a \'..\' part); the archive is refused and nothing was extracted. Download it again.',
    );
    expect(readdirSync(dir)).toEqual([FILE]);
    expect(existsSync(join(dir, '..', '..', 'escaped.bin'))).toBe(false);
    const other = fresh();
    const short = (await rejectsPcError(downloadDataset(source([`${base}/short/`], sha256Hex(archives.short)), other), 'data')).message;
    expect(short).toBe(
      'cifar-10-binary.tar.gz: the archive has no cifar-10-batches-bin/data_batch_4.bin, cifar-10-batches-bin/readme.html; it is not the expected dataset archive, and nothing was extracted. Download it again.',
    );
    expect(readdirSync(other)).toEqual([FILE]);
  });

  it('the command checks the tarball against the shipped SHA-256 (TFDS c4a38c50…): a generated one is refused (exit 1) and nothing is left', async () => {
    const dir = fresh();
    const r = await pcnAsync(['data', 'download', 'cifar10', '--dir', dir, '--mirror', `${base}/good/`]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(
      /^error: could not download cifar-10-binary\.tar\.gz: http:\/\/[^ ]*\/good\/cifar-10-binary\.tar\.gz: SHA-256 [0-9a-f]{64} is not the expected c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd\. Nothing was written for it; check the network or pass --mirror\.$/,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reports the tarball with its size, then the folder with the bytes of every member extracted', async () => {
    const dir = fresh();
    const lines: string[] = [];
    await downloadDataset(source([`${base}/good/`]), dir, (r) => lines.push(`${r.file} ${r.status} ${r.bytes}`));
    const extracted = members.reduce((n, m) => n + (typeof m.data === 'string' ? m.data.length : (m.data?.length ?? 0)), 0);
    expect(lines).toEqual([`${FILE} downloaded ${good.length}`, `cifar-10-batches-bin/ extracted ${extracted}`]);
  });
});

/** `pcn data download` against a local HTTP server on 127.0.0.1 serving small generated files — never the internet. */

import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadDataset, sha256Hex } from '../../src/cli/download.ts';
import { PcError } from '../../src/errors.ts';
import { idx, tinyMnist } from '../data/fixtures.ts';
import { pcnAsync } from './run.ts';

const t = tinyMnist(20);
const files: Record<string, Uint8Array> = {
  'train-images-idx3-ubyte.gz': idx([20, 28, 28], t.images, true),
  'train-labels-idx1-ubyte.gz': idx([20], t.labels, true),
  't10k-images-idx3-ubyte.gz': idx([20, 28, 28], t.images, true),
  't10k-labels-idx1-ubyte.gz': idx([20], t.labels, true),
};
const sums = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, sha256Hex(v)]));
let server: Server;
let base = '';
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const [, mirror, name] = (req.url ?? '').split('/');
    const body = files[name ?? ''];
    if (!body || mirror === 'missing') {
      res.writeHead(404).end();
      return;
    }
    const bytes = mirror === 'corrupt' ? body.map((b, i) => (i === 30 ? b ^ 1 : b)) : body;
    res.writeHead(200, { 'content-length': bytes.length }).end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});

afterAll(() => server.close());

describe('dataset download', () => {
  it('fetches every file, verifies its SHA-256, and falls back past a failing mirror', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pc-dl-'));
    const reports = await downloadDataset({ mirrors: [`${base}/missing/`, `${base}/good/`], sha256: sums }, dir);
    expect(reports.map((r) => r.status)).toEqual(['downloaded', 'downloaded', 'downloaded', 'downloaded']);
    for (const [name, bytes] of Object.entries(files)) expect(Array.from(readFileSync(join(dir, name)))).toEqual(Array.from(bytes));
    // A second run finds the files present and verified, and fetches nothing.
    const before = hits.length;
    const again = await downloadDataset({ mirrors: [`${base}/good/`], sha256: sums }, dir);
    expect(again.every((r) => r.status === 'present')).toBe(true);
    expect(hits.length).toBe(before);
  });

  it('refuses bytes with the wrong checksum and leaves no file behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pc-dl-'));
    let err: unknown;
    try {
      await downloadDataset({ mirrors: [`${base}/corrupt/`], sha256: sums }, dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PcError);
    expect((err as PcError).message).toMatch(
      /^could not download train-images-idx3-ubyte\.gz: http:\/\/127\.0\.0\.1:\d+\/corrupt\/train-images-idx3-ubyte\.gz: SHA-256 [0-9a-f]{64} is not the expected [0-9a-f]{64}\. Nothing was written/,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('the command checks downloads against the shipped MNIST sums: generated files are refused (exit 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pc-dl-'));
    const r = await pcnAsync(['data', 'download', 'mnist', '--dir', dir, '--mirror', `${base}/good/`]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: could not download train-images-idx3-ubyte\.gz: .*SHA-256 .* is not the expected 440fcabf/);
    expect(existsSync(join(dir, 'train-images-idx3-ubyte.gz'))).toBe(false);
  });
});

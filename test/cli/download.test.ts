/** `pcn data download` against a local HTTP server on 127.0.0.1 serving small generated files — never the internet. */

import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadDataset, sha256Hex } from '../../packages/pcn/src/download.ts';
import { PcError } from '../../packages/predictive-coding/src/errors.ts';
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

  it('a mirror that is no URL is one failed mirror among others, not a TypeError', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pc-dl-'));
    const reports = await downloadDataset({ mirrors: ['notaurl', `${base}/good/`], sha256: sums }, dir);
    expect(reports.map((r) => r.status)).toEqual(['downloaded', 'downloaded', 'downloaded', 'downloaded']);
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

  it('--mirror repeats, or takes URLs separated by commas, in any position: every mirror is tried in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pc-dl-'));
    for (const args of [
      ['data', 'download', '--mirror', `${base}/missing/`, '--mirror', `${base}/good/`, 'mnist', '--dir', dir],
      ['data', 'download', 'mnist', '--dir', dir, '--mirror', `${base}/missing/,${base}/good/`],
    ]) {
      const r = await pcnAsync(args);
      expect(r.status, r.stderr).toBe(1);
      // The shipped sums refuse the generated files, so the message lists what each mirror gave.
      expect(r.stderr.trim()).toMatch(
        /^error: could not download train-images-idx3-ubyte\.gz: http:\/\/[^ ]*\/missing\/train-images-idx3-ubyte\.gz: HTTP 404; http:\/\/[^ ]*\/good\/train-images-idx3-ubyte\.gz: SHA-256 /,
      );
    }
  });

  it('a --mirror that is not an http(s) URL is a one-line usage error naming --mirror, before anything is fetched', async () => {
    for (const bad of ['notaurl', '', 'ftp://example.org/mnist/', 'file:///tmp/mnist/', `${base}/good/,`]) {
      const before = hits.length;
      const r = await pcnAsync(['data', 'download', 'mnist', '--dir', mkdtempSync(join(tmpdir(), 'pc-dl-')), '--mirror', bad]);
      expect(r.status, bad).toBe(1);
      expect(r.stderr, bad).toMatch(/^error: option '--mirror <url>' argument '.*' is invalid\. expected an http:\/\/ or https:\/\/ URL/);
      expect(r.stderr.trim().split('\n'), bad).toHaveLength(1);
      expect(hits.length, bad).toBe(before);
    }
  });
});

/**
 * Layer groups on Web Workers: a page served with the two cross-origin-isolation headers (vite's dev
 * server, the library from its sources) relaxes a small net with one and two groups in headless
 * Chromium — one group is the synchronous schedule exactly, two reach its equilibrium. And without the
 * headers the page cannot share memory: the error says so.
 */
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceResolution } from '../../vitest.shared.ts';
import type { ConcurrentCheck } from './concurrent-page/main.ts';

const page = fileURLToPath(new URL('./concurrent-page/', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
let isolated: ViteDevServer;
let plain: ViteDevServer;
let browser: Browser;

const serve = async (headers: Record<string, string>) => {
  const server = await createServer({
    root: page,
    configFile: false,
    logLevel: 'silent',
    resolve: sourceResolution.resolve,
    server: { port: 0, host: 'localhost', headers, fs: { allow: [root] } },
  });
  await server.listen();
  return server;
};

const run = async (server: ViteDevServer): Promise<ConcurrentCheck> => {
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite did not report a URL');
  const tab = await browser.newPage();
  try {
    await tab.goto(url);
    await tab.waitForFunction(() => document.title === 'ready', undefined, { timeout: 60_000 });
    return await tab.evaluate(() => (window as unknown as { concurrentCheck: () => Promise<ConcurrentCheck> }).concurrentCheck());
  } finally {
    await tab.close();
  }
};

beforeAll(async () => {
  isolated = await serve(isolation);
  plain = await serve({});
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await isolated?.close();
  await plain?.close();
});

describe('layer groups on Web Workers', () => {
  it('in a cross-origin-isolated page: one group is the synchronous schedule, two reach its equilibrium', async () => {
    const got = await run(isolated);
    expect(got.error).toBeUndefined();
    expect(got.isolated).toBe(true);
    expect(got.one).toBe(got.sync);
    expect(Math.abs((got.two ?? 0) - (got.sync ?? 1)) / (got.sync ?? 1)).toBeLessThan(1e-3);
    expect(got.gap).toBeLessThan(1e-3);
  });

  it('in a page that is not isolated, the error says why', async () => {
    const got = await run(plain);
    expect(got.isolated).toBe(false);
    expect(got.error).toMatch(/not cross-origin isolated/);
  });
});

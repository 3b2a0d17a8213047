/**
 * The webgpu backend object in headless Chromium: on a page served from localhost (WebGPU needs a
 * secure context) with --enable-unsafe-webgpu, Chromium's own SwiftShader adapter runs the kernels on
 * the CPU; the page (webgpu-page/) compares them with the js reference.
 */
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuCheck } from './webgpu-page/main.ts';

const page = fileURLToPath(new URL('./webgpu-page/', import.meta.url));
let server: ViteDevServer;
let browser: Browser;

beforeAll(async () => {
  server = await createServer({ root: page, configFile: false, logLevel: 'silent', server: { port: 0, host: 'localhost' } });
  await server.listen();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('webgpu in the browser', () => {
  it('navigator.gpu gives an adapter, and the backend object agrees with the js reference', async () => {
    const url = server.resolvedUrls?.local[0];
    if (!url) throw new Error('vite did not report a URL');
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    await tab.goto(url);
    await tab.waitForFunction(() => document.title === 'ready', undefined, { timeout: 60_000 });
    const got = await tab.evaluate(() => (window as unknown as { gpuCheck: () => Promise<GpuCheck> }).gpuCheck());
    expect(errors).toEqual([]);
    expect(got.error).toBeUndefined();
    expect(got.adapter).toBeTruthy();
    for (const [op, w] of Object.entries(got.worst ?? {})) expect(w, op).toBeLessThanOrEqual(1);
    expect(Object.keys(got.worst ?? {})).toHaveLength(4);
  });
});

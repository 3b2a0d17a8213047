/**
 * WebGPU in headless Chromium: on pages served from localhost (WebGPU needs a secure context) with
 * --enable-unsafe-webgpu, Chromium's own SwiftShader adapter runs the kernels on the CPU. A test page
 * (webgpu-page/) compares the backend object with the js reference; the built lab (npm run build:lab)
 * offers WebGPU, relaxes on it (classification, completion, generation) as on wasm, and trains on it
 * in its worker.
 */
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { createServer, type PreviewServer, preview, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawOne, eraseAndFill, generateDigit } from './lab-actions.ts';
import type { GpuCheck } from './webgpu-page/main.ts';

const page = fileURLToPath(new URL('./webgpu-page/', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
let server: ViteDevServer;
let lab: PreviewServer;
let browser: Browser;

beforeAll(async () => {
  server = await createServer({ root: page, configFile: false, logLevel: 'silent', server: { port: 0, host: 'localhost' } });
  await server.listen();
  lab = await preview({
    configFile: `${root}vite.config.lab.ts`,
    root: `${root}lab`,
    preview: { port: 0, open: false, host: 'localhost' },
    logLevel: 'silent',
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await new Promise<void>((resolve) => lab?.httpServer.close(() => resolve()));
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

describe('the lab on webgpu', () => {
  it('offers WebGPU (SwiftShader: not chosen unasked), relaxes on it as on wasm, and a quick epoch on it reaches the accuracy wasm reaches', async () => {
    const url = lab.resolvedUrls?.local[0];
    if (!url) throw new Error('vite preview did not report a URL');
    const tab = await browser.newPage({ viewport: { width: 1200, height: 1600 } });
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    tab.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await tab.goto(url);
    await tab.waitForSelector('[data-testid="pg-status"][data-ready="true"]', { timeout: 60_000 });
    expect(await tab.textContent('[data-testid="pg-status"]')).toContain('WebGPU available');
    // SwiftShader runs on the CPU, so the page starts on wasm and offers WebGPU.
    expect(await tab.getAttribute('[data-testid="engine"]', 'data-value')).toBe('wasm');
    const onWasm = await drawOne(tab, 'wasm');
    const filledOnWasm = await eraseAndFill(tab);
    await tab.selectOption('[data-testid="backend"]', 'webgpu');
    await tab.waitForSelector('[data-testid="engine"][data-value="webgpu"]', { timeout: 60_000 });
    expect(await tab.textContent('[data-testid="engine"]')).toContain('relaxing and training on WebGPU');
    // Switching redoes the drawn digit's relaxation on the GPU.
    await tab.waitForSelector('[data-testid="prediction"][data-backend="webgpu"]', { timeout: 120_000 });
    expect(await tab.getAttribute('[data-testid="prediction"]', 'data-value')).toBe(onWasm.label);
    expect(await tab.textContent('[data-testid="relax-speed"]')).toContain('on WebGPU');
    const filledOnGpu = await eraseAndFill(tab);
    expect(Math.abs(filledOnGpu - filledOnWasm), `filled-in ink: wasm ${filledOnWasm}, WebGPU ${filledOnGpu}`).toBeLessThanOrEqual(2);
    const ink = await generateDigit(tab, 3);
    expect(ink).toBeGreaterThan(0.03);
    await tab.check('#pg-quick');
    await tab.fill('#pg-epochs', '1');
    const trainOn = async (backend: 'wasm' | 'webgpu', done: string): Promise<number> => {
      await tab.selectOption('[data-testid="backend"]', backend);
      await tab.waitForSelector(`[data-testid="engine"][data-value="${backend}"]`);
      await tab.click('#pg-train');
      await tab.waitForFunction((text) => document.querySelector('[data-testid="train-status"]')?.textContent?.includes(text), done, { timeout: 300_000 });
      const status = (await tab.textContent('[data-testid="train-status"]')) ?? '';
      return Number(status.match(/held-out accuracy ([\d.]+) %/)?.[1]);
    };
    const cpu = await trainOn('wasm', 'it classifies now (on wasm');
    const gpu = await trainOn('webgpu', 'it classifies now (on WebGPU)');
    // Same seed, data and settings: float32 on either side, so the same test digits come out right.
    expect(Math.abs(gpu - cpu), `wasm ${cpu} %, WebGPU ${gpu} %`).toBeLessThanOrEqual(0.5);
    expect(errors).toEqual([]);
  }, 500_000);
});

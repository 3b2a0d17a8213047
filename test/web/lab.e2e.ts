/**
 * The lab in real Chromium: the built site (npm run build:lab) served by
 * `vite preview` with the cross-origin-isolation headers. Screenshots go to
 * test-results/ as artefacts.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type PreviewServer, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawOne, eraseAndFill, generateDigit } from './lab-actions.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const shots = `${root}test-results`;
let server: PreviewServer;
let browser: Browser;
let page: Page;
let url: string;
const errors: string[] = [];
const requests: string[] = [];

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  server = await preview({ configFile: `${root}vite.config.lab.ts`, root: `${root}lab`, preview: { port: 0, open: false }, logLevel: 'silent' });
  url = server.resolvedUrls?.local[0] ?? '';
  if (!url) throw new Error('vite preview did not report a URL');
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url);
  await page.waitForSelector('[data-testid="pg-status"][data-ready="true"]', { timeout: 60_000 });
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => server?.httpServer.close(() => resolve()));
});

describe('browser lab', () => {
  it('loads with no console errors, cross-origin isolated, and requests nothing beyond its own origin', async () => {
    await page.screenshot({ path: `${shots}/lab-loaded.png`, fullPage: true });
    expect(errors).toEqual([]);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const origin = new URL(page.url()).origin;
    expect(requests.filter((u) => !u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:'))).toEqual([]);
    // No empty boxes before there is something to show: the image tiles appear when first painted.
    expect(await page.$$eval('figure.tile', (els) => els.map((el) => el.hasAttribute('hidden')))).toEqual([true, true, true, true]);
  });

  it('the springs view’s energy falls after pressing play, and the controls do not move', async () => {
    const energy = async () => Number(await page.getAttribute('[data-testid="springs-energy"]', 'data-value'));
    const before = await energy();
    // Nothing moves when Play becomes Pause and back: not the button, not the controls and chart beside it.
    const boxes = () => Promise.all(['[data-testid="springs-play"]', '#springs-step', '#springs-chart'].map((s) => page.locator(s).boundingBox()));
    const still = await boxes();
    await page.click('#springs-play');
    expect(await page.textContent('[data-testid="springs-play"]')).toBe('Pause');
    expect(await boxes()).toEqual(still);
    await page.waitForTimeout(1500);
    await page.click('#springs-play');
    expect(await boxes()).toEqual(still);
    const after = await energy();
    await page.locator('#springs').screenshot({ path: `${shots}/springs.png` });
    expect(after).toBeLessThan(0.5 * before);
  });

  it('runs on wasm where the browser has no WebGPU, and says so', async () => {
    expect(await page.getAttribute('[data-testid="engine"]', 'data-value')).toBe('wasm');
    expect(await page.textContent('[data-testid="engine"]')).toContain('relaxing and training on the CPU (WebAssembly');
    expect(await page.textContent('[data-testid="pg-status"]')).toContain('WebGPU not in this browser');
  });

  it('drawing a "1" with the shipped checkpoint classifies as 1, relaxing at ≥ 30 steps per second', async () => {
    const got = await drawOne(page, 'wasm');
    await page.locator('#playground').screenshot({ path: `${shots}/drawn-one.png` });
    expect(got.label).toBe('1');
    expect(got.stepsPerSecond).toBeGreaterThanOrEqual(30);
  });

  it('the layer-by-layer view shows the relaxation: every layer’s error energy falls, and the slider picks the step shown', async () => {
    await page.waitForSelector('[data-testid="layers"]:not([hidden])');
    const canvas = page.locator('#lv-canvas');
    const first: number[] = JSON.parse((await canvas.getAttribute('data-energy-first')) ?? '[]');
    const last: number[] = JSON.parse((await canvas.getAttribute('data-energy-last')) ?? '[]');
    const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
    expect(first).toHaveLength(4); // ε₁…ε₄ of the 784-128-128-128-10 classifier
    for (const [l, e] of last.entries()) expect(e).toBeLessThan(0.5 * first[l]);
    expect(sum(last)).toBeLessThan(0.05 * sum(first));
    await page.locator('[data-testid="layers-step"]').evaluate((el: HTMLInputElement) => {
      el.value = '5';
      el.dispatchEvent(new Event('input'));
    });
    expect(await canvas.getAttribute('data-step')).toBe('5');
    expect(await page.textContent('#lv-step-value')).toBe('5 of 60');
    await page.locator('#pg-layers').screenshot({ path: `${shots}/layers.png` });
  });

  it('a generated digit is a non-blank image', async () => {
    const ink = await generateDigit(page, 7);
    await page.locator('[data-testid="generated"]').screenshot({ path: `${shots}/generated-7.png` });
    expect(ink).toBeGreaterThan(0.03);
    expect(ink).toBeLessThan(0.6);
  });

  it('erasing the bottom half of the drawn digit and relaxing fills it in', async () => {
    const ink = await eraseAndFill(page);
    await page.locator('[data-testid="completion"]').screenshot({ path: `${shots}/completion.png` });
    expect(ink).toBeGreaterThan(20);
  });

  it('every image tile, once shown, has a caption', async () => {
    const tiles = await page.$$eval('figure.tile', (els) =>
      els.map((el) => ({ hidden: el.hasAttribute('hidden'), caption: el.querySelector('figcaption')?.textContent?.trim() ?? '' })),
    );
    expect(tiles).toHaveLength(4);
    for (const t of tiles) {
      expect(t.hidden).toBe(false);
      expect(t.caption.length).toBeGreaterThan(20);
    }
  });

  it('every chart has a title and both axis titles', async () => {
    // uPlot draws the axis titles on its canvas; the chart's container names them (lab/src/charts.ts).
    const charts = await page.$$eval('.uplot', (els) =>
      els.map((el) => ({
        title: el.querySelector('.u-title')?.textContent ?? '',
        axes: [el.parentElement?.dataset.chartX ?? '', el.parentElement?.dataset.chartY ?? ''],
      })),
    );
    expect(charts.length).toBeGreaterThanOrEqual(3);
    for (const c of charts) {
      expect(c.title).not.toBe('');
      expect(c.axes.filter((a) => a.trim() !== '')).toHaveLength(2);
    }
  });

  it('one run at a time: Train becomes Stop without moving, and stopping keeps the shipped model', async () => {
    const button = page.locator('[data-testid="train"]');
    await page.fill('#pg-epochs', '3');
    // In page coordinates: a click may scroll the window to show the whole button, which is not the button moving.
    const where = () =>
      button.evaluate((el) => {
        const r = el.getBoundingClientRect();
        return { x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height };
      });
    const before = await where();
    await button.click();
    expect(await button.textContent()).toBe('Stop');
    expect(await where()).toEqual(before);
    // The second click stops the run; it cannot start another.
    await button.click();
    expect(await button.textContent()).toBe('Train');
    expect(await page.textContent('[data-testid="train-status"]')).toBe('stopped; its model is dropped');
  });

  it('trains in a Web Worker with live progress and then classifies with the model it trained', async () => {
    await page.fill('#pg-epochs', '1');
    await page.click('#pg-train');
    await page.waitForFunction(() => document.querySelector('[data-testid="train-status"]')?.textContent?.includes('it classifies now'), undefined, {
      timeout: 60_000,
    });
    const status = (await page.textContent('[data-testid="train-status"]')) ?? '';
    const accuracy = Number(status.match(/held-out accuracy ([\d.]+) %/)?.[1]);
    await page.locator('#playground').screenshot({ path: `${shots}/trained.png` });
    expect(accuracy).toBeGreaterThan(70);
    expect(errors).toEqual([]);
  });

  it('links to the documents and the API reference, and every link, anchor and image in those documents lands', async () => {
    const links = await page.$$eval('[data-testid="docs-links"] a', (els) => els.map((a) => (a as HTMLAnchorElement).href));
    expect(links.map((u) => new URL(u).pathname.split('/').slice(-2).join('/'))).toEqual([
      'docs/readme.html',
      'docs/design.html',
      'docs/experiments.html',
      'api/index.html',
    ]);
    const reader = await browser.newPage();
    try {
      const broken: string[] = [];
      const status = new Map<string, number>();
      const visit = async (u: string) => {
        if (!status.has(u)) status.set(u, (await reader.request.get(u)).status());
        return status.get(u);
      };
      for (const u of links) if ((await visit(u)) !== 200) broken.push(u);
      const pages = ['readme', 'design', 'architectures', 'experiments', 'webgpu', 'references'].map((p) => new URL(`docs/${p}.html`, url).href);
      for (const from of pages) {
        await reader.goto(from);
        const found = await reader.evaluate(() => ({
          links: [...document.querySelectorAll('a[href]')].map((a) => (a as HTMLAnchorElement).href),
          images: [...document.images].map((img) => ({ src: img.src, ok: img.complete && img.naturalWidth > 0 })),
        }));
        for (const img of found.images) if (!img.ok) broken.push(`${from} → image ${img.src}`);
        for (const link of found.links.filter((l) => l.startsWith(new URL(url).origin))) {
          const [target, anchor] = link.split('#');
          if ((await visit(target)) !== 200) broken.push(`${from} → ${link}`);
          else if (anchor && target.includes('/docs/')) {
            const there = await reader.request.get(target);
            if (!(await there.text()).includes(`id="${decodeURIComponent(anchor)}"`)) broken.push(`${from} → ${link} (no such anchor)`);
          }
        }
      }
      expect(broken).toEqual([]);
    } finally {
      await reader.close();
    }
  });

  it('on a 390×844 phone: nothing wider than the screen, every button at least 40 px, screenshot saved', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    try {
      await phone.goto(url);
      await phone.waitForSelector('[data-testid="pg-status"][data-ready="true"]', { timeout: 60_000 });
      await phone.screenshot({ path: `${shots}/lab-phone.png`, fullPage: true });
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      const small = await phone.$$eval('button', (els) =>
        els
          .map((el) => ({ text: el.textContent ?? '', box: el.getBoundingClientRect() }))
          .filter((b) => b.box.width > 0 && (b.box.height < 40 || b.box.width < 40))
          .map((b) => `${b.text}: ${Math.round(b.box.width)}×${Math.round(b.box.height)}`),
      );
      expect(small).toEqual([]);
      // The springs canvas is drawn at about half size here: its text stays readable and a touch 16 px from a node still grabs it.
      const canvas = phone.locator('#springs-canvas');
      await canvas.scrollIntoViewIfNeeded();
      const box = (await canvas.boundingBox())!;
      const [nx, ny] = ((await canvas.getAttribute('data-top-node')) ?? '').split(',').map(Number);
      const logical = Number(await canvas.getAttribute('width'));
      const clamped = Number(await canvas.getAttribute('data-clamped'));
      expect(box.width).toBeLessThan(0.6 * logical);
      expect(Number(await canvas.getAttribute('data-text-px'))).toBeGreaterThanOrEqual(12);
      await phone.touchscreen.tap(box.x + (nx * box.width) / logical + 16, box.y + (ny * box.height) / Number(await canvas.getAttribute('height')));
      await phone.waitForFunction((n) => Number(document.querySelector('#springs-canvas')?.getAttribute('data-clamped')) === n, clamped + 1, { timeout: 5000 });
      await canvas.screenshot({ path: `${shots}/springs-phone.png` });
      // The layer view, drawn at about 60 % here, writes each layer's name above its row at 13 px on screen: its canvas grows taller for it.
      await drawOne(phone, 'wasm');
      await phone.waitForSelector('[data-testid="layers"]:not([hidden])');
      const layers = phone.locator('#lv-canvas');
      const shown = (await layers.boundingBox())!;
      expect(shown.width).toBeLessThan(0.7 * Number(await layers.getAttribute('width')));
      expect(Number(await layers.getAttribute('height'))).toBeGreaterThan(560);
      await phone.locator('#pg-layers').screenshot({ path: `${shots}/layers-phone.png` });
      await phone.screenshot({ path: `${shots}/lab-phone-drawn.png`, fullPage: true });
    } finally {
      await phone.close();
    }
  });
});

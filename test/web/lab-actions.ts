/** What the e2e tests do in the lab's playground: draw a digit, erase and fill it, generate — and what they read back. */
import type { Page } from 'playwright-core';

/** Draws a vertical stroke (a "1") on the pad and waits for the prediction made after it on `backend`. */
export async function drawOne(page: Page, backend: 'wasm' | 'webgpu'): Promise<{ label: string; stepsPerSecond: number }> {
  await page.evaluate(() => {
    const p = document.querySelector<HTMLElement>('[data-testid="prediction"]')!;
    delete p.dataset.value;
  });
  const pad = page.locator('[data-testid="pad"]');
  // Mouse moves are in viewport coordinates: the pad must be on screen (a 1280×800 window scrolls to it).
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  const x = box.x + box.width / 2;
  await page.mouse.move(x, box.y + box.height * 0.15);
  await page.mouse.down();
  for (let k = 1; k <= 20; k++) await page.mouse.move(x, box.y + box.height * (0.15 + (0.7 * k) / 20));
  await page.mouse.up();
  await page.waitForSelector(`[data-testid="prediction"][data-value][data-backend="${backend}"]`, { timeout: 120_000 });
  return {
    label: (await page.getAttribute('[data-testid="prediction"]', 'data-value')) ?? '',
    stepsPerSecond: Number(await page.getAttribute('[data-testid="relax-speed"]', 'data-value')),
  };
}

/** Erases the drawn digit's bottom half, waits for the filled-in image, and counts the inked pixels of the filled half. */
export async function eraseAndFill(page: Page): Promise<number> {
  const before = Number((await page.getAttribute('[data-testid="completion"]', 'data-filled')) ?? 0);
  await page.click('#pg-erase');
  await page.waitForSelector(`[data-testid="completion"][data-filled="${before + 1}"]`, { timeout: 120_000 });
  return page.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>('[data-testid="completion"]')!;
    // The third cell is the completion; its bottom half was erased and must now hold some ink.
    const cell = c.height;
    const d = c.getContext('2d')!.getImageData(2 * (cell + 4), cell / 2, cell, cell / 2).data;
    let bright = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] > 100) bright++;
    return bright;
  });
}

/** Generates digits of `label` and returns the inked fraction of the first one. */
export async function generateDigit(page: Page, label: number): Promise<number> {
  await page.evaluate(() => {
    delete document.querySelector<HTMLElement>('[data-testid="generated"]')!.dataset.generated;
  });
  await page.click(`#pg-labels button[data-digit="${label}"]`);
  await page.waitForSelector(`[data-testid="generated"][data-generated="${label}"]`, { timeout: 120_000 });
  return page.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>('[data-testid="generated"]')!;
    const d = c.getContext('2d')!.getImageData(0, 0, c.height, c.height).data;
    let bright = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] > 128) bright++;
    return bright / (d.length / 4);
  });
}

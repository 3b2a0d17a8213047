/**
 * The page of test/web/concurrent.e2e.ts: relaxation with layer groups on Web Workers in a
 * cross-origin-isolated page. window.concurrentCheck() relaxes a small net synchronously and with
 * one and two layer groups, and returns the energies and how far the values ended from the
 * synchronous ones.
 */
import { relaxConcurrently } from '../../../packages/predictive-coding/src/concurrent/index.ts';
import {
  createConfig,
  initModel,
  initValues,
  initWorkspace,
  planRelaxation,
  relax,
  startRelaxation,
} from '../../../packages/predictive-coding/src/core/index.ts';
import { createBackend } from '../../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../../packages/predictive-coding/src/random.ts';

export interface ConcurrentCheck {
  readonly error?: string;
  readonly isolated: boolean;
  readonly sync?: number;
  readonly one?: number;
  readonly two?: number;
  /** Largest |x_concurrent − x_sync| over the free layers, two groups. */
  readonly gap?: number;
}

async function check(): Promise<ConcurrentCheck> {
  const isolated = crossOriginIsolated;
  try {
    const sizes = [12, 10, 9, 8, 7, 5];
    const rows = 5;
    const L = sizes.length - 1;
    const clamped = sizes.map((_, l) => l === 0 || l === L);
    const backend = await createBackend('wasm', { threads: 1 });
    const model = initModel(createConfig({ sizes, activation: 'tanh' }), backend, createRng(3));
    const ws = initWorkspace(model, rows, backend);
    const rng = createRng(4);
    const clamp = sizes.map((n, l) => (clamped[l] ? Float32Array.from({ length: rows * n }, () => rng.normal()) : undefined));
    const steps = 2000;
    initValues(model, ws, rows, clamp, 'forward');
    const plan = planRelaxation(model, clamped);
    const sync = relax(model, ws, rows, plan, { steps, lr: 0.1, momentum: 0, tolerance: 0 }, startRelaxation(model, ws, rows, plan)).energy;
    const want = ws.x.map((x, l) => x.slice(0, rows * sizes[l]));
    initValues(model, ws, rows, clamp, 'forward');
    const one = (await relaxConcurrently(model, ws, rows, clamped, { steps, lr: 0.1, workers: 1 })).energy;
    initValues(model, ws, rows, clamp, 'forward');
    const two = (await relaxConcurrently(model, ws, rows, clamped, { steps, lr: 0.1, splits: [3] })).energy;
    let gap = 0;
    for (let l = 1; l < L; l++) for (let i = 0; i < rows * sizes[l]; i++) gap = Math.max(gap, Math.abs(ws.x[l][i] - want[l][i]));
    backend.dispose();
    return { isolated, sync, one, two, gap };
  } catch (e) {
    return { isolated, error: e instanceof Error ? e.message : String(e) };
  }
}

(window as unknown as { concurrentCheck: () => Promise<ConcurrentCheck> }).concurrentCheck = check;
document.title = 'ready';

/**
 * Relaxation with layer groups on worker threads: one group is the
 * synchronous schedule exactly; two or three reach its equilibrium; bad
 * options and a failing group give clear errors; and the threads never keep
 * the process alive.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { balancedSplits, relaxConcurrently, startConcurrentRelaxer } from '../../packages/predictive-coding/src/concurrent/index.ts';
import {
  computeWeightGrads,
  createConfig,
  initModel,
  initValues,
  initWorkspace,
  type Model,
  planRelaxation,
  relax,
  startRelaxation,
  type Workspace,
} from '../../packages/predictive-coding/src/core/index.ts';
import { type Backend, createBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';

const SIZES = [12, 10, 9, 8, 7, 5];
const ROWS = 5;
const L = SIZES.length - 1;
const CLAMPED = SIZES.map((_, l) => l === 0 || l === L);
let backend: Backend;
let model: Model;
let ws: Workspace;
let clamp: (Float32Array | undefined)[];

beforeAll(async () => {
  backend = await createBackend('wasm', { threads: 1 });
  model = initModel(createConfig({ sizes: SIZES, activation: 'tanh' }), backend, createRng(3));
  ws = initWorkspace(model, ROWS, backend);
  const rng = createRng(4);
  clamp = SIZES.map((n, l) => (CLAMPED[l] ? Float32Array.from({ length: ROWS * n }, () => rng.normal()) : undefined));
});
afterAll(() => backend.dispose());

/** The synchronous schedule's final energy and values after `steps`, from the forward start. */
function synchronous(steps: number): { energy: number; x: Float32Array[] } {
  initValues(model, ws, ROWS, clamp, 'forward');
  const plan = planRelaxation(model, CLAMPED);
  const r = relax(model, ws, ROWS, plan, { steps, lr: 0.1, momentum: 0, tolerance: 0 }, startRelaxation(model, ws, ROWS, plan));
  return { energy: r.energy, x: ws.x.map((x, l) => x.slice(0, ROWS * SIZES[l])) };
}

describe('relaxConcurrently', () => {
  it('with one group is the synchronous schedule, value for value', async () => {
    const sync = synchronous(50);
    initValues(model, ws, ROWS, clamp, 'forward');
    const c = await relaxConcurrently(model, ws, ROWS, CLAMPED, { steps: 50, lr: 0.1, workers: 1 });
    expect(c.groups).toEqual([[0, L + 1]]);
    expect(c.steps).toEqual([50]);
    expect(c.energy).toBe(sync.energy);
    for (let l = 0; l <= L; l++) expect(ws.x[l].slice(0, ROWS * SIZES[l])).toEqual(sync.x[l]);
  });

  it('with two and three groups reaches the synchronous equilibrium (energy within 0.1 %, values within 1e-3)', async () => {
    // Long enough that the synchronous schedule has settled: a fixed point is one whatever the staleness on the way.
    const sync = synchronous(3000);
    for (const splits of [[3], [2, 4]]) {
      initValues(model, ws, ROWS, clamp, 'forward');
      const c = await relaxConcurrently(model, ws, ROWS, CLAMPED, { steps: 3000, lr: 0.1, splits });
      expect(c.groups.length).toBe(splits.length + 1);
      expect(c.steps.every((t) => t >= 3000)).toBe(true);
      expect(Math.abs(c.energy - sync.energy) / sync.energy).toBeLessThan(1e-3);
      for (let l = 1; l < L; l++) {
        const x = ws.x[l].slice(0, ROWS * SIZES[l]);
        expect(Math.max(...x.map((v, i) => Math.abs(v - sync.x[l][i])))).toBeLessThan(1e-3);
      }
      expect(c.trace.length).toBeGreaterThan(0);
    }
  });

  it('cuts the layers into groups of about equal work per step (a clamped input’s matrix costs nothing per step)', () => {
    const deep = [784, ...Array(16).fill(128), 10];
    const ends = deep.map((_, l) => l === 0 || l === deep.length - 1);
    expect(balancedSplits(deep, 2, ends)).toEqual([9]);
    // Nothing clamped: the 784×128 matrix is worked twice a step, as much as the rest together.
    expect(balancedSplits([784, 128, 128, 128, 128, 10], 2)).toEqual([1]);
    expect(balancedSplits([100, 100, 100, 100, 100], 1)).toEqual([]);
    // Never a group of clamped layers only: its thread would have nothing to do.
    for (const workers of [2, 3]) {
      const ends = [true, false, false, true];
      const cuts = [0, ...balancedSplits([784, 16, 16, 10], workers, ends), 4];
      for (let k = 1; k < cuts.length; k++) expect(ends.slice(cuts[k - 1], cuts[k]).includes(false)).toBe(true);
    }
  });

  it('a relaxer keeps its threads between relaxations: each is the synchronous schedule (one group) or reaches its energy (two)', async () => {
    const one = await startConcurrentRelaxer(model, ROWS, CLAMPED, { workers: 1 });
    const two = await startConcurrentRelaxer(model, ROWS, CLAMPED, { splits: [3] });
    try {
      expect(one.startSeconds).toBeGreaterThan(0);
      for (const steps of [40, 3000]) {
        const sync = synchronous(steps);
        initValues(model, ws, ROWS, clamp, 'forward');
        expect((await one.relax(ws, { steps, lr: 0.1 })).energy).toBe(sync.energy);
        initValues(model, ws, ROWS, clamp, 'forward');
        const c = await two.relax(ws, { steps, lr: 0.1 });
        expect(c.steps.every((t) => t >= steps)).toBe(true);
        if (steps === 3000) expect(Math.abs(c.energy - sync.energy) / sync.energy).toBeLessThan(1e-3);
      }
      await expect(Promise.all([two.relax(ws, { steps: 5, lr: 0.1 }), two.relax(ws, { steps: 5, lr: 0.1 })])).rejects.toThrow(/one relaxation at a time/);
    } finally {
      await one.close();
      await two.close();
      await two.close();
    }
    await expect(two.relax(ws, { steps: 5, lr: 0.1 })).rejects.toThrow(/closed/);
  });

  it('learns at every step too: one group is the synchronous incremental schedule value for value; two end near it', async () => {
    const lrW = 0.05;
    const steps = 200;
    const original = model.layers.map((layer) => ({ w: layer.weights.data.slice(), b: layer.bias.data.slice() }));
    const restore = () =>
      model.layers.forEach((layer, i) => {
        layer.weights.data.set(original[i].w);
        layer.bias.data.set(original[i].b);
      });
    const weights = () => model.layers.map((layer) => layer.weights.data.slice());
    // The reference: relax with learning simultaneous with x (timing 'with-x'), plain SGD on every W_l, b_l.
    initValues(model, ws, ROWS, clamp, 'forward');
    const plan = planRelaxation(model, CLAMPED);
    const apply = () => {
      computeWeightGrads(model, ws, ROWS);
      for (let l = 1; l <= L; l++) {
        const layer = model.layers[l - 1];
        backend.axpy(-lrW, ws.gradW[l], layer.weights.data, layer.weights.data.length);
        backend.axpy(-lrW, ws.gradB[l], layer.bias.data, layer.bias.data.length);
      }
    };
    const sync = relax(model, ws, ROWS, plan, { steps, lr: 0.1, momentum: 0, tolerance: 0 }, startRelaxation(model, ws, ROWS, plan), {
      learn: { timing: 'with-x', apply },
    });
    const learned = weights();
    try {
      for (const splits of [[], [3]]) {
        restore();
        initValues(model, ws, ROWS, clamp, 'forward');
        const c = await relaxConcurrently(model, ws, ROWS, CLAMPED, { steps, lr: 0.1, lrW, splits });
        const got = weights();
        if (splits.length === 0) {
          expect(c.energy).toBe(sync.energy);
          expect(got).toEqual(learned);
        } else {
          // No equilibrium to meet while the weights move: the two paths differ by what each group saw of its
          // neighbours, so the energy gap is measured against how far learning took it, and the weights' gap
          // against how far they moved.
          expect(Math.abs(c.energy - sync.energy) / (sync.initialEnergy - sync.energy)).toBeLessThan(0.02);
          const moved = Math.max(...learned.flatMap((w, l) => [...w.map((v, i) => Math.abs(v - original[l].w[i]))]));
          const gap = Math.max(...got.flatMap((w, l) => [...w.map((v, i) => Math.abs(v - learned[l][i]))]));
          expect(gap).toBeLessThan(0.2 * moved);
        }
        // The weights did move.
        expect(Math.max(...got[1].map((v, i) => Math.abs(v - original[1].w[i])))).toBeGreaterThan(1e-3);
      }
      // After learning, a relaxer's next relaxation uses every learned weight, the other groups' included:
      // relaxing without learning reaches the synchronous equilibrium of the model as it now is.
      restore();
      const relaxer = await startConcurrentRelaxer(model, ROWS, CLAMPED, { splits: [3] });
      try {
        initValues(model, ws, ROWS, clamp, 'forward');
        await relaxer.relax(ws, { steps, lr: 0.1, lrW });
        const after = synchronous(3000);
        initValues(model, ws, ROWS, clamp, 'forward');
        const c = await relaxer.relax(ws, { steps: 3000, lr: 0.1 });
        expect(Math.abs(c.energy - after.energy) / after.energy).toBeLessThan(1e-3);
      } finally {
        await relaxer.close();
      }
    } finally {
      restore();
    }
  });

  it('rejects bad options, and reports a group that fails, naming it', async () => {
    initValues(model, ws, ROWS, clamp, 'forward');
    await expect(relaxConcurrently(model, ws, ROWS, CLAMPED, { steps: 10, lr: 0.1, workers: 9 })).rejects.toThrow(/workers must be a whole number from 1 to 6/);
    await expect(relaxConcurrently(model, ws, ROWS, CLAMPED, { steps: 10, lr: 0.1, splits: [3, 3] })).rejects.toThrow(/splits must be increasing/);
    await expect(relaxConcurrently(model, ws, ROWS, CLAMPED, { steps: -1, lr: 0.1 })).rejects.toThrow(/steps must be/);
    const bad = (o: object, rows = ROWS, clamped: boolean[] = CLAMPED) =>
      relaxConcurrently(model, ws, rows, clamped, { steps: 10, lr: 0.1, ...o } as { steps: number; lr: number });
    // Checked before any thread starts, as the synchronous relax checks them.
    await expect(bad({ backend: 'cuda' })).rejects.toThrow(/relaxConcurrently: backend must be one of wasm, native, js/);
    await expect(bad({ momentum: 2 })).rejects.toThrow(/momentum/);
    await expect(bad({ lrW: -1 })).rejects.toThrow(/lrW must be/);
    await expect(bad({}, ROWS, [true, false])).rejects.toThrow(/clamped must have one flag per layer \(6\), got 2/);
    await expect(bad({}, ROWS + 1)).rejects.toThrow(/the workspace holds 5 rows, this relaxer relaxes 6/);
    // A step far too large: the energy ends non-finite, a divergence as in the synchronous relax.
    initValues(model, ws, ROWS, clamp, 'forward');
    await expect(bad({ lr: 1e30, steps: 50 })).rejects.toThrow(
      /relax: the energy (became (NaN|Infinity)|exploded to \S+ \(from \S+\)) at step 50; layer \d holds/,
    );
    await expect(bad({ lr: 1e30, steps: 50 })).rejects.toMatchObject({ code: 'divergence' });
    // A group whose own backend refuses its settings fails in its thread: the error names the group.
    await expect(bad({ workers: 2, threads: 999 })).rejects.toThrow(/a layer group failed: group \d \(x_\d…x_\d\): .*threads must be/);
  });

  it('a relaxer reused gives the equilibrium every time, and closing it during a relaxation ends that relaxation with an error', async () => {
    const sync = synchronous(3000);
    const relaxer = await startConcurrentRelaxer(model, ROWS, CLAMPED, { splits: [3] });
    try {
      for (let k = 0; k < 6; k++) {
        initValues(model, ws, ROWS, clamp, 'forward');
        const c = await relaxer.relax(ws, { steps: 3000, lr: 0.1 });
        expect(Math.abs(c.energy - sync.energy) / sync.energy, `relaxation ${k + 1}`).toBeLessThan(1e-3);
      }
      initValues(model, ws, ROWS, clamp, 'forward');
      const outcome = relaxer.relax(ws, { steps: 10_000_000, lr: 0.01 }).then(
        () => 'finished',
        (e: unknown) => String(e),
      );
      await new Promise((r) => setTimeout(r, 50));
      await relaxer.close();
      expect(await outcome).toMatch(/closed during this relaxation/);
    } finally {
      await relaxer.close();
    }
  });

  it('leaves no thread behind: a script that relaxes concurrently, and one that never closes its relaxer, exit by themselves', () => {
    const script = fileURLToPath(new URL('./concurrent-exit.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^relaxed: \d.*\nleft open: \d/);
  });
});

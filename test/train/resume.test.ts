/** fit() resumed from a checkpoint continues exactly where it stopped: the oracle is the same run without the stop. */
import { describe, expect, it } from 'vitest';
import { createConfig, type Feedback, type InitMode, initModel, initWorkspace, type Model } from '../../packages/predictive-coding/src/core/index.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng, parseRngState, restoreRng } from '../../packages/predictive-coding/src/random.ts';
import {
  decodeCheckpoint,
  type EpochStats,
  encodeCheckpoint,
  type FitOptions,
  fit,
  initOptimizer,
  type LrSchedule,
  modelFromCheckpoint,
  type OptimizerState,
  restoreOptimizer,
} from '../../packages/predictive-coding/src/train/index.ts';
import { blobs } from '../helpers/blobs.ts';
import { rejectsPcError } from '../helpers/errors.ts';

const relax = { steps: 4, lr: 0.1, momentum: 0.5, tolerance: 0 };
const train = blobs(100, 1);
const test = blobs(40, 2);

interface Setup {
  init: InitMode;
  lrSchedule: LrSchedule;
  feedback: Feedback;
}

function options(s: Setup, epochs: number): FitOptions {
  return { epochs, batchSize: 16, seed: 3, lrSchedule: s.lrSchedule, train: { init: s.init, relax } };
}

function fresh(s: Setup) {
  const backend = createReferenceBackend('float32');
  const model = initModel(createConfig({ sizes: [6, 9, 3], feedback: s.feedback }), backend, createRng(11));
  const opt = initOptimizer(model, { name: 'adamw', lr: 1e-2, weightDecay: 1e-3 }, backend);
  return { backend, model, opt, ws: initWorkspace(model, 16, backend) };
}

/** The bytes that define the trained state: weights, biases, feedback and the optimiser's moments. */
function bytes(model: Model, opt: OptimizerState): Uint8Array {
  return encodeCheckpoint(model, { optimizer: opt });
}

const timeless = (h: EpochStats[]) => h.map(({ seconds: _s, ...rest }) => rest);

describe('fit, resumed', () => {
  for (const s of [
    { init: 'forward', lrSchedule: 'warmup-cosine', feedback: 'symmetric' },
    // Random initialisation draws normals from the shuffling generator, so its state (and Box–Muller spare) must carry over.
    { init: 'random', lrSchedule: 'warmup-cosine', feedback: 'learned' },
    { init: 'zero', lrSchedule: 'constant', feedback: 'random' },
  ] as Setup[]) {
    it(`2 epochs, a checkpoint, then epochs 3–4 give the bytes and statistics of 4 epochs straight (${s.init}, ${s.lrSchedule}, ${s.feedback})`, async () => {
      const a = fresh(s);
      const straight = await fit(a.model, a.opt, a.ws, train, test, options(s, 4));

      // A 4-epoch run stopped after its second epoch (the abort is seen before epoch 3 draws anything).
      const b = fresh(s);
      const rng = createRng(3);
      const signal = { aborted: false };
      const first = await fit(b.model, b.opt, b.ws, train, test, {
        ...options(s, 4),
        rng,
        signal,
        onEpoch: (e) => {
          signal.aborted = e.epoch === 2;
        },
      });
      const ckpt = decodeCheckpoint(encodeCheckpoint(b.model, { optimizer: b.opt, metadata: { rng: JSON.stringify(rng.state()) } }), 'mem');

      const backend = createReferenceBackend('float32');
      const model = modelFromCheckpoint(ckpt, backend);
      const opt = initOptimizer(model, ckpt.optimizer!.config, backend);
      restoreOptimizer(ckpt, model, opt);
      const ws = initWorkspace(model, 16, backend);
      const rest = await fit(model, opt, ws, train, test, {
        ...options(s, 4),
        startEpoch: 2,
        rng: restoreRng(parseRngState(ckpt.metadata.rng, 'mem')),
      });

      expect(rest.map((h) => h.epoch)).toEqual([3, 4]);
      expect(timeless([...first, ...rest])).toEqual(timeless(straight));
      expect(bytes(model, opt)).toEqual(bytes(a.model, a.opt));
    });
  }

  it('startEpoch equal to epochs trains nothing; outside 0..epochs it is a config error', async () => {
    const s: Setup = { init: 'forward', lrSchedule: 'constant', feedback: 'symmetric' };
    const a = fresh(s);
    const before = bytes(a.model, a.opt);
    expect(await fit(a.model, a.opt, a.ws, train, null, { ...options(s, 2), startEpoch: 2 })).toEqual([]);
    expect(bytes(a.model, a.opt)).toEqual(before);
    for (const startEpoch of [-1, 3, 1.5]) await rejectsPcError(fit(a.model, a.opt, a.ws, train, null, { ...options(s, 2), startEpoch }), 'config');
  });
});

import { describe, expect, it } from 'vitest';
import { createConfig, initModel, initWorkspace } from '../../src/core/index.ts';
import { createReferenceBackend } from '../../src/kernels/index.ts';
import { createRng } from '../../src/random.ts';
import { DEFAULT_TRAIN, evaluate, fit, initOptimizer } from '../../src/train/index.ts';
import { blobs } from '../helpers/blobs.ts';
import { catchPcError, rejectsPcError } from '../helpers/errors.ts';

const js = createReferenceBackend('float32');
const model = initModel(createConfig({ sizes: [5, 4, 3] }), js, createRng(1));
const ws = initWorkspace(model, 8, js);

describe('data that does not fit the model', () => {
  it('is refused with a message that names the dataset', () => {
    const data = { ...blobs(10, 1), name: 'digits/t10k-images-idx3-ubyte' }; // 6 values per example
    expect(catchPcError(() => evaluate(model, ws, data), 'shape').message).toBe(
      "evaluate: digits/t10k-images-idx3-ubyte: examples have 6 values but the model's image layer has 5. Check sizes against the data.",
    );
  });

  it('names the role of unnamed data, in fit too', async () => {
    const data = blobs(10, 1);
    expect(catchPcError(() => evaluate(model, ws, data), 'shape').message).toBe(
      "evaluate: examples have 6 values but the model's image layer has 5. Check sizes against the data.",
    );
    const opt = initOptimizer(model, { name: 'sgd', lr: 0.1 }, js);
    const named = { ...data, name: 'train.idx' };
    const e = await rejectsPcError(
      fit(model, opt, ws, named, null, { epochs: 1, batchSize: 8, seed: 0, train: DEFAULT_TRAIN, lrSchedule: 'constant' }),
      'shape',
    );
    expect(e.message).toBe("train: train.idx: examples have 6 values but the model's image layer has 5. Check sizes against the data.");
  });

  it('refuses an empty dataset instead of reporting NaN %', () => {
    const empty = { count: 0, features: 5, classes: 3, images: new Float32Array(0), labels: new Uint8Array(0), name: 'empty.idx' };
    expect(catchPcError(() => evaluate(model, ws, empty), 'data').message).toBe(
      'evaluate: empty.idx: the data holds no examples; an accuracy or a trained model needs at least one.',
    );
  });
});

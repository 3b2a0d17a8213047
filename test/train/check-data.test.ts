import { describe, expect, it } from 'vitest';
import { createConfig, initModel, initWorkspace } from '../../packages/predictive-coding/src/core/index.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import { DEFAULT_TRAIN, evaluate, fit, initOptimizer, type LabeledData, stream } from '../../packages/predictive-coding/src/train/index.ts';
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

describe('labels and images that the types promise but the data breaks', () => {
  const tiny = (labels: number[], images?: Float32Array) => ({
    name: 'tiny.idx',
    count: labels.length,
    features: 5,
    classes: 3,
    images: images ?? new Float32Array(labels.length * 5).fill(0.5),
    labels: Uint8Array.from(labels),
  });
  const options = { epochs: 1, batchSize: 4, seed: 0, train: DEFAULT_TRAIN, lrSchedule: 'constant' as const };

  it('a label ≥ classes is refused by fit, evaluate and stream, naming the dataset and the example, and the weights stay as they were', async () => {
    const opt = initOptimizer(model, { name: 'sgd', lr: 0.1 }, js);
    const before = Array.from(model.layers[0].weights.data);
    const bad = tiny([0, 2, 5, 1]);
    const message = 'tiny.idx: example 2 has label 5, outside 0..2 (the data has 3 classes). Check classes against the labels.';
    expect((await rejectsPcError(fit(model, opt, ws, bad, null, options), 'data')).message).toBe(`train: ${message}`);
    expect((await rejectsPcError(fit(model, opt, ws, tiny([0, 1]), bad, options), 'data')).message).toBe(`test: ${message}`);
    expect(catchPcError(() => evaluate(model, ws, bad), 'data').message).toBe(`evaluate: ${message}`);
    const r = stream(model, opt, ws, bad, { stepsPerExample: 2, relax: DEFAULT_TRAIN.relax, seed: 0 });
    expect((await rejectsPcError(r, 'data')).message).toBe(`stream: ${message}`);
    expect(Array.from(model.layers[0].weights.data)).toEqual(before);
  });

  it('a non-finite image value is refused, naming the example and the feature', () => {
    const images = new Float32Array(20).fill(0.5);
    images[13] = Number.NaN;
    expect(catchPcError(() => evaluate(model, ws, tiny([0, 1, 2, 0], images)), 'data').message).toBe(
      'evaluate: tiny.idx: example 2 has NaN at feature 3; images must hold finite numbers. Check the loader or drop the example.',
    );
  });

  it('images or labels that are plain arrays are refused with what to convert them with, not a TypeError', () => {
    const asArray = { ...tiny([0, 1]), images: Array.from(new Float32Array(10)) } as unknown as LabeledData;
    expect(catchPcError(() => evaluate(model, ws, asArray), 'data').message).toBe(
      'evaluate: tiny.idx: images must be a Float32Array of count × features = 10 values, got [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]. Convert it once: Float32Array.from(images).',
    );
    const labels = { ...tiny([0, 1]), labels: [0, 1] } as unknown as LabeledData;
    expect(catchPcError(() => evaluate(model, ws, labels), 'data').message).toBe(
      'evaluate: tiny.idx: labels must be a Uint8Array of count = 2 class indices, got [0, 1]. Convert it once: Uint8Array.from(labels).',
    );
  });

  it('something that is not a dataset, or has no whole counts, is refused', async () => {
    expect(catchPcError(() => evaluate(model, ws, undefined as unknown as LabeledData), 'data').message).toBe(
      'evaluate: expected labelled data (name?, count, features, classes, images: Float32Array, labels: Uint8Array), got undefined.',
    );
    expect(catchPcError(() => evaluate(model, ws, { ...tiny([0, 1]), count: 1.5 }), 'data').message).toBe(
      'evaluate: tiny.idx: count must be a whole number of examples, got 1.5.',
    );
  });
});

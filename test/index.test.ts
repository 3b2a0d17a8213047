/**
 * The public boundary (the root export and its subpaths): every function that takes options or a
 * configuration answers a missing or wrongly typed field — or a missing
 * argument — with a PcError whose message starts with the caller it names,
 * never a raw TypeError from deep inside.
 */
import { describe, expect, it } from 'vitest';
import { computeWeightGrads, initValues, planRelaxation, relax, validateConfig, validateRelaxConfig } from '../packages/predictive-coding/src/core/index.ts';
import {
  type Checkpoint,
  type ConfigOptions,
  classifyByRelaxation,
  complete,
  createBackend,
  createConfig,
  createRng,
  decodeCheckpoint,
  encodeCheckpoint,
  evaluate,
  type FitOptions,
  fit,
  generate,
  infer,
  initModel,
  initOptimizer,
  initWorkspace,
  modelFromCheckpoint,
  type OptimizerConfig,
  PcError,
  type PcnConfig,
  type RelaxConfig,
  restoreOptimizer,
  supervisedBatch,
  type TrainConfig,
  trainStep,
} from '../packages/predictive-coding/src/index.ts';
import { createReferenceBackend, matmul, zeros } from '../packages/predictive-coding/src/kernels/index.ts';
import { restoreRng } from '../packages/predictive-coding/src/random.ts';
import {
  type Batch,
  DEFAULT_TRAIN,
  type LabeledData,
  type StreamOptions,
  stream,
  validateOptimizerConfig,
  validateTrainConfig,
} from '../packages/predictive-coding/src/train/index.ts';

const js = createReferenceBackend('float32');
const config = createConfig({ sizes: [3, 4, 2] });
const model = initModel(config, js, createRng(1));
const gen = initModel(createConfig({ sizes: [2, 4, 3], orientation: 'generative' }), js, createRng(1));
const ws = initWorkspace(model, 2, js);
const gws = initWorkspace(gen, 2, js);
const opt = initOptimizer(model, { name: 'sgd', lr: 0.1 }, js);
const data: LabeledData = { count: 2, features: 3, classes: 2, images: new Float32Array(6), labels: Uint8Array.from([0, 1]) };
const batch = supervisedBatch(config, new Float32Array(6), new Float32Array(4), 2);
const steps: RelaxConfig = { steps: 2, lr: 0.1, momentum: 0, tolerance: 0 };
const fitOptions: FitOptions = { epochs: 1, batchSize: 2, seed: 0, train: DEFAULT_TRAIN, lrSchedule: 'constant' };
const ckpt = decodeCheckpoint(encodeCheckpoint(model, { optimizer: opt }), 'x');
/** Calls made with values of the wrong type on purpose. */
const as = <T>(v: unknown): T => v as T;

type Call = () => unknown;
const cases: [string, string, Call][] = [
  ['createConfig', 'no argument', () => createConfig(as<ConfigOptions>(undefined))],
  ['createConfig', 'sizes as a string', () => createConfig(as<ConfigOptions>({ sizes: '3,4,2' }))],
  ['createConfig', 'an activation that is a number', () => createConfig(as<ConfigOptions>({ sizes: [3, 2], activation: 5 }))],
  ['validateConfig', 'no argument', () => validateConfig(as<PcnConfig>(undefined))],
  ['validateConfig', 'activations missing', () => validateConfig(as<PcnConfig>({ ...config, activations: undefined }))],
  ['initModel', 'no config', () => initModel(as<PcnConfig>(undefined), js, createRng(1))],
  ['validateRelaxConfig', 'no config', () => validateRelaxConfig(as<RelaxConfig>(undefined), 'validateRelaxConfig: config')],
  ['validateRelaxConfig', 'steps as a string', () => validateRelaxConfig(as<RelaxConfig>({ ...steps, steps: '2' }), 'validateRelaxConfig: config')],
  ['train config', 'no config', () => validateTrainConfig(as<TrainConfig>(undefined))],
  ['train config', 'relax missing', () => validateTrainConfig(as<TrainConfig>({ init: 'forward' }))],
  ['optimizer', 'a string for the config', () => validateOptimizerConfig(as<Partial<OptimizerConfig>>('adam'), 2)],
  ['optimizer', 'null for the config', () => validateOptimizerConfig(as<Partial<OptimizerConfig>>(null), 2)],
  ['initOptimizer', 'no config', () => initOptimizer(model, as<Partial<OptimizerConfig>>(undefined), js)],
  ['trainStep', 'config without relax', () => trainStep(model, opt, batch, as<TrainConfig>({ init: 'forward' }), ws)],
  ['trainStep', 'no batch', () => trainStep(model, opt, as<Batch>(undefined), DEFAULT_TRAIN, ws)],
  ['trainStep', 'batch.clamp not an array', () => trainStep(model, opt, as<Batch>({ rows: 2, clamp: 7 }), DEFAULT_TRAIN, ws)],
  ['trainStep', 'options null', () => trainStep(model, opt, batch, DEFAULT_TRAIN, ws, as<object>(null))],
  ['trainStep', 'options.lr as a string', () => trainStep(model, opt, batch, DEFAULT_TRAIN, ws, { lr: as<number>('0.1') })],
  ['fit', 'no options', () => fit(model, opt, ws, data, null, as<FitOptions>(undefined))],
  ['fit', 'options without train', () => fit(model, opt, ws, data, null, as<FitOptions>({ ...fitOptions, train: undefined }))],
  ['train', 'fit with no train data (named by its role)', () => fit(model, opt, ws, as<LabeledData>(undefined), null, fitOptions)],
  ['train', 'fit with images as number[]', () => fit(model, opt, ws, as<LabeledData>({ ...data, images: [0, 0, 0, 0, 0, 0] }), null, fitOptions)],
  ['evaluate', 'options null', () => evaluate(model, ws, data, undefined, as<object>(null))],
  ['evaluate', 'relax null', () => evaluate(model, ws, data, as<RelaxConfig>(null))],
  ['stream', 'no options', () => stream(model, opt, ws, data, as<StreamOptions>(undefined))],
  ['stream', 'options without relax', () => stream(model, opt, ws, data, as<StreamOptions>({ stepsPerExample: 2, seed: 0 }))],
  ['infer', 'options null', () => infer(model, ws, 2, [new Float32Array(6)], steps, as<object>(null))],
  ['infer', 'no relax config', () => infer(model, ws, 2, [new Float32Array(6)], as<RelaxConfig>(undefined))],
  ['classifyByRelaxation', 'options null', () => classifyByRelaxation(gen, gws, 2, new Float32Array(6), steps, new Int32Array(2), as<object>(null))],
  ['generate', 'options null', () => generate(gen, gws, 2, new Float32Array(4), as<object>(null))],
  ['complete', 'visible not a Uint8Array', () => complete(gen, gws, 2, new Float32Array(6), as<Uint8Array>(undefined), steps)],
  ['relax', 'options null', () => relax(model, ws, 2, planRelaxation(model, [true]), steps, 0, as<object>(null))],
  ['relax', 'no config', () => relax(model, ws, 2, planRelaxation(model, [true]), as<RelaxConfig>(undefined), 0)],
  ['computeWeightGrads', 'options null', () => computeWeightGrads(model, ws, 2, as<object>(null))],
  ['computeWeightGrads', 'stillness as a string', () => computeWeightGrads(model, ws, 2, { stillness: as<number>('x') })],
  ['encodeCheckpoint', 'options null', () => encodeCheckpoint(model, as<object>(null))],
  ['encodeCheckpoint', 'metadata with a number', () => encodeCheckpoint(model, { metadata: as<Record<string, string>>({ n: 3 }) })],
  ['decodeCheckpoint', 'bytes as a string (the file name names the error)', () => decodeCheckpoint(as<Uint8Array>('bytes'), 'decodeCheckpoint')],
  ['modelFromCheckpoint', 'no checkpoint', () => modelFromCheckpoint(as<Checkpoint>(undefined), js)],
  ['restoreOptimizer', 'tensors not a Map', () => restoreOptimizer(as<Checkpoint>({ ...ckpt, tensors: {} }), model, opt)],
  ['createBackend', 'options null', () => createBackend('wasm', as<object>(null))],
  ['createBackend', 'threads as a string', () => createBackend('wasm', { threads: as<number>('2') })],
  ['createRng', 'no seed', () => createRng(as<number>(undefined))],
  ['restoreRng', 'no state', () => restoreRng(as<Parameters<typeof restoreRng>[0]>(undefined))],
  ['matmul', 'options null', () => matmul(js, zeros(js, 1, 1), zeros(js, 1, 1), zeros(js, 1, 1), as<object>(null))],
  ['supervisedBatch', 'no config', () => supervisedBatch(as<PcnConfig>(undefined), new Float32Array(6), new Float32Array(4), 2)],
  ['supervisedBatch', 'images one value short', () => supervisedBatch(config, new Float32Array(5), new Float32Array(4), 2)],
  ['supervisedBatch', 'targets not an array', () => supervisedBatch(config, new Float32Array(6), as<Float32Array>(null), 2)],
  ['initValues', 'clamp not an array', () => initValues(model, ws, 2, as<[]>(undefined), 'forward')],
];

describe('missing or wrongly typed options are a PcError naming the function, not a TypeError', () => {
  it.each(cases)('%s: %s', async (name, _, call) => {
    let error: unknown;
    try {
      await call();
    } catch (e) {
      error = e;
    }
    expect(error, 'nothing was thrown').toBeDefined();
    if (!(error instanceof PcError)) throw error;
    expect(error.message.startsWith(`${name}`) || error.message.startsWith('model config')).toBe(true);
    expect(['config', 'shape', 'data']).toContain(error.code);
  });
});

describe('supervisedBatch checks the batch where it is made', () => {
  it('names the array, the rows and the size it needs', () => {
    expect(() => supervisedBatch(config, new Float32Array(5), new Float32Array(4), 2)).toThrow(
      'supervisedBatch: images must hold rows × 3 = 6 values (2 rows of 3), got 5.',
    );
  });
});

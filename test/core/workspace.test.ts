/**
 * A workspace belongs to one model: every public function that computes on a
 * (model, workspace) pair refuses a pair made for different models, or on
 * backends of different element types, before a kernel writes past a buffer.
 */
import { describe, expect, it } from 'vitest';
import {
  checkWorkspace,
  classifyByRelaxation,
  complete,
  createConfig,
  forward,
  generate,
  infer,
  initModel,
  initWorkspace,
  type Model,
  predictLabels,
  type Workspace,
} from '../../packages/predictive-coding/src/core/index.ts';
import { createBackend, createReferenceBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import { catchPcError } from '../helpers/errors.ts';

const wasm = await createBackend('wasm', { threads: 1 });
const relax = { steps: 3, lr: 0.1, momentum: 0, tolerance: 0 };

describe('a workspace made for a 4-8-2 model, used with a 4-9-2 one', () => {
  for (const orientation of ['discriminative', 'generative'] as const) {
    const model = initModel(createConfig({ sizes: [4, 9, 2], orientation }), wasm, createRng(1));
    const ws = initWorkspace(initModel(createConfig({ sizes: [4, 8, 2], orientation }), wasm, createRng(2)), 3, wasm);
    const calls: [string, () => unknown][] =
      orientation === 'discriminative'
        ? [
            ['forward', () => forward(model, ws, 3, new Float32Array(12))],
            ['predictLabels', () => predictLabels(model, ws, 3, new Float32Array(12), new Int32Array(3))],
            ['infer', () => infer(model, ws, 3, [new Float32Array(12)], relax)],
          ]
        : [
            ['generate', () => generate(model, ws, 3, new Float32Array(12))],
            ['classifyByRelaxation', () => classifyByRelaxation(model, ws, 3, new Float32Array(6), relax, new Int32Array(3))],
            ['complete', () => complete(model, ws, 3, new Float32Array(6), new Uint8Array(6).fill(1), relax)],
          ];
    it.each(calls)('%s refuses it with a shape error naming both shapes', (name, call) => {
      const e = catchPcError(call, 'shape');
      expect(e.message).toBe(
        `${name}: the workspace was made for layers 4-8-2 (capacity 3) but the model has 4-9-2. Make it with initWorkspace(model, batchSize, backend) for this model.`,
      );
    });
  }
});

describe('a workspace made for a deeper model', () => {
  it('is refused with every layer of the workspace named', () => {
    const js = createReferenceBackend('float32');
    const model = initModel(createConfig({ sizes: [6, 16, 3] }), js, createRng(1));
    const ws = initWorkspace(initModel(createConfig({ sizes: [6, 24, 24, 3] }), js, createRng(2)), 4, js);
    expect(catchPcError(() => forward(model, ws, 1, new Float32Array(6)), 'shape').message).toBe(
      'forward: the workspace was made for layers 6-24-24-3 (capacity 4) but the model has 6-16-3. Make it with initWorkspace(model, batchSize, backend) for this model.',
    );
  });
});

describe('a model and a workspace on backends of different element types', () => {
  it('is refused: float64 weights would be read as float32 bytes by the wasm kernels', () => {
    const f64 = createReferenceBackend('float64');
    const model = initModel(createConfig({ sizes: [4, 8, 2] }), f64, createRng(1));
    const ws = initWorkspace(model as unknown as Model, 3, wasm);
    const e = catchPcError(() => forward(model as unknown as Model, ws, 3, new Float32Array(12)), 'shape');
    expect(e.message).toBe(
      "forward: the model's parameters are Float64Array but the workspace computes in float32 (wasm backend). Make the model and the workspace on one backend: initModel(config, backend, rng), initWorkspace(model, batchSize, backend).",
    );
  });

  it('models and workspaces of two backends of one element type work together (arrays are copied per call)', () => {
    const js = createReferenceBackend('float32');
    const model = initModel(createConfig({ sizes: [4, 8, 2] }), js, createRng(1));
    const onWasm = initWorkspace(model, 3, wasm);
    const onJs = initWorkspace(model, 3, js);
    const input = Float32Array.from({ length: 12 }, (_, i) => i / 12);
    expect(() => checkWorkspace(model, onWasm, 'test')).not.toThrow();
    const a = Array.from(forward(model, onWasm, 3, input).subarray(0, 6));
    const b = Array.from(forward(model, onJs, 3, input).subarray(0, 6));
    for (const [i, v] of a.entries()) expect(v).toBeCloseTo(b[i], 5);
  });

  it('something that is not a workspace is refused, not a TypeError', () => {
    const js = createReferenceBackend('float32');
    const model = initModel(createConfig({ sizes: [4, 8, 2] }), js, createRng(1));
    expect(catchPcError(() => checkWorkspace(model, undefined as unknown as Workspace, 'test'), 'config').message).toBe(
      'test: expected a Workspace from initWorkspace(model, batchSize, backend), got undefined.',
    );
  });
});

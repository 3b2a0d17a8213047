/**
 * The conv2d-transpose kind: its prediction against PyTorch's ConvTranspose2d
 * definition written out as a scatter loop, its adjointness with conv2d, and
 * the x, W and b rules against central finite differences of E in float64
 * (DESIGN §4), on odd shapes: stride 2, padding 0 and 1, non-square kernels,
 * one channel, batch 1, and as a residual block; then learned feedback,
 * config errors and the wasm backend against js float32.
 * conv-transpose-decoder.test.ts trains a decoder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  computeWeightGrads,
  createConfig,
  feedbackAngles,
  kindOf,
  type LayerSpec,
  planRelaxation,
  type Shape,
  sizeOf,
  updateValues,
} from '../../packages/predictive-coding/src/core/index.ts';
import type { Backend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createWasmBackend } from '../../packages/predictive-coding/src/kernels/wasm/wasm-backend.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import { catchPcError } from '../helpers/errors.ts';
import { centralDifference, energy, expectValueStepIsGradient, expectWeightGradsMatchFd, f64, type Net, smallNet } from './helpers.ts';

interface Case {
  readonly name: string;
  readonly inputShape: Shape;
  readonly layers: LayerSpec[];
  readonly sizes: number[];
  readonly rows: number;
}

const cases: Case[] = [
  {
    name: 'a 1×1 latent through a 3×2 transpose, then 3×3 stride 2 pad 1 to one channel, then dense (batch 2)',
    inputShape: [1, 1, 3],
    layers: [
      { kind: 'conv2d-transpose', channels: 2, kernel: [3, 2] },
      { kind: 'conv2d-transpose', channels: 1, kernel: 3, stride: 2, padding: 1 },
      { kind: 'dense' },
    ],
    sizes: [3, 12, 15, 2],
    rows: 2,
  },
  {
    name: 'one channel through 2×2 stride 2 pad 0, then 2×3 pad 1, then a strided conv2d (batch 1)',
    inputShape: [2, 3, 1],
    layers: [
      { kind: 'conv2d-transpose', channels: 3, kernel: 2, stride: 2 },
      { kind: 'conv2d-transpose', channels: 2, kernel: [2, 3], padding: 1 },
      { kind: 'conv2d', channels: 1, kernel: 3, stride: 2 },
    ],
    sizes: [6, 72, 36, 2],
    rows: 1,
  },
  {
    name: 'a residual 3×3 pad-1 transpose (same shape), then 2×1 stride 2, then dense (batch 2)',
    inputShape: [3, 2, 2],
    layers: [
      { kind: 'conv2d-transpose', channels: 2, kernel: 3, padding: 1, residual: true },
      { kind: 'conv2d-transpose', channels: 1, kernel: [2, 1], stride: 2 },
      { kind: 'dense' },
    ],
    sizes: [12, 12, 18, 2],
    rows: 2,
  },
];

function transposeNet(c: Case, activation: 'tanh' | 'leaky-relu' = 'tanh', feedback?: 'learned'): Net {
  const net = smallNet(activation, { sizes: c.sizes, inputShape: c.inputShape, layers: c.layers, rows: c.rows, seed: 11, feedback });
  energy(net);
  return net;
}

const noScratch = { values: new Float64Array(0), indices: new Int32Array(0) };

function normals(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => rng.normal());
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/**
 * PyTorch's ConvTranspose2d (no output_padding, no bias) as a scatter, NHWC, with W[i, j, out, in]:
 * every input value adds itself times the kernel at (r·s + i − p, q·s + j − p), cropped to the output.
 */
function scatterOracle(
  a: Float64Array,
  W: Float64Array,
  rows: number,
  input: Shape,
  output: Shape,
  kh: number,
  kw: number,
  s: number,
  p: number,
): Float64Array {
  const [h, w, c] = input;
  const [oh, ow, k] = output;
  const out = new Float64Array(rows * oh * ow * k);
  for (let n = 0; n < rows; n++)
    for (let r = 0; r < h; r++)
      for (let q = 0; q < w; q++)
        for (let ci = 0; ci < c; ci++)
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++) {
              const [y, x] = [r * s + i - p, q * s + j - p];
              if (y < 0 || y >= oh || x < 0 || x >= ow) continue;
              for (let co = 0; co < k; co++) out[((n * oh + y) * ow + x) * k + co] += a[((n * h + r) * w + q) * c + ci] * W[((i * kw + j) * k + co) * c + ci];
            }
  return out;
}

// Odd geometries: stride 2 with padding 0 and 1, a non-square kernel, one channel, batch 1.
const geometries = [
  { input: [3, 2, 2] as Shape, channels: 3, kernel: [3, 2] as const, stride: 2, padding: 1, rows: 2 },
  { input: [2, 3, 1] as Shape, channels: 1, kernel: [2, 3] as const, stride: 2, padding: 0, rows: 1 },
  { input: [4, 1, 3] as Shape, channels: 2, kernel: [1, 1] as const, stride: 3, padding: 0, rows: 3 },
];

describe('conv2d-transpose: shapes and config errors', () => {
  it('derives (h − 1)·stride − 2·padding + kernel, as PyTorch’s ConvTranspose2d, and a decoder from 7×7 to 28×28', () => {
    expect(transposeNet(cases[0]).model.config.shapes).toEqual([
      [1, 1, 3],
      [3, 2, 2],
      [5, 3, 1],
      [1, 1, 2],
    ]);
    expect(transposeNet(cases[1]).model.config.shapes).toEqual([
      [2, 3, 1],
      [4, 6, 3],
      [3, 6, 2],
      [1, 2, 1],
    ]);
    const decoder = createConfig({
      sizes: [10, 392, 784, 784],
      inputShape: [1, 1, 10],
      layers: [
        { kind: 'conv2d-transpose', channels: 8, kernel: 7 },
        { kind: 'conv2d-transpose', channels: 4, kernel: 4, stride: 2, padding: 1 },
        { kind: 'conv2d-transpose', channels: 1, kernel: 4, stride: 2, padding: 1 },
      ],
    });
    expect(decoder.shapes).toEqual([
      [1, 1, 10],
      [7, 7, 8],
      [14, 14, 4],
      [28, 28, 1],
    ]);
  });

  it('refuses geometry that does not fit with PcError(config) naming the layer, the values and what to change', () => {
    const first =
      (spec: object, inputShape: Shape = [2, 2, 1], units = 4) =>
      () =>
        createConfig({ sizes: [sizeOf(inputShape), units, 2], inputShape, layers: [spec as LayerSpec, { kind: 'dense' }] });
    expect(catchPcError(first({ kind: 'conv2d-transpose', channels: 1, kernel: 3, padding: 3 }, [5, 5, 1]), 'config').message).toMatch(
      /^model config: layers\[0\] \(layer 1\): conv2d-transpose: padding 3 crops every output of a 3×3 kernel .* Use padding ≤ 2/,
    );
    expect(catchPcError(first({ kind: 'conv2d-transpose', channels: 1, kernel: 3, padding: 2 }, [1, 1, 1]), 'config').message).toMatch(
      /layers\[0\] \(layer 1\): conv2d-transpose: the 1×1 input gives a -1×-1 output .* it must be at least 1×1/,
    );
    expect(catchPcError(first({ kind: 'conv2d-transpose', channels: 0, kernel: 2 }), 'config').message).toMatch(
      /layers\[0\] \(layer 1\): conv2d-transpose: channels, kernel and stride must be integers ≥ 1 and padding an integer ≥ 0, got \{"channels":0,"kernel":2\}/,
    );
    expect(catchPcError(first({ kind: 'conv2d-transpose', channels: 1, kernel: [2, 2], stride: 1.5 }), 'config').message).toMatch(/"stride":1.5/);
    expect(catchPcError(first({ kind: 'conv2d-transpose', channels: 1, kernel: 3, stride: 1 << 20 }), 'config').message).toMatch(
      /over the 1048576 limit on a side/,
    );
    expect(catchPcError(first({ kind: 'conv2d-transpose', channels: 1, kernel: 2, pool: { kind: 'max', size: 2 } }), 'config').message).toMatch(
      /layers\[0\] \(conv2d-transpose\) has unknown field 'pool'; a conv2d-transpose spec takes channels, kernel, stride, padding, residual\./,
    );
    // 2×2 input, kernel 2, stride 1: a 3×3×1 output is 9 values, not sizes[1] = 4.
    expect(catchPcError(first({ kind: 'conv2d-transpose', channels: 1, kernel: 2 }), 'config').message).toMatch(
      /layer 1 has shape \[3, 3, 1\] \(9 values\) by its spec, but sizes\[1\] is 4/,
    );
    expect(first({ kind: 'conv2d-transpose', channels: 1, kernel: 2 }, [1, 1, 4])).not.toThrow();
  });

  it('stores W as [kh·kw·channels, input channels], B in W’s layout, with fan-in of the taps landing on one output', () => {
    const kind = kindOf({ kind: 'conv2d-transpose', channels: 3, kernel: [3, 2], stride: 2 });
    const spec: LayerSpec = { kind: 'conv2d-transpose', channels: 3, kernel: [3, 2], stride: 2 };
    const input: Shape = [2, 3, 5];
    const output = kind.outputShape(spec, input, undefined);
    expect(output).toEqual([5, 6, 3]);
    expect(kind.parameterShapes(spec, input, output)).toEqual({ weights: [18, 5], bias: 3, feedback: [18, 5] });
    expect(kind.fanIn(spec, input, output)).toBe(5 * 2 * 1);
    expect(kind.feedbackTransposed).toBe(false);
    expect(kind.scratchSize(spec, input, output, 4)).toEqual({ values: 0, indices: 0 });
    expect(kind.flops(spec, input, output, 4).predict).toBe(2 * 4 * 2 * 3 * 5 * 3 * 2 * 3);
  });
});

describe('conv2d-transpose: the transpose of conv2d', () => {
  for (const g of geometries) {
    const spec: LayerSpec = { kind: 'conv2d-transpose', channels: g.channels, kernel: g.kernel, stride: g.stride, padding: g.padding };
    const kind = kindOf(spec);
    const output = kind.outputShape(spec, g.input, undefined);
    const label = `${g.input.join('×')} input, ${g.kernel.join('×')} kernel, stride ${g.stride}, padding ${g.padding}, batch ${g.rows}`;
    const [wRows, wCols] = kind.parameterShapes(spec, g.input, output).weights;
    const W = normals(wRows * wCols, 1);
    const a = normals(g.rows * sizeOf(g.input), 2);
    const b = normals(g.rows * sizeOf(output), 3);

    it(`predicts ConvTranspose2d’s scatter exactly: ${label}`, () => {
      const mu = new Float64Array(g.rows * sizeOf(output));
      kind.predict(f64, spec, g.input, output, W, a, mu, g.rows, noScratch);
      const want = scatterOracle(a, W, g.rows, g.input, output, g.kernel[0], g.kernel[1], g.stride, g.padding);
      for (let i = 0; i < want.length; i++) expect(mu[i]).toBeCloseTo(want[i], 12);
    });

    it(`⟨convT(a), b⟩ = ⟨a, conv2d(b)⟩ with a conv2d layer of the same geometry and the same W: ${label}`, () => {
      const mu = new Float64Array(g.rows * sizeOf(output));
      kind.predict(f64, spec, g.input, output, W, a, mu, g.rows, noScratch);
      // The conv2d that maps this layer's output back onto its input, whose W layout the transpose shares.
      const convSpec: LayerSpec = { kind: 'conv2d', channels: g.input[2], kernel: g.kernel, stride: g.stride, padding: g.padding };
      const conv = kindOf(convSpec);
      expect(conv.outputShape(convSpec, output, undefined)).toEqual(g.input);
      expect(conv.parameterShapes(convSpec, output, g.input).weights).toEqual([wRows, wCols]);
      const down = new Float64Array(g.rows * sizeOf(g.input));
      conv.predict(f64, convSpec, output, g.input, W, b, down, g.rows, noScratch);
      const [lhs, rhs] = [dot(mu, b), dot(a, down)];
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-12 * Math.max(1, Math.abs(lhs)));
      // The kind's own message is that conv2d (through W).
      const message = new Float64Array(g.rows * sizeOf(g.input));
      kind.message(f64, spec, g.input, output, W, undefined, b, message, g.rows, noScratch);
      expect(Array.from(message)).toEqual(Array.from(down));
    });
  }
});

describe('conv2d-transpose: ∂E/∂x, ∂E/∂W and ∂E/∂b against finite differences', () => {
  for (const c of cases) {
    it(`one Euler step with lr 1 moves every free x by −∂E/∂x: ${c.name}`, () => {
      const net = transposeNet(c);
      expectValueStepIsGradient(net);
    });

    it(`computeWeightGrads is the batch mean of ∂E/∂W and ∂E/∂b: ${c.name}`, () => {
      const net = transposeNet(c, 'leaky-relu');
      expectWeightGradsMatchFd(net);
    });
  }

  it('learned feedback: B has W’s layout, its increment is exactly W’s gradient, the angle measures it, and the x update uses B', () => {
    const c = cases[1];
    const net = transposeNet(c, 'tanh', 'learned');
    const { model, ws, rows } = net;
    expect(model.layers[0].feedback!.shape).toEqual(model.layers[0].weights.shape);
    computeWeightGrads(model, ws, rows);
    for (let l = 1; l < model.config.sizes.length - 1; l++) expect(Array.from(ws.gradFeedback[l])).toEqual(Array.from(ws.gradW[l]));
    // With B = W the x update is the exact gradient again, and B sits at 0° from the W it stands in for.
    for (const layer of model.layers) layer.feedback!.data.set(layer.weights.data);
    for (const angle of feedbackAngles(model)) expect(angle).toBeLessThan(1e-6);
    const plan = planRelaxation(
      model,
      model.config.sizes.map(() => false),
    );
    const fd = Array.from(ws.x[1].subarray(0, rows * c.sizes[1]), (_, i) => centralDifference(net, ws.x[1], i));
    const before = Float64Array.from(ws.x[1]);
    updateValues(model, ws, rows, plan, { steps: 1, lr: 1, momentum: 0, tolerance: 0 });
    for (let i = 0; i < fd.length; i++) expect(Math.abs(before[i] - ws.x[1][i] - fd[i])).toBeLessThan(1e-9 * Math.max(1, Math.abs(fd[i])));
  });
});

describe('conv2d-transpose on the wasm backend', () => {
  let wasm: Backend<Float32Array>;
  beforeAll(async () => {
    wasm = await createWasmBackend({ threads: 1 });
  });
  afterAll(() => wasm.dispose());

  it('predict, message and the weight gradient agree with js float32 on a stride-2, padded, non-square odd shape', () => {
    const js = createReferenceBackend('float32');
    const g = geometries[0];
    const spec: LayerSpec = { kind: 'conv2d-transpose', channels: g.channels, kernel: g.kernel, stride: g.stride, padding: g.padding };
    const kind = kindOf(spec);
    const output = kind.outputShape(spec, g.input, undefined);
    const [wRows, wCols] = kind.parameterShapes(spec, g.input, output).weights;
    const run = (backend: Backend<Float32Array>, array: (n: number) => Float32Array) => {
      const load = (v: Float64Array) => {
        const t = array(v.length);
        t.set(v);
        return t;
      };
      const scratch = { values: array(0), indices: new Int32Array(0) };
      const [W, a, eps] = [load(normals(wRows * wCols, 4)), load(normals(g.rows * sizeOf(g.input), 5)), load(normals(g.rows * sizeOf(output), 6))];
      const [mu, message, gradW] = [array(g.rows * sizeOf(output)), array(g.rows * sizeOf(g.input)), array(wRows * wCols)];
      kind.predict(backend, spec, g.input, output, W, a, mu, g.rows, scratch);
      kind.message(backend, spec, g.input, output, W, undefined, eps, message, g.rows, scratch);
      kind.weightGradient(backend, spec, g.input, output, eps, a, gradW, g.rows, -0.5, scratch);
      return [mu, message, gradW].map((t) => Array.from(t));
    };
    const want = run(js, (n) => new Float32Array(n));
    const got = run(wasm, (n) => wasm.alloc(n));
    want.forEach((w, k) => {
      expect(got[k]).toHaveLength(w.length);
      for (let i = 0; i < w.length; i++) expect(Math.abs(got[k][i] - w[i]), `product ${k} [${i}]`).toBeLessThan(1e-5 * Math.max(1, Math.abs(w[i])));
    });
  });
});

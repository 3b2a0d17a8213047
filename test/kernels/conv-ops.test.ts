import { describe, expect, it } from 'vitest';
import type { Conv2dGeometry } from '../../packages/predictive-coding/src/kernels/backend.ts';
import {
  avgPool,
  avgPoolBackward,
  conv2d,
  conv2dInputGrad,
  conv2dWeightGrad,
  maxPool,
  maxPoolBackward,
} from '../../packages/predictive-coding/src/kernels/conv-ops.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/reference.ts';
import { tensor, zeros } from '../../packages/predictive-coding/src/kernels/tensor.ts';
import { uniform, worstRatio } from '../helpers/arrays.ts';
import { catchPcError } from '../helpers/errors.ts';
import { naiveConv2d } from './conv-oracle.ts';

const js = createReferenceBackend('float32');
// 7×5×2 → 3 channels, 3×3, stride 2, pad 1: oh = ⌊(7 + 2 − 3)/2⌋ + 1 = 4, ow = 3.
const g: Conv2dGeometry = { n: 2, h: 7, w: 5, c: 2, k: 3, kh: 3, kw: 3, stride: 2, pad: 1 };
const x = zeros(js, 2, 70);
const w = zeros(js, 18, 3);
const y = zeros(js, 2, 36);

describe('checked convolution', () => {
  it('computes the convolution when shapes and geometry agree', () => {
    const xv = tensor(Float32Array.from(uniform(140, 1)), [2, 70]);
    const wv = tensor(Float32Array.from(uniform(54, 2)), [18, 3]);
    const out = zeros(js, 2, 36);
    conv2d(js, xv, wv, out, g);
    expect(worstRatio(out.data, naiveConv2d(xv.data, wv.data, g), 1e-6, 1e-5)).toBeLessThanOrEqual(1);
    expect(() => conv2dInputGrad(js, out, wv, zeros(js, 2, 70), g, 1)).not.toThrow();
    expect(() => conv2dWeightGrad(js, out, xv, zeros(js, 18, 3), g, 0.5)).not.toThrow();
  });

  it('rejects arrays whose shapes do not fit the geometry, quoting both', () => {
    expect(catchPcError(() => conv2d(js, zeros(js, 2, 69), w, y, g), 'shape').message).toBe(
      'conv2d: x has shape [2, 69] but the geometry (n 2, h 7, w 5, c 2) needs [2, 70] ([n, h·w·c]). Check h, w and c against the layer below.',
    );
    expect(catchPcError(() => conv2d(js, x, zeros(js, 9, 3), y, g), 'shape').message).toBe(
      'conv2d: w has shape [9, 3] but the geometry (kh 3, kw 3, c 2, k 3) needs [18, 3] ([kh·kw·c, k]).',
    );
    expect(catchPcError(() => conv2d(js, x, w, zeros(js, 2, 35), g), 'shape').message).toBe(
      'conv2d: out has shape [2, 35] but the geometry needs [2, 36] ([n, oh·ow·k] with oh 4, ow 3).',
    );
    expect(catchPcError(() => conv2dInputGrad(js, zeros(js, 2, 35), w, x, g), 'shape').message).toBe(
      'conv2dInputGrad: gy has shape [2, 35] but the geometry needs [2, 36] ([n, oh·ow·k] with oh 4, ow 3).',
    );
    expect(catchPcError(() => conv2dWeightGrad(js, y, x, zeros(js, 18, 2), g, 1), 'shape').message).toContain('conv2dWeightGrad: gw has shape [18, 2]');
  });

  it('rejects an output that overlaps an input', () => {
    const buf = new Float32Array(200);
    const xs = tensor(buf.subarray(0, 140), [2, 70]);
    const ys = tensor(buf.subarray(100, 172), [2, 36]);
    expect(catchPcError(() => conv2d(js, xs, w, ys, g), 'shape').message).toBe('conv2d: out overlaps x; the output must be a separate array.');
    expect(catchPcError(() => conv2dInputGrad(js, ys, w, xs, g), 'shape').message).toBe(
      'conv2dInputGrad: gx overlaps gy; the output must be a separate array.',
    );
    const ws = tensor(buf.subarray(140, 194), [18, 3]);
    expect(catchPcError(() => conv2dWeightGrad(js, tensor(buf.subarray(120, 192), [2, 36]), x, ws, g, 1), 'shape').message).toBe(
      'conv2dWeightGrad: gw overlaps gy; the output must be a separate array.',
    );
  });

  it('rejects a zero, negative or fractional size, stride or padding as a config error naming the field', () => {
    expect(catchPcError(() => conv2d(js, x, w, y, { ...g, stride: 0 }), 'config').message).toBe('conv2d: geometry.stride must be an integer ≥ 1, got 0.');
    expect(catchPcError(() => conv2d(js, x, w, y, { ...g, pad: -1 }), 'config').message).toBe('conv2d: geometry.pad must be an integer ≥ 0, got -1.');
    expect(catchPcError(() => conv2d(js, x, w, y, { ...g, h: 3.5 }), 'config').message).toBe('conv2d: geometry.h must be an integer ≥ 1, got 3.5.');
    expect(catchPcError(() => conv2d(js, x, w, y, null as never), 'config').message).toMatch(/^conv2d: geometry must be an object/);
  });

  it('rejects a kernel larger than the padded input, quoting both sizes', () => {
    const small = { ...g, h: 1, pad: 0 };
    expect(catchPcError(() => conv2d(js, zeros(js, 2, 10), w, zeros(js, 2, 0), small), 'shape').message).toBe(
      'conv2d: the 3×3 kernel is larger than the padded input 1×5 (h 1 + 2·pad 0, w 5 + 2·pad 0). Use a smaller kernel or more padding.',
    );
  });

  it('rejects a non-finite beta or alpha', () => {
    expect(catchPcError(() => conv2dInputGrad(js, y, w, x, g, Number.NaN), 'config').message).toBe('conv2dInputGrad: beta must be a finite number, got NaN.');
    expect(catchPcError(() => conv2dWeightGrad(js, y, x, w, g, Number.POSITIVE_INFINITY), 'config').message).toBe(
      'conv2dWeightGrad: alpha must be a finite number, got Infinity.',
    );
  });
});

describe('checked pooling', () => {
  // 7×5×3, window 2: oh = 3, ow = 2.
  const p = { n: 2, h: 7, w: 5, c: 3, window: 2 };
  const px = zeros(js, 2, 105);
  const py = zeros(js, 2, 18);

  it('rejects shapes that do not fit, and a window larger than the input', () => {
    expect(catchPcError(() => avgPool(js, px, zeros(js, 2, 17), p), 'shape').message).toBe(
      'avgPool: out has shape [2, 17] but the geometry needs [2, 18] ([n, oh·ow·c] with oh 3, ow 2).',
    );
    expect(catchPcError(() => avgPoolBackward(js, py, zeros(js, 1, 105), p), 'shape').message).toBe(
      'avgPoolBackward: gx has shape [1, 105] but the geometry (n 2, h 7, w 5, c 3) needs [2, 105] ([n, h·w·c]). Check h, w and c against the layer below.',
    );
    expect(catchPcError(() => avgPool(js, zeros(js, 2, 15), zeros(js, 2, 0), { ...p, h: 1 }), 'shape').message).toBe(
      'avgPool: the 2×2 window is larger than the input 1×5. Use a smaller window.',
    );
    expect(catchPcError(() => avgPool(js, px, py, { ...p, stride: 0 }), 'config').message).toBe('avgPool: geometry.stride must be an integer ≥ 1, got 0.');
    expect(catchPcError(() => avgPool(js, px, px, p), 'shape').code).toBe('shape');
  });

  it('maxPool needs one argmax entry per output', () => {
    expect(catchPcError(() => maxPool(js, px, py, new Int32Array(35), p), 'shape').message).toBe(
      'maxPool: argmax has 35 elements but out has 36; it needs one per output.',
    );
  });

  it('maxPoolBackward rejects an argmax entry outside x, naming its position', () => {
    const argmax = new Int32Array(36);
    argmax[7] = 210;
    expect(catchPcError(() => maxPoolBackward(js, py, argmax, px, p), 'shape').message).toBe(
      'maxPoolBackward: argmax[7] is 210, outside gx (210 elements). Pass the argmax that maxPool wrote for this geometry.',
    );
    argmax[7] = 0;
    expect(() => maxPoolBackward(js, py, argmax, px, p)).not.toThrow();
  });
});

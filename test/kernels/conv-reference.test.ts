import { describe, expect, it } from 'vitest';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/reference.ts';
import { uniform, worstRatio } from '../helpers/arrays.ts';
import {
  CONV_CASES,
  convOut,
  describeConv,
  describePool,
  dot,
  naiveAvgPool,
  naiveAvgPoolBackward,
  naiveConv2d,
  naiveConv2dInputGrad,
  naiveConv2dWeightGrad,
  naiveMaxPool,
  naiveMaxPoolBackward,
  POOL_CASES,
  poolOut,
} from './conv-oracle.ts';

const f64 = createReferenceBackend('float64');

describe('js float64 convolution against the naive-loop oracle', () => {
  for (const g of CONV_CASES) {
    it(`conv2d, its input gradient and its weight gradient equal the definitions to 1e-12 (${describeConv(g)})`, () => {
      const { oh, ow } = convOut(g);
      const x = uniform(g.n * g.h * g.w * g.c, 1);
      const w = uniform(g.kh * g.kw * g.c * g.k, 2);
      const gy = uniform(g.n * oh * ow * g.k, 3);
      const out = new Float64Array(gy.length).fill(Number.NaN);
      f64.conv2d(x, w, out, g);
      expect(worstRatio(out, naiveConv2d(x, w, g), 1e-13, 1e-12)).toBeLessThanOrEqual(1);
      const gx = new Float64Array(x.length).fill(Number.NaN);
      f64.conv2dInputGrad(gy, w, gx, g);
      expect(worstRatio(gx, naiveConv2dInputGrad(gy, w, g), 1e-13, 1e-12)).toBeLessThanOrEqual(1);
      const gw = new Float64Array(w.length).fill(Number.NaN);
      f64.conv2dWeightGrad(gy, x, gw, g, -0.5);
      expect(worstRatio(gw, naiveConv2dWeightGrad(gy, x, g, -0.5), 1e-13, 1e-12)).toBeLessThanOrEqual(1);
    });
  }

  it('conv2dInputGrad with beta 1 adds to gx, and with beta 0 ignores NaN already in gx', () => {
    const g = CONV_CASES[2];
    const { oh, ow } = convOut(g);
    const w = uniform(g.kh * g.kw * g.c * g.k, 4);
    const gy = uniform(g.n * oh * ow * g.k, 5);
    const prior = uniform(g.n * g.h * g.w * g.c, 6);
    const gx = Float64Array.from(prior);
    f64.conv2dInputGrad(gy, w, gx, g, 1);
    const want = naiveConv2dInputGrad(gy, w, g).map((v, i) => v + prior[i]);
    expect(worstRatio(gx, want, 1e-13, 1e-12)).toBeLessThanOrEqual(1);
    gx.fill(Number.NaN);
    f64.conv2dInputGrad(gy, w, gx, g, 0);
    expect(gx.every(Number.isFinite)).toBe(true);
  });
});

describe('adjointness of the transposed products in float64', () => {
  for (const g of CONV_CASES) {
    it(`⟨conv2d(x), gy⟩ = ⟨x, conv2dInputGrad(gy)⟩ = ⟨w, conv2dWeightGrad(gy, x)⟩ to 1e-12 (${describeConv(g)})`, () => {
      const { oh, ow } = convOut(g);
      const x = uniform(g.n * g.h * g.w * g.c, 7);
      const w = uniform(g.kh * g.kw * g.c * g.k, 8);
      const gy = uniform(g.n * oh * ow * g.k, 9);
      const y = new Float64Array(gy.length);
      const gx = new Float64Array(x.length);
      const gw = new Float64Array(w.length);
      f64.conv2d(x, w, y, g);
      f64.conv2dInputGrad(gy, w, gx, g);
      f64.conv2dWeightGrad(gy, x, gw, g, 1);
      const lhs = dot(y, gy);
      const scale = Math.sqrt(dot(y, y) * dot(gy, gy)) + 1e-300;
      expect(Math.abs(dot(x, gx) - lhs) / scale).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(dot(w, gw) - lhs) / scale).toBeLessThanOrEqual(1e-12);
    });
  }

  for (const g of POOL_CASES) {
    it(`⟨pool(x), gy⟩ = ⟨x, poolBackward(gy)⟩ for average and max pooling (${describePool(g)})`, () => {
      const { oh, ow } = poolOut(g);
      const x = uniform(g.n * g.h * g.w * g.c, 10);
      const gy = uniform(g.n * oh * ow * g.c, 11);
      const y = new Float64Array(gy.length);
      const gx = new Float64Array(x.length);
      f64.avgPool(x, y, g);
      f64.avgPoolBackward(gy, gx, g);
      const scale = Math.sqrt(dot(y, y) * dot(gy, gy));
      expect(Math.abs(dot(x, gx) - dot(y, gy)) / scale).toBeLessThanOrEqual(1e-12);
      const argmax = new Int32Array(gy.length);
      f64.maxPool(x, y, argmax, g);
      f64.maxPoolBackward(gy, argmax, gx, g);
      expect(Math.abs(dot(x, gx) - dot(y, gy)) / scale).toBeLessThanOrEqual(1e-12);
    });
  }
});

describe('js float64 pooling against the naive-loop oracle', () => {
  for (const g of POOL_CASES) {
    it(`average and max pooling and their backward passes equal the definitions (${describePool(g)})`, () => {
      const { oh, ow } = poolOut(g);
      // Small integers make ties inside windows, which must go to the first position in row-major order.
      const x = uniform(g.n * g.h * g.w * g.c, 12, -2, 2).map(Math.round);
      const gy = uniform(g.n * oh * ow * g.c, 13);
      const out = new Float64Array(gy.length).fill(Number.NaN);
      f64.avgPool(x, out, g);
      expect(worstRatio(out, naiveAvgPool(x, g), 1e-15, 1e-13)).toBeLessThanOrEqual(1);
      const gx = new Float64Array(x.length).fill(Number.NaN);
      f64.avgPoolBackward(gy, gx, g);
      expect(worstRatio(gx, naiveAvgPoolBackward(gy, g), 1e-15, 1e-13)).toBeLessThanOrEqual(1);
      const want = naiveMaxPool(x, g);
      const argmax = new Int32Array(gy.length).fill(-1);
      f64.maxPool(x, out, argmax, g);
      expect(Array.from(out)).toEqual(Array.from(want.out));
      expect(Array.from(argmax)).toEqual(Array.from(want.argmax));
      gx.fill(Number.NaN);
      f64.maxPoolBackward(gy, argmax, gx, g);
      expect(worstRatio(gx, naiveMaxPoolBackward(gy, argmax, g), 1e-15, 1e-13)).toBeLessThanOrEqual(1);
    });
  }

  it('max pooling propagates NaN: the first NaN of a window is its max and its argmax', () => {
    const g = { n: 1, h: 2, w: 2, c: 1, window: 2, stride: 2 };
    const out = new Float64Array(1);
    const argmax = new Int32Array(1);
    f64.maxPool(new Float64Array([1, Number.NaN, 5, Number.NaN]), out, argmax, g);
    expect(Number.isNaN(out[0])).toBe(true);
    expect(argmax[0]).toBe(1);
  });

  it('pooling stride defaults to the window', () => {
    const out = new Float64Array(2);
    f64.avgPool(new Float64Array([1, 2, 3, 4, 5, 6, 7, 8]), out, { n: 1, h: 2, w: 4, c: 1, window: 2 });
    expect(Array.from(out)).toEqual([(1 + 2 + 5 + 6) / 4, (3 + 4 + 7 + 8) / 4]);
  });
});

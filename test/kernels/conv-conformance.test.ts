/**
 * The convolution and pooling table, run on every backend variant and
 * compared with the naive float64 loops of conv-oracle.ts on the same float32
 * inputs: relative 1e-5, plus an absolute 1e-6 per summed term.
 */
import { describe, expect, it } from 'vitest';
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
import { load, useVariants } from './variants.ts';

const variants = useVariants();

const f32 = (n: number, seed: number, lo = -1, hi = 1): Float32Array => Float32Array.from(uniform(n, seed, lo, hi));

describe('convolution conformance', () => {
  for (const g of CONV_CASES) {
    it(`every backend's conv2d, input gradient (beta 0 and 1) and weight gradient agree with the oracle (${describeConv(g)})`, () => {
      const { oh, ow } = convOut(g);
      const x = f32(g.n * g.h * g.w * g.c, 21);
      const w = f32(g.kh * g.kw * g.c * g.k, 22);
      const gy = f32(g.n * oh * ow * g.k, 23);
      const prior = f32(x.length, 24);
      const taps = g.kh * g.kw;
      const wantY = naiveConv2d(x, w, g);
      const wantGx = naiveConv2dInputGrad(gy, w, g);
      const wantGw = naiveConv2dWeightGrad(gy, x, g, 0.25);
      for (const v of variants) {
        const out = load(v, new Float32Array(gy.length).fill(Number.NaN));
        v.backend.conv2d(load(v, x), load(v, w), out, g);
        expect(worstRatio(out, wantY, 1e-6 * taps * g.c, 1e-5), `${v.name} conv2d`).toBeLessThanOrEqual(1);
        const gx = load(v, new Float32Array(x.length).fill(Number.NaN));
        v.backend.conv2dInputGrad(load(v, gy), load(v, w), gx, g);
        expect(worstRatio(gx, wantGx, 1e-6 * taps * g.k, 1e-5), `${v.name} conv2dInputGrad`).toBeLessThanOrEqual(1);
        const acc = load(v, prior);
        v.backend.conv2dInputGrad(load(v, gy), load(v, w), acc, g, 1);
        const wantAcc = wantGx.map((e, i) => e + prior[i]);
        expect(worstRatio(acc, wantAcc, 1e-6 * taps * g.k, 1e-5), `${v.name} conv2dInputGrad beta 1`).toBeLessThanOrEqual(1);
        const gw = load(v, new Float32Array(w.length).fill(Number.NaN));
        v.backend.conv2dWeightGrad(load(v, gy), load(v, x), gw, g, 0.25);
        expect(worstRatio(gw, wantGw, 1e-6 * g.n * oh * ow, 1e-5), `${v.name} conv2dWeightGrad`).toBeLessThanOrEqual(1);
      }
    });
  }

  it('every backend keeps the adjoint identities ⟨conv2d(x), gy⟩ = ⟨x, gx⟩ = ⟨w, gw⟩ to float32 accuracy', () => {
    for (const v of variants) {
      for (const g of CONV_CASES) {
        const { oh, ow } = convOut(g);
        const x = load(v, f32(g.n * g.h * g.w * g.c, 31));
        const w = load(v, f32(g.kh * g.kw * g.c * g.k, 32));
        const gy = load(v, f32(g.n * oh * ow * g.k, 33));
        const y = v.array(gy.length);
        const gx = v.array(x.length);
        const gw = v.array(w.length);
        v.backend.conv2d(x, w, y, g);
        v.backend.conv2dInputGrad(gy, w, gx, g);
        v.backend.conv2dWeightGrad(gy, x, gw, g, 1);
        const lhs = dot(y, gy);
        const scale = Math.sqrt(dot(y, y) * dot(gy, gy));
        expect(Math.abs(dot(x, gx) - lhs) / scale, `${v.name} ${describeConv(g)} input`).toBeLessThanOrEqual(1e-5);
        expect(Math.abs(dot(w, gw) - lhs) / scale, `${v.name} ${describeConv(g)} weight`).toBeLessThanOrEqual(1e-5);
      }
    }
  });

  it('with beta 0 no backend reads gx: NaN already there does not reach the input gradient', () => {
    const g = CONV_CASES[1];
    const { oh, ow } = convOut(g);
    for (const v of variants) {
      const gx = load(v, new Float32Array(g.n * g.h * g.w * g.c).fill(Number.NaN));
      v.backend.conv2dInputGrad(load(v, f32(g.n * oh * ow * g.k, 1)), load(v, f32(g.kh * g.kw * g.c * g.k, 2)), gx, g, 0);
      expect(gx.every(Number.isFinite), v.name).toBe(true);
    }
  });
});

describe('pooling conformance', () => {
  for (const g of POOL_CASES) {
    it(`every backend's average and max pooling and their backward passes agree with the oracle, ties included (${describePool(g)})`, () => {
      const { oh, ow } = poolOut(g);
      // Small integers make ties inside windows, which every backend must break the same way.
      const x = Float32Array.from(uniform(g.n * g.h * g.w * g.c, 41, -2, 2).map(Math.round));
      const gy = f32(g.n * oh * ow * g.c, 42);
      const wantMax = naiveMaxPool(x, g);
      for (const v of variants) {
        const out = load(v, new Float32Array(gy.length).fill(Number.NaN));
        v.backend.avgPool(load(v, x), out, g);
        expect(worstRatio(out, naiveAvgPool(x, g), 1e-7, 1e-6), `${v.name} avgPool`).toBeLessThanOrEqual(1);
        const gx = load(v, new Float32Array(x.length).fill(Number.NaN));
        v.backend.avgPoolBackward(load(v, gy), gx, g);
        expect(worstRatio(gx, naiveAvgPoolBackward(gy, g), 1e-7, 1e-6), `${v.name} avgPoolBackward`).toBeLessThanOrEqual(1);
        const argmax = new Int32Array(gy.length).fill(-1);
        v.backend.maxPool(load(v, x), out, argmax, g);
        expect(Array.from(out), `${v.name} maxPool`).toEqual(Array.from(wantMax.out));
        expect(Array.from(argmax), `${v.name} maxPool argmax`).toEqual(Array.from(wantMax.argmax));
        gx.fill(Number.NaN);
        v.backend.maxPoolBackward(load(v, gy), argmax, gx, g);
        expect(worstRatio(gx, naiveMaxPoolBackward(gy, argmax, g), 1e-7, 1e-6), `${v.name} maxPoolBackward`).toBeLessThanOrEqual(1);
      }
    });
  }

  it('every backend propagates NaN through max pooling: the first NaN of a window is its max and its argmax', () => {
    const g = { n: 1, h: 2, w: 4, c: 2, window: 2, stride: 2 };
    // Channel 0 has a NaN in its second window only; channel 1 in both windows, after a larger value.
    const x = [1, 9, 2, Number.NaN, 3, 4, Number.NaN, 1, 5, Number.NaN, 6, 7, 0, 8, 8, Number.NaN];
    for (const v of variants) {
      const out = v.array(4);
      const argmax = new Int32Array(4);
      v.backend.maxPool(load(v, x), out, argmax, g);
      expect(Array.from(out), v.name).toEqual([6, Number.NaN, Number.NaN, Number.NaN]);
      expect(Array.from(argmax), v.name).toEqual([10, 3, 6, 15]);
    }
  });
});

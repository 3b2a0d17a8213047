/**
 * The WebGPU convolution and pooling kernels against the float64 oracle (test/kernels/conv-oracle.ts)
 * on every odd case the CPU backends run: strides 1–3, padding 0–3, 1×1 and kernels larger than the
 * input, one channel, batch 1; pooling with disjoint, overlapping and dropped-edge windows, ties and NaN.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/reference.ts';
import { createArray, upload } from '../../packages/predictive-coding/src/kernels/webgpu/buffers.ts';
import { GpuConv } from '../../packages/predictive-coding/src/kernels/webgpu/conv.ts';
import { uniform, worstRatio } from '../helpers/arrays.ts';
import {
  CONV_CASES,
  convOut,
  describeConv,
  describePool,
  naiveAvgPool,
  naiveAvgPoolBackward,
  naiveConv2d,
  naiveConv2dInputGrad,
  naiveConv2dWeightGrad,
  naiveMaxPoolBackward,
  POOL_CASES,
  poolOut,
} from '../kernels/conv-oracle.ts';
import { runPass, useGpu } from './gpu.ts';

const gpu = useGpu();
let conv: GpuConv;
beforeAll(() => {
  conv = new GpuConv(gpu().device);
});

const once = (record: (pass: GPUComputePassEncoder) => GPUBuffer, outs: [GPUBuffer, number][]) => runPass(gpu().device, record, outs);

const f32 = (n: number, seed: number) => Float32Array.from(uniform(n, seed));
const ref = createReferenceBackend('float64');

describe('webgpu convolution', () => {
  it('forward, input gradient (beta 0 and 0.5) and weight gradient on every odd case', async () => {
    const { device } = gpu();
    for (const g of CONV_CASES) {
      const geometry = { ...g };
      const { oh, ow } = convOut(g);
      const [xs, ws, gys, gx0] = [f32(g.n * g.h * g.w * g.c, 1), f32(g.kh * g.kw * g.c * g.k, 2), f32(g.n * oh * ow * g.k, 3), f32(g.n * g.h * g.w * g.c, 4)];
      const [x, w, gy] = [upload(device, xs), upload(device, ws), upload(device, gys)];
      const out = createArray(device, g.n * oh * ow * g.k);
      const [y] = await once((pass) => conv.conv2d(pass, x, w, out, geometry), [[out, g.n * oh * ow * g.k]]);
      const terms = g.kh * g.kw * g.c;
      expect(worstRatio(y, naiveConv2d(xs, ws, g), 2e-7 * terms, 1e-6), `${describeConv(g)} forward`).toBeLessThanOrEqual(1);
      for (const beta of [0, 0.5]) {
        const gx = upload(device, gx0);
        const [got] = await once((pass) => conv.conv2dInputGrad(pass, gy, w, gx, geometry, beta), [[gx, gx0.length]]);
        const want = naiveConv2dInputGrad(gys, ws, g).map((v, i) => v + beta * gx0[i]);
        expect(worstRatio(got, want, 2e-7 * g.kh * g.kw * g.k, 1e-6), `${describeConv(g)} input grad, beta ${beta}`).toBeLessThanOrEqual(1);
        gx.destroy();
      }
      const gw = createArray(device, ws.length);
      const [gotW] = await once((pass) => conv.conv2dWeightGrad(pass, gy, x, gw, geometry, 0.25), [[gw, ws.length]]);
      expect(worstRatio(gotW, naiveConv2dWeightGrad(gys, xs, g, 0.25), 2e-7 * g.n * oh * ow, 1e-6), `${describeConv(g)} weight grad`).toBeLessThanOrEqual(1);
      for (const b of [x, w, gy, out, gw]) b.destroy();
    }
  });
});

describe('webgpu pooling', () => {
  it('average and max pooling and their transposes on every odd case, with ties and a NaN', async () => {
    const { device } = gpu();
    for (const g of POOL_CASES) {
      const geometry = { n: g.n, h: g.h, w: g.w, c: g.c, window: g.window, stride: g.stride };
      const { oh, ow } = poolOut(g);
      const outputs = g.n * oh * ow * g.c;
      // Values on a coarse grid, so windows hold ties; one NaN.
      const xs = Float32Array.from(uniform(g.n * g.h * g.w * g.c, 5), (v) => Math.round(v * 3) / 3);
      xs[Math.floor(xs.length / 2)] = Number.NaN;
      const gys = f32(outputs, 6);
      const [x, gy, out, arg, gx] = [
        upload(device, xs),
        upload(device, gys),
        createArray(device, outputs),
        createArray(device, outputs),
        createArray(device, xs.length),
      ];
      const [avg] = await once((pass) => conv.avgPool(pass, x, out, geometry), [[out, outputs]]);
      expect(worstRatio(avg, naiveAvgPool(xs, g), 1e-7, 1e-6), `${describePool(g)} avg`).toBeLessThanOrEqual(1);
      const [avgBack] = await once((pass) => conv.avgPoolBackward(pass, gy, gx, geometry), [[gx, xs.length]]);
      expect(worstRatio(avgBack, naiveAvgPoolBackward(gys, g), 1e-7, 1e-6), `${describePool(g)} avg backward`).toBeLessThanOrEqual(1);
      const [max, argBits] = await once(
        (pass) => conv.maxPool(pass, x, out, arg, geometry),
        [
          [out, outputs],
          [arg, outputs],
        ],
      );
      // The reference backend, not the oracle: it has Backend's NaN rule (the first NaN in a window wins).
      const want = { out: new Float64Array(outputs), argmax: new Int32Array(outputs) };
      ref.maxPool(Float64Array.from(xs), want.out, want.argmax, geometry);
      expect(Array.from(new Int32Array(argBits.buffer)), `${describePool(g)} argmax`).toEqual(Array.from(want.argmax));
      expect(Array.from(max), `${describePool(g)} max`).toEqual(Array.from(want.out, Math.fround));
      const [maxBack] = await once((pass) => conv.maxPoolBackward(pass, gy, arg, gx, geometry), [[gx, xs.length]]);
      expect(worstRatio(maxBack, naiveMaxPoolBackward(gys, want.argmax, g), 1e-7, 1e-6), `${describePool(g)} max backward`).toBeLessThanOrEqual(1);
      for (const b of [x, gy, out, arg, gx]) b.destroy();
    }
  });
});

import { describe, expect, it } from 'vitest';
import type { Backend, Conv2dGeometry } from '../../packages/predictive-coding/src/kernels/backend.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/reference.ts';
import { detectThreads } from '../../packages/predictive-coding/src/kernels/wasm/threads.ts';
import { createWasmBackend } from '../../packages/predictive-coding/src/kernels/wasm/wasm-backend.ts';
import { uniform, worstRatio } from '../helpers/arrays.ts';
import { convOut, describeConv } from './conv-oracle.ts';

function run64(g: Conv2dGeometry): Float64Array[] {
  const b = createReferenceBackend('float64');
  const { oh, ow } = convOut(g);
  const put = (n: number, seed: number): Float64Array => Float64Array.from(Float32Array.from(uniform(n, seed)));
  const x = put(g.n * g.h * g.w * g.c, 1);
  const w = put(g.kh * g.kw * g.c * g.k, 2);
  const gy = put(g.n * oh * ow * g.k, 3);
  const y = new Float64Array(gy.length);
  const gx = put(x.length, 4);
  const gw = new Float64Array(w.length);
  b.conv2d(x, w, y, g);
  b.conv2dInputGrad(gy, w, gx, g, 1);
  b.conv2dWeightGrad(gy, x, gw, g, 0.1);
  return [y, gx, gw];
}

function run(b: Backend<Float32Array>, g: Conv2dGeometry): Float32Array[] {
  const { oh, ow } = convOut(g);
  const put = (n: number, seed: number): Float32Array => {
    const a = b.alloc(n);
    a.set(uniform(n, seed));
    return a;
  };
  const x = put(g.n * g.h * g.w * g.c, 1);
  const w = put(g.kh * g.kw * g.c * g.k, 2);
  const gy = put(g.n * oh * ow * g.k, 3);
  const y = b.alloc(gy.length);
  const gx = put(x.length, 4);
  const gw = b.alloc(w.length);
  b.conv2d(x, w, y, g);
  b.conv2dInputGrad(gy, w, gx, g, 1);
  b.conv2dWeightGrad(gy, x, gw, g, 0.1);
  return [y, gx, gw].map((a) => Float32Array.from(a));
}

// The cnn preset's second layer with a smaller batch, a strided one, a 1×1 (plain GEMM) one, and two that
// take more than one tile of the wasm backend's scratch: 40 32×32×32 maps, whose padded copy is 5.9 MB,
// and 24 20×20 maps into 128 channels, whose gy spread out for the input gradient is 5.9 MB; and a
// one-channel first layer, whose input gradient takes the narrow kernel and whose 9-tap weight gradient
// is cut by taps (8 + 1) across the threads; with a larger batch (8624 rows ≥ 2·GROUP_ROWS) and 5 channels,
// that gradient is summed in row groups instead (so are the 40- and 24-map ones: at most GROUPED_MAX weights).
// On two threads every padded forward pass and input gradient here with ≥ 4 examples is padded chunk by chunk
// on the pool (OP_CONV_SPREAD), 11 examples in chunks of 2 with a last one of 1; the 40-map one an example a chunk (its padded map is 148 KB).
const SHAPES: Conv2dGeometry[] = [
  { n: 6, h: 28, w: 28, c: 1, k: 8, kh: 3, kw: 3, stride: 1, pad: 1 },
  { n: 11, h: 28, w: 28, c: 1, k: 5, kh: 3, kw: 3, stride: 1, pad: 1 },
  { n: 8, h: 14, w: 14, c: 32, k: 64, kh: 3, kw: 3, stride: 1, pad: 1 },
  { n: 6, h: 15, w: 13, c: 5, k: 17, kh: 3, kw: 2, stride: 2, pad: 1 },
  { n: 4, h: 9, w: 9, c: 40, k: 24, kh: 1, kw: 1, stride: 1, pad: 0 },
  { n: 40, h: 32, w: 32, c: 32, k: 9, kh: 3, kw: 3, stride: 1, pad: 1 },
  { n: 24, h: 20, w: 20, c: 3, k: 128, kh: 3, kw: 3, stride: 1, pad: 1 },
];

describe('convolution on wasm threads', () => {
  it('large and tiled convolutions agree with the float64 reference', async () => {
    const b = await createWasmBackend({ threads: 2 });
    try {
      for (const g of SHAPES) {
        const got = run(b, g);
        const want = run64(g);
        const { oh, ow } = convOut(g);
        const terms = [g.kh * g.kw * g.c, g.kh * g.kw * g.k, g.n * oh * ow];
        for (let i = 0; i < 3; i++) expect(worstRatio(got[i], want[i], 1e-6 * terms[i], 1e-5), `${describeConv(g)} output ${i}`).toBeLessThanOrEqual(1);
      }
    } finally {
      b.dispose();
    }
  });

  it('two threads give the same bits as one, whether every product or only large ones go to the pool', async () => {
    const one = await createWasmBackend({ threads: 1 });
    const two = await createWasmBackend({ threads: 2 });
    const forced = await createWasmBackend({ threads: 2, parallelMinMacs: 1 });
    try {
      for (const g of SHAPES) {
        const want = run(one, g);
        for (const [name, b] of [
          ['2 threads', two],
          ['2 threads, every product pooled', forced],
        ] as const) {
          const got = run(b, g);
          for (let i = 0; i < 3; i++)
            expect(
              got[i].every((v, j) => Object.is(v, want[i][j])),
              `${name} ${describeConv(g)} output ${i}`,
            ).toBe(true);
        }
      }
    } finally {
      for (const b of [one, two, forced]) b.dispose();
    }
  });

  it('a convolution large enough for the pool starts its worker thread', async () => {
    const support = await detectThreads();
    let spawned = 0;
    const spawn = support.spawn!;
    const counting = {
      ...support,
      spawn: (src: string, onFailure: (r: string) => void) => {
        spawned++;
        return spawn(src, onFailure);
      },
    };
    const b = await createWasmBackend({ threads: 2 }, counting);
    try {
      run(b, { n: 1, h: 4, w: 4, c: 2, k: 3, kh: 3, kw: 3, stride: 1, pad: 1 });
      expect(spawned, 'a small convolution stays on the calling thread').toBe(0);
      run(b, SHAPES[0]);
      expect(spawned).toBe(1);
    } finally {
      b.dispose();
    }
  });
});

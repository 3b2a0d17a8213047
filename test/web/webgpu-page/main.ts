/**
 * The page of test/web/webgpu.e2e.ts: the webgpu backend object in a real browser, through
 * navigator.gpu. window.gpuCheck() runs a product with both transposes, an activation, a
 * softmax, a convolution and a sum of squares on the GPU and on the js reference (float64), and
 * returns the adapter and the worst error ratio (≤ 1 passes: |error| ≤ atol + rtol·|want|).
 */
import { createReferenceBackend } from '../../../packages/predictive-coding/src/kernels/reference.ts';
import { createWebGpuBackend } from '../../../packages/predictive-coding/src/kernels/webgpu/webgpu-backend.ts';

export interface GpuCheck {
  readonly adapter?: string;
  readonly error?: string;
  readonly worst?: Record<string, number>;
}

function random(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  // A small LCG: the page needs reproducible inputs, not statistical quality.
  return Float64Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround((s / 2 ** 32) * 2 - 1);
  });
}

function worst(got: ArrayLike<number>, want: ArrayLike<number>, atol: number, rtol: number): number {
  let w = 0;
  for (let i = 0; i < want.length; i++) w = Math.max(w, Math.abs(got[i] - want[i]) / (atol + rtol * Math.abs(want[i])));
  return want.length === got.length ? w : Number.POSITIVE_INFINITY;
}

async function gpuCheck(): Promise<GpuCheck> {
  const gpu = await createWebGpuBackend();
  if (typeof gpu === 'string') return { error: gpu };
  const ref = createReferenceBackend('float64');
  try {
    const [m, k, n] = [37, 53, 29];
    const ah = random(k * m, 1);
    const bh = random(n * k, 2);
    const up = (h: Float64Array) => {
      const x = gpu.alloc(h.length);
      gpu.write(x, h);
      return x;
    };
    const [a, b, c, t] = [up(ah), up(bh), gpu.alloc(m * n), gpu.alloc(m * n)];
    gpu.matmul(a, b, c, m, k, n, { transA: true, transB: true });
    gpu.activate('tanh', c, t, m * n);
    gpu.softmax(t, t, m, n);
    const wantC = new Float64Array(m * n);
    ref.matmul(ah, bh, wantC, m, k, n, { transA: true, transB: true });
    const wantT = new Float64Array(m * n);
    ref.activate('tanh', wantC, wantT, m * n);
    ref.softmax(wantT, wantT, m, n);
    const g = { n: 2, h: 7, w: 5, c: 3, k: 4, kh: 3, kw: 3, stride: 2, pad: 1 };
    const xh = random(2 * 7 * 5 * 3, 3);
    const wh = random(3 * 3 * 3 * 4, 4);
    const [x, w, y, e] = [up(xh), up(wh), gpu.alloc(2 * 4 * 3 * 4), gpu.alloc(1)];
    gpu.conv2d(x, w, y, g);
    gpu.sumSquaresInto(y, y.length, 1, e, 0);
    const wantY = new Float64Array(2 * 4 * 3 * 4);
    ref.conv2d(xh, wh, wantY, g);
    const wantE = ref.sumSquares(wantY, wantY.length);
    return {
      adapter: gpu.adapter,
      worst: {
        matmul: worst(await gpu.read(c), wantC, 1e-6 * k, 1e-5),
        'tanh+softmax': worst(await gpu.read(t), wantT, 1e-6, 1e-5),
        conv2d: worst(await gpu.read(y), wantY, 1e-6 * 27, 1e-5),
        sumSquares: worst(await gpu.read(e), [wantE], 0, 1e-5),
      },
    };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  } finally {
    gpu.dispose();
  }
}

(window as unknown as { gpuCheck: typeof gpuCheck }).gpuCheck = gpuCheck;
document.title = 'ready';

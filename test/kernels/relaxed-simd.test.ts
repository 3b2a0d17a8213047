/**
 * The wasm kernels' relaxed-SIMD build (f32x4.relaxed_madd in the matrix products and convolutions):
 * the conformance tables run it (variants.ts) wherever the test workers have relaxed SIMD, which
 * vitest.config.ts makes everywhere; an engine without it refuses the option in one line; and on a
 * CPU with FMA its products are really fused (they differ from the plain build's in the last bits).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { nativeKernel } from '../../packages/predictive-coding/src/kernels/native/native-backend.ts';
import { hasRelaxedSimd } from '../../packages/predictive-coding/src/kernels/wasm/loader.ts';
import { createWasmBackend } from '../../packages/predictive-coding/src/kernels/wasm/wasm-backend.ts';

const node20 = Number(process.versions.node.split('.')[0]) < 22;
// The addon's micro-kernel says whether this CPU has FMA (AVX2 + FMA, or AVX-512).
const fma = ['avx512', 'avx2'].includes(await nativeKernel());

/** a·b in float64. */
function reference(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) c[i * n + j] += a[i * k + p] * b[p * n + j];
  return c;
}

describe('wasm relaxed SIMD', () => {
  it('is there in the test workers, so every conformance table runs the relaxed build too', () => {
    expect(hasRelaxedSimd()).toBe(true);
  });

  it.runIf(node20)('relaxedSimd: true on an engine without it (Node 20 unflagged) is one PcError naming the Node lines that have it', () => {
    const code = `import('./packages/predictive-coding/src/kernels/wasm/wasm-backend.ts').then((m) => m.createWasmBackend({ relaxedSimd: true })).catch((e) => { console.log(e.name + ': ' + e.message); });`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stdout.trim()).toBe(
      'PcError: createBackend: relaxedSimd: true, but this engine has no WebAssembly relaxed SIMD (Node >= 22 and current browsers have it).',
    );
  });

  it.runIf(fma)('fuses its multiply-adds on a CPU with FMA: the same product as the plain build to float32 rounding, not bit for bit', async () => {
    const [m, k, n] = [33, 257, 65];
    const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(1.3 * i));
    const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(0.7 * i));
    const out: Float32Array[] = [];
    for (const relaxedSimd of [false, true]) {
      const backend = await createWasmBackend({ threads: 1, relaxedSimd });
      const c = new Float32Array(m * n);
      backend.matmul(a, b, c, m, k, n);
      out.push(c);
      backend.dispose();
    }
    const exact = reference(a, b, m, k, n);
    const differ = out[0].filter((v, i) => v !== out[1][i]).length;
    expect(differ).toBeGreaterThan(m * n * 0.25);
    for (const c of out) for (let i = 0; i < m * n; i++) expect(Math.abs(c[i] - exact[i])).toBeLessThan(1e-4 * Math.sqrt(k));
  });
});

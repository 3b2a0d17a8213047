/**
 * `--backend auto` where the adapter is SwiftShader's (a CPU driver): the CLI takes the CPU backend
 * (native where built, else wasm) without measuring, and says why; asked to measure anyway,
 * chooseBackend times both on the run's first batch and picks the faster — the CPU, here.
 */
import { describe, expect, it } from 'vitest';
import { chooseBackend } from '../../packages/pcn/src/backend-choice.ts';
import { createConfig } from '../../packages/predictive-coding/src/core/index.ts';
import { loadEmbeddedDigits } from '../../packages/predictive-coding/src/data/index.ts';
import { cpuBackendName } from '../../packages/predictive-coding/src/kernels/native/native-backend.ts';
import { pcn } from '../cli/run.ts';

// The CPU's side of the choice: native where its addon is built, else wasm.
const cpu = await cpuBackendName();

describe('--backend auto on a CPU adapter', () => {
  it('the CLI takes the CPU backend and names the adapter', () => {
    const r = pcn(['train', '--backend', 'auto', '--layers', '784,8,10', '--epochs', '1', '--no-progress']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^auto: ${cpu} — WebGPU's adapter here \\(.+\\) runs on the CPU\n`));
  });

  it('measured, the faster backend per step wins, and the line gives both times', async () => {
    const { train, test } = await loadEmbeddedDigits();
    const trial = {
      config: createConfig({ sizes: [784, 16, 10] }),
      train: { init: 'forward' as const, relax: { steps: 4, lr: 0.05, momentum: 0.9, tolerance: 0 } },
      batch: 32,
      data: { train, test, source: 'embedded' },
      threads: 1,
      lrW: 5e-4,
    };
    const choice = await chooseBackend(trial, false, true);
    expect(choice.backend).toBe(cpu);
    expect(choice.reason).toMatch(new RegExp(`^auto: ${cpu} — [\\d.]+ ms per step on WebGPU \\(.+\\), [\\d.]+ on ${cpu}, measured on the first batch$`));
  }, 120_000);
});

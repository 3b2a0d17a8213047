/**
 * `--backend auto`: WebGPU only where it is present and faster for the model
 * at hand, else wasm, with one line saying which and why. How it decides:
 * no adapter → wasm; an adapter that runs on the CPU (SwiftShader, llvmpipe,
 * lavapipe, a fallback adapter) → wasm, unmeasured (it is ~200× slower here);
 * otherwise both train the run's own model, batch size and settings on its
 * first batch — one warm-up step (pipelines compile), then two timed — and
 * the faster per step wins. The streaming schedule always runs on wasm: it
 * waits for a read after every example, a GPU's slowest pattern (measure
 * with --backend webgpu where in doubt).
 */
import { initModel, initWorkspace, type PcnConfig } from '../core/index.ts';
import { type Backend, type BackendArray, createBackend } from '../kernels/index.ts';
import { isCpuAdapter } from '../kernels/webgpu/adapter.ts';
import { createWebGpuBackend } from '../kernels/webgpu/webgpu-backend.ts';
import { createRng } from '../random.ts';
import { initOptimizer, supervisedBatch, type TrainConfig, trainStepAsync } from '../train/index.ts';
import type { Split } from './datasets.ts';

export interface BackendChoice {
  readonly backend: 'wasm' | 'webgpu';
  /** One line: the choice and why. */
  readonly reason: string;
}

/** What the trial steps train: the run's model and settings on its first batch. */
export interface Trial {
  readonly config: PcnConfig;
  readonly train: TrainConfig;
  readonly batch: number;
  readonly data: Split;
  readonly threads: number | 'auto';
  readonly lrW: number;
}

/** Picks the backend for `trial` (see the file comment). `measureCpuAdapters` times a CPU adapter too (tests). */
export async function chooseBackend(trial: Trial, streaming: boolean, measureCpuAdapters = false): Promise<BackendChoice> {
  if (streaming) return { backend: 'wasm', reason: 'auto: wasm — the streaming schedule waits for a read after every example, a GPU’s slowest pattern' };
  const gpu = await createWebGpuBackend();
  if (typeof gpu === 'string') return { backend: 'wasm', reason: `auto: wasm — no WebGPU here (${gpu})` };
  const adapter = gpu.adapter;
  if (isCpuAdapter(adapter) && !measureCpuAdapters) {
    gpu.dispose();
    return { backend: 'wasm', reason: `auto: wasm — WebGPU's adapter here (${adapter}) runs on the CPU` };
  }
  const onGpu = await secondsPerStep(gpu, trial);
  const onWasm = await secondsPerStep(await createBackend('wasm', { threads: trial.threads }), trial);
  const times = `${(1000 * onGpu).toFixed(1)} ms per step on WebGPU (${adapter}), ${(1000 * onWasm).toFixed(1)} on wasm, measured on the first batch`;
  return onGpu < onWasm ? { backend: 'webgpu', reason: `auto: WebGPU — ${times}` } : { backend: 'wasm', reason: `auto: wasm — ${times}` };
}

// One warm-up training step, then the mean of two timed ones, on a fresh model; disposes of the backend.
async function secondsPerStep<T extends BackendArray>(backend: Backend<T>, trial: Trial): Promise<number> {
  try {
    const model = initModel(trial.config, backend, createRng(0));
    const rows = Math.min(trial.batch, trial.data.train.count);
    const ws = initWorkspace(model, rows, backend);
    const opt = initOptimizer(model, { name: 'adamw', lr: trial.lrW }, backend);
    const { images, labels, features, classes } = trial.data.train;
    const targets = new Float32Array(rows * classes);
    for (let r = 0; r < rows; r++) targets[r * classes + labels[r]] = 1;
    const batch = supervisedBatch(model.config, images.subarray(0, rows * features), targets, rows);
    await trainStepAsync(model, opt, batch, trial.train, ws);
    const t0 = performance.now();
    for (let i = 0; i < 2; i++) await trainStepAsync(model, opt, batch, trial.train, ws);
    // A step on a deferred backend ends at its read of the energies: the last optimiser step may still be
    // running then, a small part of two steps.
    return (performance.now() - t0) / 2000;
  } finally {
    backend.dispose();
  }
}

/**
 * `--backend auto`: WebGPU only where it is present and faster for the model
 * at hand, else the CPU (native where its addon is built, else wasm), with
 * one line saying which and why. How it decides: no adapter → the CPU; an
 * adapter that runs on the CPU (SwiftShader, llvmpipe, lavapipe, a fallback
 * adapter) → the CPU, unmeasured (it is ~200× slower here);
 * otherwise both train the run's own model, batch size and settings on its
 * first batch — one warm-up step (pipelines compile), then two timed — and
 * the faster per step wins. The streaming schedule always runs on the CPU: it
 * waits for a read after every example, a GPU's slowest pattern (measure
 * with --backend webgpu where in doubt).
 */
import { initModel, initWorkspace, type PcnConfig } from 'predictive-coding/core';
import type { Split } from 'predictive-coding/data';
import { type Backend, type BackendArray, cpuBackendName, createBackend, createWebGpuBackend, isCpuAdapter } from 'predictive-coding/kernels';
import { createRng } from 'predictive-coding/random';
import { initOptimizer, supervisedBatch, type TrainConfig, trainStepAsync } from 'predictive-coding/train';

export interface BackendChoice {
  readonly backend: 'wasm' | 'native' | 'webgpu';
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
  // The CPU's side: native where its addon is built, else wasm.
  const cpu = await cpuBackendName();
  if (streaming) return { backend: cpu, reason: `auto: ${cpu} — the streaming schedule waits for a read after every example, a GPU’s slowest pattern` };
  const gpu = await createWebGpuBackend();
  if (typeof gpu === 'string') return { backend: cpu, reason: `auto: ${cpu} — no WebGPU here (${gpu})` };
  const adapter = gpu.adapter;
  if (isCpuAdapter(adapter) && !measureCpuAdapters) {
    gpu.dispose();
    return { backend: cpu, reason: `auto: ${cpu} — WebGPU's adapter here (${adapter}) runs on the CPU` };
  }
  const onGpu = await secondsPerStep(gpu, trial);
  const onCpu = await secondsPerStep(await createBackend(cpu, { threads: trial.threads }), trial);
  const times = `${(1000 * onGpu).toFixed(1)} ms per step on WebGPU (${adapter}), ${(1000 * onCpu).toFixed(1)} on ${cpu}, measured on the first batch`;
  return onGpu < onCpu ? { backend: 'webgpu', reason: `auto: WebGPU — ${times}` } : { backend: cpu, reason: `auto: ${cpu} — ${times}` };
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

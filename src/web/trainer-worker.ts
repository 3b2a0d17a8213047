/**
 * Training off the page's thread: a Web Worker that loads the embedded
 * digits, trains a PCN with the library's fit loop on the wasm kernels
 * (threads where the page is cross-origin isolated), and reports progress,
 * each epoch, and the final checkpoint.
 */
import { createConfig, initModel, initWorkspace } from '../core/index.ts';
import { createBackend } from '../kernels/index.ts';
import { createRng } from '../random.ts';
import { encodeCheckpoint, fit, initOptimizer } from '../train/index.ts';
import { loadDigits } from './assets.ts';

export interface TrainRequest {
  readonly base: string;
  readonly epochs: number;
  readonly seed: number;
}

export type TrainMessage =
  | { readonly type: 'progress'; readonly epoch: number; readonly batch: number; readonly batches: number; readonly energy: number }
  | { readonly type: 'epoch'; readonly epoch: number; readonly energy: number; readonly accuracy: number; readonly seconds: number }
  | { readonly type: 'done'; readonly checkpoint: Uint8Array; readonly threads: number }
  | { readonly type: 'error'; readonly message: string };

const post = (m: TrainMessage, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

self.onmessage = async (e: MessageEvent<TrainRequest>) => {
  try {
    const { train, test } = await loadDigits(e.data.base);
    const backend = await createBackend('wasm', { threads: 'auto' });
    const model = initModel(createConfig({ sizes: [784, 128, 128, 128, 10], activation: 'leaky-relu' }), backend, createRng(e.data.seed));
    const ws = initWorkspace(model, 128, backend);
    const opt = initOptimizer(model, { name: 'adamw', lr: 5e-4, weightDecay: 0.01 }, backend);
    await fit(model, opt, ws, train, test, {
      epochs: e.data.epochs,
      batchSize: 128,
      seed: e.data.seed,
      lrSchedule: 'warmup-cosine',
      yieldEvery: 50,
      train: { init: 'forward', relax: { steps: 8, lr: 0.05, momentum: 0.9, tolerance: 0 } },
      onBatch: (b) => {
        if (b.batch % 4 === 0 || b.batch === b.batches) post({ type: 'progress', ...b });
      },
      onEpoch: (s) => post({ type: 'epoch', epoch: s.epoch, energy: s.trainEnergy, accuracy: s.testAccuracy, seconds: s.seconds }),
    });
    const checkpoint = encodeCheckpoint(model);
    post({ type: 'done', checkpoint, threads: backend.threads }, [checkpoint.buffer as ArrayBuffer]);
    backend.dispose();
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};

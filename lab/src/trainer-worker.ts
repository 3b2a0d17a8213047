/**
 * Training off the page's thread: a Web Worker that loads the embedded
 * digits, trains a PCN with the library's fit loop on the wasm kernels
 * (threads where the page is cross-origin isolated) or on WebGPU (the
 * browser's GPU; energies read once per batch), and reports progress, each
 * epoch, and the final checkpoint (read back from the GPU there).
 */
import { type Dataset, subset } from 'predictive-coding/data';
import { type Backend, type BackendArray, createBackend } from 'predictive-coding/kernels';
import { encodeCheckpoint, hostCopy, PCX_MLP } from 'predictive-coding/train';
import { loadDigits } from './assets.ts';
import { trainLabNet } from './lab-models.ts';

export interface TrainRequest {
  readonly base: string;
  readonly epochs: number;
  readonly seed: number;
  /** Where to train. */
  readonly backend: 'wasm' | 'webgpu';
  /** Train on every 8th digit (1,000 of the 8,000: a quick demo) instead of all of them. */
  readonly quick: boolean;
}

export type TrainMessage =
  | { readonly type: 'progress'; readonly epoch: number; readonly batch: number; readonly batches: number; readonly energy: number }
  | { readonly type: 'epoch'; readonly epoch: number; readonly energy: number; readonly accuracy: number; readonly seconds: number }
  | { readonly type: 'done'; readonly checkpoint: Uint8Array; readonly backend: string }
  | { readonly type: 'error'; readonly message: string };

const post = (m: TrainMessage, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

self.onmessage = async (e: MessageEvent<TrainRequest>) => {
  try {
    const { train, test } = await loadDigits(e.data.base);
    // The embedded digits are sorted by class: every 8th keeps all ten.
    const data = e.data.quick
      ? subset(
          train,
          Array.from({ length: Math.floor(train.count / 8) }, (_, i) => i * 8),
        )
      : train;
    if (e.data.backend === 'webgpu') await trainOn(await createBackend('webgpu'), 'WebGPU', data, test, e.data);
    else {
      const backend = await createBackend('wasm', { threads: 'auto' });
      await trainOn(backend, `wasm × ${backend.threads} thread${backend.threads > 1 ? 's' : ''}`, data, test, e.data);
    }
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};

async function trainOn<T extends BackendArray>(backend: Backend<T>, label: string, train: Dataset, test: Dataset, request: TrainRequest): Promise<void> {
  try {
    const { model } = await trainLabNet(PCX_MLP, backend, train, test, request.epochs, request.seed, {
      yieldEvery: 50,
      onBatch: (b) => {
        if (b.batch % 4 === 0 || b.batch === b.batches) post({ type: 'progress', ...b });
      },
      onEpoch: (s) => post({ type: 'epoch', epoch: s.epoch, energy: s.trainEnergy, accuracy: s.testAccuracy, seconds: s.seconds }),
    });
    const checkpoint = encodeCheckpoint((await hostCopy(backend, model)).model);
    post({ type: 'done', checkpoint, backend: label }, [checkpoint.buffer as ArrayBuffer]);
  } finally {
    backend.dispose();
  }
}

/**
 * How closely PC's weight updates follow backprop's gradients: per layer, the
 * cosine between the two gradients of the same batch and weights, averaged
 * over probes. Computed on the backend (a product, a sum and two sums of
 * squares per layer into slots of one array), so that a GPU records each probe
 * without a read and hands all of them back once (`read`); cosine() in
 * metrics.ts is the same figure on host arrays.
 */
import type { Model, Workspace } from '../core/index.ts';
import { check } from '../errors.ts';
import type { Backend, BackendArray } from '../kernels/index.ts';

/** Running per-layer cosines between two workspaces' weight gradients (PC against backprop), kept on the backend and read once per epoch. */
export interface GradientAgreement<T extends BackendArray> {
  /** Records the cosines between a.gradW[l] and b.gradW[l] for every layer l (PcError('config') past `capacity` probes). */
  record(a: Workspace<T>, b: Workspace<T>): void;
  /** The mean cosine per layer (index l − 1 for W_l) over the probes recorded since the last read (0 for a layer with a zero gradient), then starts over. */
  read(): Promise<number[]>;
  /** Probes recorded since the last read. */
  readonly probes: number;
  /** Frees the cosine buffers on the backend; the object is unusable after. */
  dispose(): void;
}

/** An agreement recorder for `model` on `backend`, holding up to `capacity` probes between reads. */
export function createGradientAgreement<T extends BackendArray>(model: Model<T>, backend: Backend<T>, capacity: number): GradientAgreement<T> {
  const L = model.layers.length;
  const largest = Math.max(...model.layers.map((layer) => layer.weights.data.length));
  // Slots per probe and layer: a·b, ‖a‖², ‖b‖².
  const sums = backend.alloc(Math.max(1, capacity) * L * 3);
  const product = backend.alloc(largest);
  let probes = 0;
  return {
    get probes() {
      return probes;
    },
    record(a, b) {
      check(probes < capacity, 'config', () => `GradientAgreement: ${capacity} probes recorded without a read; read them first.`);
      for (let l = 1; l <= L; l++) {
        const n = model.layers[l - 1].weights.data.length;
        const slot = (probes * L + l - 1) * 3;
        backend.mul(a.gradW[l], b.gradW[l], product, n);
        backend.sumInto(product, n, sums, slot);
        backend.sumSquaresInto(a.gradW[l], n, 1, sums, slot + 1);
        backend.sumSquaresInto(b.gradW[l], n, 1, sums, slot + 2);
      }
      probes++;
    },
    async read() {
      const got = probes ? await backend.read(sums, probes * L * 3) : new Float64Array(0);
      const mean = new Array<number>(L).fill(0);
      for (let p = 0; p < probes; p++) {
        for (let l = 0; l < L; l++) {
          const [dot, aa, bb] = got.subarray((p * L + l) * 3, (p * L + l + 1) * 3);
          // The products a·b are rounded to float32 before they are summed and the norms are not, so
          // two nearly parallel gradients can come out a few 1e-8 past ±1: clamped to what a cosine is.
          const cos = aa > 0 && bb > 0 ? dot / Math.sqrt(aa * bb) : 0;
          mean[l] += Math.min(1, Math.max(-1, cos)) / probes;
        }
      }
      probes = 0;
      return mean;
    },
    dispose() {
      backend.free(sums);
      backend.free(product);
    },
  };
}

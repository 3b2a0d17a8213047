/**
 * Labelled examples as the training loop consumes them: the type, the one
 * check fit, evaluate and stream run on it at their boundary, and the
 * seeded batching that then trusts it.
 */
import type { Model } from '../core/index.ts';
import { check, PcError, shown } from '../errors.ts';
import type { BackendArray } from '../kernels/index.ts';
import type { Rng } from '../random.ts';

/** Labelled examples, row-major (data/ loaders return objects of this shape). */
export interface LabeledData {
  /** Where the examples came from (a file or dataset), for messages. */
  readonly name?: string;
  readonly count: number;
  /** Values per example (784 for MNIST). */
  readonly features: number;
  readonly classes: number;
  /** count × features finite values, typically in [0, 1]. A Float32Array: fit, evaluate and stream refuse a plain array (convert it once with Float32Array.from). */
  readonly images: Float32Array;
  /** count class indices in 0..classes−1. A Uint8Array (convert a plain array once with Uint8Array.from). */
  readonly labels: Uint8Array;
}

/** A seeded permutation of 0..count−1 (Fisher–Yates). */
export function shuffledOrder(count: number, rng: Rng): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  for (let i = count - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** Copies examples order[start…] into images and one-hot targets; returns the rows filled (≤ size). Trusts `data` (fit, evaluate and stream check it once). */
export function gatherBatch(data: LabeledData, order: Uint32Array, start: number, size: number, images: Float32Array, targets: Float32Array): number {
  const rows = Math.min(size, data.count - start);
  const f = data.features;
  targets.fill(0, 0, rows * data.classes);
  for (let r = 0; r < rows; r++) {
    const i = order[start + r];
    images.set(data.images.subarray(i * f, (i + 1) * f), r * f);
    targets[r * data.classes + data.labels[i]] = 1;
  }
  return rows;
}

/**
 * Throws a PcError unless `data` is labelled data that fits the model's image
 * and label layers: PcError('data') for anything but the documented types
 * (images a Float32Array, labels a Uint8Array — plain arrays are refused, not
 * copied: fit would copy a dataset on every epoch's evaluation), whole
 * counts, a label outside 0..classes−1 or a non-finite image value;
 * PcError('shape') for sizes that disagree with the model or each other.
 * Messages name `role` and data.name, and the example at fault.
 */
export function checkData<T extends BackendArray>(model: Model<T>, data: LabeledData, role: string): void {
  check(
    typeof data === 'object' && data !== null,
    'data',
    () => `${role}: expected labelled data (name?, count, features, classes, images: Float32Array, labels: Uint8Array), got ${shown(data)}.`,
  );
  const name = data.name ? `${role}: ${data.name}` : role;
  for (const key of ['count', 'features', 'classes'] as const) {
    const n = data[key];
    check(Number.isSafeInteger(n) && n >= 0, 'data', () => `${name}: ${key} must be a whole number${key === 'count' ? ' of examples' : ''}, got ${shown(n)}.`);
  }
  const sizes = model.config.sizes;
  const L = sizes.length - 1;
  const [inSize, outSize] = model.config.orientation === 'discriminative' ? [sizes[0], sizes[L]] : [sizes[L], sizes[0]];
  check(
    data.features === inSize,
    'shape',
    () => `${name}: examples have ${data.features} values but the model's image layer has ${inSize}. Check sizes against the data.`,
  );
  check(
    data.classes === outSize,
    'shape',
    () => `${name}: the data has ${data.classes} classes but the model's label layer has ${outSize}. Check sizes against the data.`,
  );
  check(data.count >= 1, 'data', () => `${name}: the data holds no examples; an accuracy or a trained model needs at least one.`);
  const { images, labels, count, features, classes } = data;
  check(
    isTyped(images, 'Float32Array'),
    'data',
    () =>
      `${name}: images must be a Float32Array of count × features = ${count * features} values, got ${shown(images)}. Convert it once: Float32Array.from(images).`,
  );
  check(
    isTyped(labels, 'Uint8Array'),
    'data',
    () => `${name}: labels must be a Uint8Array of count = ${count} class indices, got ${shown(labels)}. Convert it once: Uint8Array.from(labels).`,
  );
  check(
    images.length === count * features && labels.length === count,
    'shape',
    () => `${name}: ${count} examples need ${count * features} image values and ${count} labels, got ${images.length} and ${labels.length}.`,
  );
  for (let i = 0; i < count; i++) {
    const y = labels[i];
    // gatherBatch writes the one-hot 1 at row·classes + y: a larger y lands in another example's target.
    if (y >= classes)
      throw new PcError(
        'data',
        `${name}: example ${i} has label ${y}, outside 0..${classes - 1} (the data has ${classes} classes). Check classes against the labels.`,
      );
  }
  for (let k = 0; k < images.length; k++) {
    const v = images[k];
    if (v - v !== 0)
      throw new PcError(
        'data',
        `${name}: example ${Math.floor(k / features)} has ${v} at feature ${k % features}; images must hold finite numbers. Check the loader or drop the example.`,
      );
  }
}

/** A typed array of this kind, also when made in another realm (a worker, an iframe), where instanceof fails. */
function isTyped(a: unknown, kind: 'Float32Array' | 'Uint8Array'): boolean {
  return ArrayBuffer.isView(a) && (a as Float32Array)[Symbol.toStringTag] === kind;
}

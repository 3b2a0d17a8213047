/**
 * What the checkpoint functions accept from code (not files): encode refuses
 * what decode would refuse, decode takes the bytes as a Uint8Array or an
 * ArrayBuffer, and a Checkpoint edited after decoding is a data error, not a TypeError.
 */
import { describe, expect, it } from 'vitest';
import { createConfig, initModel } from '../../packages/predictive-coding/src/core/index.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import {
  type Checkpoint,
  decodeCheckpoint,
  encodeCheckpoint,
  initOptimizer,
  modelFromCheckpoint,
  restoreOptimizer,
} from '../../packages/predictive-coding/src/train/index.ts';
import { catchPcError } from '../helpers/errors.ts';

const js = createReferenceBackend('float32');
const model = initModel(createConfig({ sizes: [5, 3, 2], feedback: 'random' }), js, createRng(2));
const opt = initOptimizer(model, { name: 'adam' }, js);

describe('encodeCheckpoint metadata', () => {
  it('a value that is not a string is refused at encode time (decode would refuse the file)', () => {
    const e = catchPcError(() => encodeCheckpoint(model, { metadata: { n: 3 } as unknown as Record<string, string> }), 'config');
    expect(e.message).toBe(
      'encodeCheckpoint: options.metadata.n must be a string (safetensors metadata holds strings only), got 3. Store String(value) or JSON.stringify(value).',
    );
  });

  it.each(['format', 'version', 'config', 'crc32', 'optimizer', 'optimizer_step'])('the reserved key %s is refused instead of being overwritten', (key) => {
    expect(catchPcError(() => encodeCheckpoint(model, { metadata: { [key]: 'mine' } }), 'config').message).toBe(
      `encodeCheckpoint: options.metadata.${key} is reserved for the checkpoint's own fields (format, version, config, crc32, optimizer, optimizer_step); store it under another key.`,
    );
  });

  it('metadata that is not an object of strings is refused', () => {
    for (const metadata of [['a'], 'a', null])
      expect(catchPcError(() => encodeCheckpoint(model, { metadata } as unknown as { metadata: Record<string, string> }), 'config').message).toMatch(
        /^encodeCheckpoint: options\.metadata must be an object of strings/,
      );
  });

  it('every key the pcn command stores round-trips', () => {
    const keys = ['command', 'data', 'prequential_acc', 'created', 'interrupted', 'run', 'epoch', 'rng', 'data_fingerprint', 'experiment', 'test_acc'];
    const metadata = Object.fromEntries(keys.map((k) => [k, `${k}-value`]));
    expect(decodeCheckpoint(encodeCheckpoint(model, { optimizer: opt, metadata }), 'x').metadata).toMatchObject(metadata);
  });

  it("an optimiser state of another model is refused (its moments would not fit the model's checkpoint)", () => {
    const other = initOptimizer(initModel(createConfig({ sizes: [5, 4, 2] }), js, createRng(1)), { name: 'adam' }, js);
    expect(catchPcError(() => encodeCheckpoint(model, { optimizer: other }), 'shape').message).toMatch(/^encodeCheckpoint: the optimiser state/);
  });
});

describe('decodeCheckpoint input', () => {
  const bytes = encodeCheckpoint(model, { optimizer: opt });

  it('takes an ArrayBuffer as well as a Uint8Array', () => {
    const copy = bytes.slice().buffer;
    expect(decodeCheckpoint(copy, 'x')).toEqual(decodeCheckpoint(bytes, 'x'));
  });

  it('refuses anything else with a data error naming the file', () => {
    for (const bad of ['model.safetensors', undefined, [1, 2, 3]])
      expect(catchPcError(() => decodeCheckpoint(bad as unknown as Uint8Array, 'm.safetensors'), 'data').message).toMatch(
        /^m\.safetensors: decodeCheckpoint needs the file's bytes \(a Uint8Array or an ArrayBuffer\), got /,
      );
  });
});

describe('a Checkpoint edited after decoding', () => {
  const fresh = (): Checkpoint => decodeCheckpoint(encodeCheckpoint(model, { optimizer: opt }), 'x');
  const edit = (f: (t: Map<string, Float32Array>) => void): Checkpoint => {
    const c = fresh();
    const tensors = new Map(c.tensors);
    f(tensors);
    return { ...c, tensors };
  };

  it('modelFromCheckpoint refuses a missing or resized tensor, and a missing feedback matrix (it used to load without it)', () => {
    const message = (c: Checkpoint) => catchPcError(() => modelFromCheckpoint(c, js), 'data').message;
    expect(message(edit((t) => t.delete('layers.2.bias')))).toBe(
      "modelFromCheckpoint: the checkpoint's tensor layers.2.bias is missing; its 5-3-2 config needs 2 values. Pass the Checkpoint from decodeCheckpoint unchanged.",
    );
    expect(message(edit((t) => t.set('layers.1.weights', new Float32Array(3))))).toMatch(
      /tensor layers\.1\.weights is a Float32Array of 3; its 5-3-2 config needs 15 values/,
    );
    expect(message(edit((t) => t.delete('layers.1.feedback')))).toMatch(/tensor layers\.1\.feedback is missing/);
  });

  it('restoreOptimizer refuses a missing moment and leaves the state as it was', () => {
    const state = initOptimizer(model, { name: 'adam' }, js);
    const e = catchPcError(
      () =>
        restoreOptimizer(
          edit((t) => t.delete('optimizer.3.v')),
          model,
          state,
        ),
      'data',
    );
    expect(e.message).toBe(
      "restoreOptimizer: the checkpoint's tensor optimizer.3.v is missing; this adam state needs 2 values. Pass the Checkpoint from decodeCheckpoint unchanged.",
    );
    expect(state.step).toBe(0);
  });

  it('something that is not a Checkpoint is a data error, not a TypeError', () => {
    expect(catchPcError(() => modelFromCheckpoint(undefined as unknown as Checkpoint, js), 'data').message).toBe(
      'modelFromCheckpoint: expected a Checkpoint from decodeCheckpoint (config and a Map of tensors), got undefined.',
    );
  });
});

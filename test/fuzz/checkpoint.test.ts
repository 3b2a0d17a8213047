/**
 * Property tests: decodeCheckpoint on mutated, truncated and spliced
 * checkpoints, and on headers whose fields are replaced by arbitrary JSON,
 * returns a valid checkpoint or throws PcError('data') naming the file —
 * never a TypeError, RangeError or SyntaxError. Seeded; run counts bounded.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createConfig, initModel } from '../../packages/predictive-coding/src/core/index.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import { decodeCheckpoint, encodeCheckpoint, initOptimizer, modelFromCheckpoint, restoreOptimizer } from '../../packages/predictive-coding/src/train/index.ts';
import { forge, split } from '../train/safetensors-files.ts';
import { mutateAll, mutations } from './mutations.ts';
import { onlyDataErrors } from './outcome.ts';

const js = createReferenceBackend('float32');
const model = initModel(createConfig({ sizes: [6, 4, 3], feedback: 'learned' }), js, createRng(3));
const opt = initOptimizer(model, { name: 'adamw', lr: 0.01 }, js);
const good = encodeCheckpoint(model, { optimizer: opt, metadata: { note: 'x' } });
const donor = encodeCheckpoint(initModel(createConfig({ sizes: [5, 2] }), js, createRng(4)));
const NAME = 'fuzz.safetensors';

/** A decoded checkpoint must be usable as is: its model and optimiser state load without error. */
function useIt(bytes: Uint8Array): void {
  const ckpt = decodeCheckpoint(bytes, NAME);
  const m = modelFromCheckpoint(ckpt, js);
  if (ckpt.optimizer) restoreOptimizer(ckpt, m, initOptimizer(m, ckpt.optimizer.config, js));
}

describe('decodeCheckpoint under fuzzing', () => {
  it('mutated, truncated and spliced files load or throw a data error', () => {
    fc.assert(
      fc.property(mutations, (ms) => onlyDataErrors(() => useIt(mutateAll(good, ms, donor)), NAME)),
      { seed: 10, numRuns: 400 },
    );
  });

  it('any JSON in place of a header field, a metadata value or the whole header loads or throws a data error', () => {
    const { header, data } = split(good);
    const keys = Object.keys(header);
    const metaKeys = Object.keys(header.__metadata__ as object);
    const json = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(fc.nat(), fc.nat(), json, fc.constantFrom('entry', 'field', 'meta', 'meta-json', 'whole'), (k, f, value, where) => {
        const h = structuredClone(header) as Record<string, Record<string, unknown>>;
        const key = keys[k % keys.length];
        if (where === 'entry') h[key] = value as Record<string, unknown>;
        else if (where === 'field' && key !== '__metadata__') h[key][['dtype', 'shape', 'data_offsets', 'extra'][f % 4]] = value;
        else if (where === 'meta') h.__metadata__[metaKeys[f % metaKeys.length]] = value;
        else if (where === 'meta-json') h.__metadata__[['config', 'optimizer', 'optimizer_step'][f % 3]] = JSON.stringify(value);
        const text = where === 'whole' ? JSON.stringify(value) : JSON.stringify(h);
        onlyDataErrors(() => useIt(forge(text, data)), NAME);
      }),
      { seed: 11, numRuns: 400 },
    );
  });

  it('the unmutated file still loads (the properties are not vacuous)', () => {
    expect(() => useIt(good)).not.toThrow();
  });
});

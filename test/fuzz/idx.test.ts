/**
 * Property tests: decodeIdx on mutated, truncated and spliced IDX files, raw
 * and gzip, returns arrays that agree with their header or throws
 * PcError('data') naming the file; a gzip stream that inflates past what its
 * header declares is refused without holding the excess. Seeded; bounded.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { datasetFromIdx, decodeIdx, IDX_MAX_DATA_BYTES } from '../../packages/predictive-coding/src/data/index.ts';
import { idx, tinyMnist } from '../data/fixtures.ts';
import { mutateAll, mutations } from './mutations.ts';
import { expectDataError, onlyDataErrorsAsync } from './outcome.ts';

const NAME = 'fuzz-idx';
const { images, labels } = tinyMnist(9, 5, 4);
const raw = idx([9, 5, 4], images);
const gz = idx([9, 5, 4], images, true);
const donor = idx([9], labels);

/** Decodes, checks the result against its own header, and builds a dataset when it is an image file. */
async function useIt(bytes: Uint8Array): Promise<void> {
  const a = await decodeIdx(bytes, NAME);
  expect(a.data.length).toBe(a.dims.reduce((s, d) => s * d, 1));
  expect(a.data.length).toBeLessThanOrEqual(IDX_MAX_DATA_BYTES);
  if (a.dims.length === 3 && a.dims[0] > 0) datasetFromIdx(NAME, a, { dims: [a.dims[0]], data: new Uint8Array(a.dims[0]) });
}

describe('decodeIdx under fuzzing', () => {
  it('mutated raw files decode consistently or throw a data error', async () => {
    await fc.assert(
      fc.asyncProperty(mutations, (ms) => onlyDataErrorsAsync(() => useIt(mutateAll(raw, ms, donor)), NAME)),
      { seed: 20, numRuns: 300 },
    );
  });

  it('mutated gzip files decode consistently or throw a data error', async () => {
    await fc.assert(
      fc.asyncProperty(mutations, (ms) => onlyDataErrorsAsync(() => useIt(mutateAll(gz, ms, donor)), NAME)),
      { seed: 21, numRuns: 300 },
    );
  });

  it('gzip files whose inflated data is mutated (valid stream, forged content) decode consistently or throw a data error', async () => {
    await fc.assert(
      fc.asyncProperty(mutations, (ms) => onlyDataErrorsAsync(() => useIt(new Uint8Array(gzipSync(mutateAll(raw, ms, donor)))), NAME)),
      { seed: 22, numRuns: 200 },
    );
  });

  it('a gzip stream longer than its header declares is refused before the excess is held', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 * 2 ** 20 }), async (n, side, extra) => {
        const body = new Uint8Array(4 + 12 + n * side * side + extra);
        body.set(idx([n, side, side], new Uint8Array(n * side * side)));
        const bytes = new Uint8Array(gzipSync(body, { level: 1 }));
        const before = process.memoryUsage().arrayBuffers;
        try {
          await decodeIdx(bytes, NAME);
          expect.unreachable('a stream longer than its header must be refused');
        } catch (e) {
          expectDataError(e, NAME);
          expect((e as Error).message).toContain('inflates to more than');
        }
        expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(2 * 2 ** 20 + extra / 4);
      }),
      { seed: 23, numRuns: 12 },
    );
  });
});

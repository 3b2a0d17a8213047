/**
 * Property tests: decodePng on mutated, truncated and spliced PNGs (chunk
 * CRCs fixed up afterwards too, so the fuzz reaches the decoder behind them)
 * returns an image of the expected size with values in [0, 1] or throws
 * PcError('data') naming the file; image data that inflates past what IHDR
 * needs is refused. Seeded; bounded.
 */
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePng } from '../../packages/pcn/src/png.ts';
import { crc32 } from '../../packages/predictive-coding/src/train/index.ts';
import { png } from '../cli/png-fixtures.ts';
import { mutateAll, mutations } from './mutations.ts';
import { expectDataError, onlyDataErrors } from './outcome.ts';

const NAME = 'fuzz.png';
const ramp = (n: number, m: number) => Array.from({ length: n }, (_, i) => (i * 7) % m);
const files = [
  png({ width: 7, height: 5, colorType: 0, depth: 8, samples: ramp(35, 256), filters: [0, 1, 2, 3, 4] }),
  png({ width: 7, height: 5, colorType: 0, depth: 1, samples: ramp(35, 2), interlace: true }),
  png({
    width: 6,
    height: 3,
    colorType: 3,
    depth: 2,
    samples: ramp(18, 3),
    palette: [
      [0, 0, 0],
      [9, 9, 9],
      [255, 0, 0],
    ],
    trns: Uint8Array.of(0),
  }),
  png({ width: 4, height: 4, colorType: 6, depth: 16, samples: ramp(64, 65536), filters: [4, 3] }),
];

/** Recomputes every chunk CRC it can find, so a mutation is judged by the decoder rather than by the CRC alone. */
function fixCrcs(b: Uint8Array): Uint8Array {
  const out = b.slice();
  const view = new DataView(out.buffer);
  for (let pos = 8; pos + 12 <= out.length; ) {
    const length = view.getUint32(pos);
    if (pos + 12 + length > out.length) break;
    view.setUint32(pos + 8 + length, crc32(out.subarray(pos + 4, pos + 8 + length)));
    pos += 12 + length;
  }
  return out;
}

function useIt(bytes: Uint8Array, pixels?: number): void {
  const img = decodePng(bytes, NAME, pixels);
  expect(img.data.length).toBe(img.width * img.height);
  if (pixels !== undefined) expect(img.data.length).toBe(pixels);
  for (const v of img.data) if (!(v >= 0 && v <= 1)) expect.unreachable(`pixel value ${v} outside [0, 1]`);
}

describe('decodePng under fuzzing', () => {
  it('mutated, truncated and spliced files decode to valid images or throw a data error', () => {
    fc.assert(
      fc.property(fc.nat(files.length - 1), fc.nat(files.length - 1), mutations, fc.boolean(), (a, b, ms, fix) => {
        const bytes = mutateAll(files[a], ms, files[b]);
        onlyDataErrors(() => useIt(fix ? fixCrcs(bytes) : bytes), NAME);
      }),
      { seed: 30, numRuns: 600 },
    );
  });

  it('image data of any inflated length is accepted only at exactly the length IHDR needs', () => {
    // 7×5 8-bit grey: 5 scanlines of 1 + 7 bytes = 40 bytes.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 * 2 ** 20 }), (length) => {
        const bytes = png({ width: 7, height: 5, colorType: 0, depth: 8 }, new Uint8Array(deflateSync(new Uint8Array(length), { level: 1 })));
        try {
          useIt(bytes, 35);
          expect(length).toBe(40);
        } catch (e) {
          expectDataError(e, NAME);
          expect(length).not.toBe(40);
        }
      }),
      { seed: 31, numRuns: 40, examples: [[40], [39], [41], [0]] },
    );
  });
});

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  datasetFromIdx,
  decodeIdx,
  EMBEDDED_HELD_OUT,
  EMBEDDED_SOURCE,
  embeddedDigitsFromBytes,
  IDX_MAX_DATA_BYTES,
} from '../../packages/predictive-coding/src/data/index.ts';
import { rejectsPcError } from '../helpers/errors.ts';
import { idx, tinyMnist } from './fixtures.ts';

const dataError = async (p: Promise<unknown>): Promise<string> => (await rejectsPcError(p, 'data')).message;

describe('IDX loader', () => {
  const { images, labels } = tinyMnist(7, 3, 2);

  it('decodes raw and gzip files to the same dimensions and bytes', async () => {
    for (const gz of [false, true]) {
      const a = await decodeIdx(idx([7, 3, 2], images, gz), 'f');
      expect(a.dims).toEqual([7, 3, 2]);
      expect(Array.from(a.data)).toEqual(Array.from(images));
    }
  });

  it('builds a dataset with pixels scaled to [0, 1] and the labels', async () => {
    const d = datasetFromIdx('tiny', await decodeIdx(idx([7, 3, 2], images), 'i'), await decodeIdx(idx([7], labels), 'l'));
    expect([d.count, d.features, d.rows, d.cols, d.classes]).toEqual([7, 6, 3, 2, 10]);
    expect(d.images[5]).toBeCloseTo(images[5] / 255, 7);
    expect(Array.from(d.labels)).toEqual(Array.from(labels));
  });

  it('says exactly what is wrong with a bad file', async () => {
    const good = idx([7, 3, 2], images);
    expect(await dataError(decodeIdx(good.subarray(0, 3), 'a.idx'))).toBe(
      'a.idx: 3 bytes is too short for an IDX header (at least 4). The file is truncated or not IDX.',
    );
    const magic = good.slice();
    magic[0] = 0x50;
    expect(await dataError(decodeIdx(magic, 'a.idx'))).toBe('a.idx: bad IDX magic 50 00 08 03; an IDX file starts with 00 00. Is this the right file?');
    const type = good.slice();
    type[2] = 0x0d;
    expect(await dataError(decodeIdx(type, 'a.idx'))).toContain('IDX element type 0x0d is not supported');
    expect(await dataError(decodeIdx(good.subarray(0, 10), 'a.idx'))).toBe('a.idx: the file ends inside its header (10 of 16 bytes). It is truncated.');
    expect(await dataError(decodeIdx(good.subarray(0, good.length - 5), 'a.idx'))).toBe(
      'a.idx: dimensions [7, 3, 2] need 42 data bytes but only 37 follow the header. The file is truncated; download it again.',
    );
    expect(await dataError(decodeIdx(new Uint8Array([...good, 1, 2]), 'a.idx'))).toContain('need 42 data bytes but 44 follow the header');
  });

  it('reports a truncated or corrupt gzip stream as a data error', async () => {
    const gz = idx([7, 3, 2], images, true);
    expect(await dataError(decodeIdx(gz.subarray(0, gz.length - 12), 'a.gz'))).toMatch(/^a\.gz: the gzip stream is corrupt or truncated/);
  });

  it('refuses image and label files that do not belong together', async () => {
    const im = await decodeIdx(idx([7, 3, 2], images), 'i');
    expect(() => datasetFromIdx('d', im, { dims: [6], data: new Uint8Array(6) })).toThrow('d: 7 images but 6 labels; the files do not belong together.');
    expect(() => datasetFromIdx('d', { dims: [7], data: labels }, im)).toThrow('Are the image and label files swapped?');
    expect(() => datasetFromIdx('d', im, { dims: [7], data: Uint8Array.from([1, 2, 3, 4, 5, 6, 11]) })).toThrow('d: label 6 is 11, outside 0..9.');
  });
});

/** An IDX header for `dims` (unsigned bytes) alone. */
function idxHeader(dims: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length);
  out.set([0, 0, 8, dims.length]);
  for (const [i, d] of dims.entries()) new DataView(out.buffer).setUint32(4 + 4 * i, d);
  return out;
}

/** An IDX header for `dims` followed by `data` zero bytes, gzip-compressed. */
function bomb(dims: number[], data: number): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data);
  out.set(idxHeader(dims));
  return new Uint8Array(gzipSync(out, { level: 1 }));
}
const { images } = tinyMnist(7, 3, 2);

describe('IDX loader limits', () => {
  it('stops inflating a gzip bomb at the size its header declares, without holding the rest', async () => {
    const gz = bomb([7, 3, 2], 64 * 2 ** 20); // 64 MiB of zeros in 280 kB
    const before = process.memoryUsage().arrayBuffers;
    const message = await dataError(decodeIdx(gz, 'bomb.gz'));
    expect(message).toBe(
      'bomb.gz: the gzip stream inflates to more than the 58 bytes its IDX header declares (16-byte header, dimensions [7, 3, 2]). The file is corrupt or forged; download it again.',
    );
    // The old loader held all 64 MiB at once; the stream stops after its first chunks.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 2 ** 20);
  });

  it('refuses dimensions over the cap from the header, before inflating or allocating', async () => {
    const claims = [60_000_000, 28, 28];
    const expected = `big: dimensions [60000000, 28, 28] hold 47,040,000,000 bytes; this loader reads IDX files of at most ${IDX_MAX_DATA_BYTES.toLocaleString('en-US')} data bytes (their images take 4 bytes per pixel in memory). Use a smaller dataset or split it.`;
    expect(await dataError(decodeIdx(bomb(claims, 1000), 'big'))).toBe(expected);
    expect(await dataError(decodeIdx(idxHeader(claims), 'big'))).toBe(expected);
  });

  it('refuses a gzip stream that inflates to fewer bytes than its header declares', async () => {
    const header = idx([7, 3, 2], images).subarray(0, 30);
    expect(await dataError(decodeIdx(new Uint8Array(gzipSync(header)), 'short.gz'))).toBe(
      'short.gz: dimensions [7, 3, 2] need 42 data bytes but only 14 follow the header. The file is truncated; download it again.',
    );
  });

  it('refuses a gzip stream with a bad checksum or trailing bytes', async () => {
    const gz = idx([7, 3, 2], images, true);
    const crc = gz.slice();
    crc[crc.length - 6] ^= 1;
    expect(await dataError(decodeIdx(crc, 'crc.gz'))).toMatch(/^crc\.gz: the gzip stream is corrupt or truncated \(.*\)\. Download the file again\.$/);
    expect(await dataError(decodeIdx(new Uint8Array([...gz, 1, 2, 3]), 'junk.gz'))).toMatch(/^junk\.gz: the gzip stream is corrupt or truncated/);
  });

  it('refuses an empty set and images of zero size', () => {
    expect(() => datasetFromIdx('d', { dims: [0, 3, 2], data: new Uint8Array(0) }, { dims: [0], data: new Uint8Array(0) })).toThrow(
      'd: the files hold no examples (dimensions [0, 3, 2]). Is the download complete?',
    );
    expect(() => datasetFromIdx('d', { dims: [2, 0, 2], data: new Uint8Array(0) }, { dims: [2], data: new Uint8Array(2) })).toThrow(
      'd: images of 0×2 pixels (dimensions [2, 0, 2]); expected at least 1×1.',
    );
  });
});

describe('embedded digits split', () => {
  const grouped = (perClass: number[]) => {
    const labels = Uint8Array.from(perClass.flatMap((n, d) => new Array<number>(n).fill(d)));
    const images = Uint8Array.from({ length: labels.length * 784 }, (_, i) => Math.floor(i / 784) % 256);
    return { images: idx([labels.length, 28, 28], images, true), labels: idx([labels.length], labels) };
  };

  it('holds out the last 20 % of each class, deterministically', async () => {
    const perClass = Array.from({ length: 10 }, (_, d) => 5 + d);
    const { images, labels } = grouped(perClass);
    const { train, test, source } = await embeddedDigitsFromBytes(images, labels);
    expect(train.count + test.count).toBe(95);
    expect(test.count).toBe(perClass.reduce((s, n) => s + (n - Math.round(n * (1 - EMBEDDED_HELD_OUT))), 0));
    expect(Array.from(test.labels.slice(0, 2))).toEqual([0, 1]);
    // Class 0 has 5 examples: 4 train (0–3), example 4 held out, whose pixels are all 4/255.
    expect(test.images[0]).toBe(Math.fround(4 / 255));
    expect(train.images[784 * 4]).toBe(Math.fround(5 / 255));
    expect(source).toBe(EMBEDDED_SOURCE);
  });

  it('refuses files whose digits are not grouped by class, or not 28×28', async () => {
    const { images } = grouped([2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    const shuffled = idx(
      [20],
      Uint8Array.from({ length: 20 }, (_, i) => i % 10),
    );
    await expect(embeddedDigitsFromBytes(images, shuffled)).rejects.toThrow(
      'mnist-embedded: example 10 has label 0 after the 9s; the digits must be grouped by class.',
    );
    const missing = idx(
      [20],
      Uint8Array.from({ length: 20 }, (_, i) => (i < 4 ? 0 : 2)),
    );
    await expect(embeddedDigitsFromBytes(images, missing)).rejects.toThrow('mnist-embedded: no digit 1 where the 0s end; the digits must be grouped by class.');
    const small = idx([1, 4, 4], new Uint8Array(16));
    await expect(embeddedDigitsFromBytes(small, idx([1], new Uint8Array(1)))).rejects.toThrow('mnist-embedded: images of 4×4; expected 28×28.');
  });
});

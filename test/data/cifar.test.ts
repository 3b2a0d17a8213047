/**
 * CIFAR-10's binary batches: each record is 1 label byte and three 32×32
 * planes (R, G, B); the dataset holds each image [32, 32, 3] (NHWC). Expected
 * positions are worked out by hand from that layout.
 */
import { describe, expect, it } from 'vitest';
import { CIFAR_RECORD_BYTES, cifarRecordCount, datasetFromCifar } from '../../packages/predictive-coding/src/data/index.ts';
import { catchPcError } from '../helpers/errors.ts';
import { cifarBatch } from './cifar-fixtures.ts';

/** One all-zero record with label `y`. */
const blank = (y: number) => {
  const r = new Uint8Array(CIFAR_RECORD_BYTES);
  r[0] = y;
  return r;
};

describe('datasetFromCifar', () => {
  it('interleaves the R, G and B planes into [row, col, channel] order, pixel by pixel', () => {
    const r = blank(3);
    // Pixel (0, 1): red byte 1 + 1, green 1 + 1024 + 1, blue 1 + 2048 + 1.
    r[2] = 10;
    r[1026] = 20;
    r[2050] = 30;
    // Pixel (31, 31), blue only: byte 1 + 2048 + 31·32 + 31 = 3072, the record's last.
    r[3072] = 255;
    // Pixel (2, 5), green: byte 1 + 1024 + 2·32 + 5 = 1094.
    r[1094] = 51;
    const d = datasetFromCifar('one', [{ name: 'one.bin', bytes: r }]);
    expect([d.count, d.rows, d.cols, d.channels, d.features, d.classes]).toEqual([1, 32, 32, 3, 3072, 10]);
    expect(Array.from(d.labels)).toEqual([3]);
    const nonzero = Array.from(d.images.entries()).filter(([, v]) => v !== 0);
    // Value index (r·32 + c)·3 + k.
    expect(nonzero).toEqual([
      [3, Math.fround(10 / 255)],
      [4, Math.fround(20 / 255)],
      [5, Math.fround(30 / 255)],
      [(2 * 32 + 5) * 3 + 1, Math.fround(51 / 255)],
      [(31 * 32 + 31) * 3 + 2, 1],
    ]);
  });

  it('concatenates records of several files in order, image i at i·3072', () => {
    const a = blank(1);
    a[1 + 1024] = 255; // record 0: green of pixel (0, 0)
    const b = new Uint8Array(2 * CIFAR_RECORD_BYTES);
    b.set(blank(9), 0);
    b.set(blank(0), CIFAR_RECORD_BYTES);
    b[CIFAR_RECORD_BYTES + 1 + 5] = 255; // file b's record 1 (dataset record 2): red of pixel (0, 5)
    const d = datasetFromCifar('two', [
      { name: 'a.bin', bytes: a },
      { name: 'b.bin', bytes: b.buffer },
    ]);
    expect(d.count).toBe(3);
    expect(Array.from(d.labels)).toEqual([1, 9, 0]);
    expect(Array.from(d.images.entries()).filter(([, v]) => v !== 0)).toEqual([
      [1, 1],
      [2 * 3072 + 5 * 3, 1],
    ]);
  });

  it('scales every byte v to the float32 of v/255, matching the generated planes at every position', () => {
    const bytes = cifarBatch(4, 20);
    const d = datasetFromCifar('gen', [{ name: 'gen.bin', bytes }]);
    expect(Array.from(d.labels)).toEqual([0, 1, 2, 3]);
    for (let i = 0; i < 4; i++)
      for (let p = 0; p < 1024; p++)
        for (let k = 0; k < 3; k++) {
          const v = (7 * (i + 20) + 85 * k + p) % 256;
          if (d.images[i * 3072 + p * 3 + k] !== Math.fround(v / 255)) throw new Error(`record ${i}, pixel ${p}, channel ${k}`);
        }
  });

  it('refuses a size that is not a whole, positive number of 3073-byte records, naming the file', () => {
    for (const size of [0, 3072, 3074, 2 * 3073 + 1]) {
      const message = catchPcError(() => datasetFromCifar('x', [{ name: 'data_batch_2.bin', bytes: new Uint8Array(size) }]), 'data').message;
      expect(message.split('\n')).toHaveLength(1);
      expect(message).toMatch(
        size === 0 ? /^data_batch_2\.bin: the file is empty; / : /^data_batch_2\.bin: [\d,]+ bytes is not a whole number of 3073-byte CIFAR-10 records/,
      );
    }
    expect(catchPcError(() => cifarRecordCount(3074, 'f.bin'), 'data').message).toBe(
      'f.bin: 3,074 bytes is not a whole number of 3073-byte CIFAR-10 records (1 × 3073 + 1; an official batch is 30,730,000 bytes). The file is truncated or not a CIFAR-10 binary batch.',
    );
    expect(cifarRecordCount(30_730_000, 'official')).toBe(10_000);
  });

  it('refuses a label of 10 or more, naming the file, the record and its byte offset', () => {
    const bytes = cifarBatch(3);
    bytes[2 * CIFAR_RECORD_BYTES] = 10;
    expect(catchPcError(() => datasetFromCifar('x', [{ name: 'test_batch.bin', bytes }]), 'data').message).toBe(
      "test_batch.bin: record 2 (byte 6,146) has label 10; CIFAR-10 labels are 0..9. The file is corrupt or not a CIFAR-10 batch (CIFAR-100's files have two label bytes).",
    );
  });

  it('refuses anything but bytes, and no files, as data errors', () => {
    expect(catchPcError(() => datasetFromCifar('x', [{ name: 'b.bin', bytes: [1, 2] as unknown as Uint8Array }]), 'data').message).toMatch(
      /^b\.bin: datasetFromCifar needs the file's bytes \(a Uint8Array or an ArrayBuffer\), got /,
    );
    expect(catchPcError(() => datasetFromCifar('x', []), 'data').message).toBe('x: no CIFAR-10 batch files were given; pass at least one.');
  });
});

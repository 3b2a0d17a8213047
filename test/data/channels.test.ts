/**
 * Dataset.channels: MNIST-style datasets are one channel, their images the
 * plain row-major pixels scaled by 1/255 exactly as before channels existed;
 * every dataset built from another keeps its shape.
 */
import { describe, expect, it } from 'vitest';
import {
  datasetFromBytes,
  datasetFromCifar,
  datasetFromIdx,
  decodeIdx,
  imageShape,
  loadEmbeddedDigits,
  permutePixels,
  subset,
  withLabels,
} from '../../packages/predictive-coding/src/data/index.ts';
import { catchPcError } from '../helpers/errors.ts';
import { cifarBatch } from './cifar-fixtures.ts';
import { idx, tinyMnist } from './fixtures.ts';

describe('MNIST-style datasets have one channel and unchanged images', () => {
  it('an IDX pair: channels 1, features rows·cols, image value i the float32 of byte i / 255', async () => {
    const { images, labels } = tinyMnist(5, 4, 3);
    const d = datasetFromIdx('tiny', await decodeIdx(idx([5, 4, 3], images), 'i'), await decodeIdx(idx([5], labels), 'l'));
    expect([d.rows, d.cols, d.channels, d.features, imageShape(d)]).toEqual([4, 3, 1, 12, '4×3']);
    expect(Array.from(d.images)).toEqual(Array.from(images, (v) => Math.fround(v / 255)));
  });

  it('the embedded digits: channels 1, 784 values, each the float32 of a byte / 255', async () => {
    const { train, test } = await loadEmbeddedDigits();
    for (const d of [train, test]) {
      expect([d.rows, d.cols, d.channels, d.features]).toEqual([28, 28, 1, 784]);
      expect(d.images.every((v) => v === Math.fround(Math.round(v * 255) / 255))).toBe(true);
    }
    // Grouped by class: the first training image is a 0, the last held-out one a 9.
    expect([train.labels[0], test.labels[test.count - 1]]).toEqual([0, 9]);
  });
});

describe('channels carry through', () => {
  it('subset, withLabels and permutePixels keep rows, cols and channels', () => {
    const d = datasetFromCifar('c', [{ name: 'c.bin', bytes: cifarBatch(4) }]);
    for (const e of [
      subset(d, [3, 1]),
      withLabels(d, [2]),
      permutePixels(
        d,
        Array.from({ length: 3072 }, (_, i) => 3071 - i),
      ),
    ])
      expect([e.rows, e.cols, e.channels, e.features, imageShape(e)]).toEqual([32, 32, 3, 3072, '32×32×3']);
    expect(Array.from(subset(d, [3, 1]).labels)).toEqual([3, 1]);
  });

  it('subset refuses an index that is not an example, instead of copying zeros', () => {
    const d = datasetFromCifar('c', [{ name: 'c.bin', bytes: cifarBatch(4) }]);
    expect(() => subset(d, [0, 4])).toThrow('subset: index 4 (at 1) is not an example of c, which has 4 (0…3).');
    expect(() => subset(d, [-1])).toThrow('subset: index -1 (at 0)');
    expect(() => subset(d, [1.5])).toThrow('subset: index 1.5 (at 0)');
  });

  it('datasetFromBytes takes channels (pixels already [count, rows, cols, channels]) and says the shape it needs', () => {
    const d = datasetFromBytes(
      'rgb',
      Uint8Array.from({ length: 24 }, (_, i) => i),
      Uint8Array.from([0, 1]),
      2,
      2,
      10,
      3,
    );
    expect([d.features, d.channels, d.images[23]]).toEqual([12, 3, Math.fround(23 / 255)]);
    expect(catchPcError(() => datasetFromBytes('rgb', new Uint8Array(23), Uint8Array.from([0, 1]), 2, 2, 10, 3), 'data').message).toBe(
      'rgb: 2 labels need 24 pixels (2×2×3 each), got 23.',
    );
  });
});

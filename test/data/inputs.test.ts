/**
 * What the loaders accept from code: file bytes as a Uint8Array or an
 * ArrayBuffer (as decodeCheckpoint), and anything else — or labels that are
 * not bytes — as PcError('data') naming the file, not a TypeError.
 */
import { describe, expect, it } from 'vitest';
import { datasetFromBytes, decodeIdx, parseIdx } from '../../packages/predictive-coding/src/data/index.ts';
import { catchPcError, rejectsPcError } from '../helpers/errors.ts';
import { idx, tinyMnist } from './fixtures.ts';

const { images, labels } = tinyMnist(7, 3, 2);

describe('loader inputs', () => {
  it('decodeIdx and parseIdx take an ArrayBuffer as well as a Uint8Array, raw or gzip', async () => {
    for (const gz of [false, true]) {
      const bytes = idx([7, 3, 2], images, gz);
      const a = await decodeIdx(bytes.slice().buffer, 'f');
      expect(a.dims).toEqual([7, 3, 2]);
      expect(Array.from(a.data)).toEqual(Array.from(images));
    }
    expect(parseIdx(idx([7], labels).slice().buffer, 'l').dims).toEqual([7]);
  });

  it('anything but bytes is a data error naming the file', async () => {
    for (const bad of ['train-images-idx3-ubyte', undefined, [0, 0, 8, 1]]) {
      const message = (await rejectsPcError(decodeIdx(bad as unknown as Uint8Array, 'train.idx'), 'data')).message;
      expect(message).toMatch(/^train\.idx: decodeIdx needs the file's bytes \(a Uint8Array or an ArrayBuffer\), got /);
      expect(catchPcError(() => parseIdx(bad as unknown as Uint8Array, 'train.idx'), 'data').message).toMatch(/^train\.idx: parseIdx needs the file's bytes/);
    }
  });

  it('datasetFromBytes refuses pixels or labels that are not a Uint8Array (the Dataset type says so, and fit would refuse them later)', () => {
    expect(catchPcError(() => datasetFromBytes('tiny', images, Array.from(labels) as unknown as Uint8Array, 3, 2), 'data').message).toBe(
      'tiny: labels must be a Uint8Array of class indices, got [0, 1, 2, 3, 4, 5, 6]. Convert it once: Uint8Array.from(labels).',
    );
    expect(catchPcError(() => datasetFromBytes('tiny', Array.from(images) as unknown as Uint8Array, labels, 3, 2), 'data').message).toMatch(
      /^tiny: pixels must be a Uint8Array of 8-bit pixels, got \[/,
    );
  });
});

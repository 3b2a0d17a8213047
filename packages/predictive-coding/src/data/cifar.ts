/**
 * CIFAR-10's binary layout (Krizhevsky 2009, the files of cifar-10-binary.tar.gz):
 * each batch file is a sequence of 3073-byte records, one label byte (0–9)
 * then 3072 pixel bytes — the red plane (1024 bytes, 32×32 row-major), then
 * the green plane, then the blue one (CHW). The official batches hold 10,000
 * records each; this reader accepts any whole, positive number of records, so
 * that small files (tests, subsets) read the same way.
 *
 * Images are stored NHWC, [32, 32, 3] per example — the planes are
 * interleaved on load — because that is the layout of Dataset.images and of
 * the conv kernels: channel k of pixel (r, c) of record i is file byte
 * i·3073 + 1 + k·1024 + r·32 + c and value ((i·32 + r)·32 + c)·3 + k.
 */
import { check, fileBytes, PcError } from '../errors.ts';
import type { Dataset } from './dataset.ts';

/** Image side, channels and classes of CIFAR-10. */
export const CIFAR_SIDE = 32;
/** Channels of a CIFAR-10 image (RGB). */
export const CIFAR_CHANNELS = 3;
/** Classes of CIFAR-10. */
export const CIFAR_CLASSES = 10;
/** Bytes per record: 1 label byte + 3 planes of 32×32. */
export const CIFAR_RECORD_BYTES = 1 + CIFAR_SIDE * CIFAR_SIDE * CIFAR_CHANNELS;

/** The training batches, in the order their records are concatenated, and the test batch. */
export const CIFAR_TRAIN_FILES: readonly string[] = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];
/** The test batch's file name (10,000 records). */
export const CIFAR_TEST_FILE = 'test_batch.bin';
/** The folder the official tarball holds them in. */
export const CIFAR_FOLDER = 'cifar-10-batches-bin';

/**
 * Most records one dataset holds: 2^28 values (268,435,456) in all, 1 GiB once
 * scaled to float32, as data/idx.ts caps an IDX file. CIFAR-10's training set
 * (50,000 records, 153.6 M values) is well under it.
 */
export const CIFAR_MAX_RECORDS = Math.floor(2 ** 28 / (CIFAR_RECORD_BYTES - 1));

/** One batch file's bytes (a Uint8Array or an ArrayBuffer) and the name its errors quote (its path). */
export interface CifarFile {
  readonly name: string;
  readonly bytes: Uint8Array | ArrayBuffer;
}

/**
 * The number of records in a batch file of `size` bytes; throws
 * PcError('data') naming the file unless the size is a whole, positive
 * number of 3073-byte records. Readers call it from the size alone, before
 * reading the file.
 */
export function cifarRecordCount(size: number, name: string): number {
  check(size > 0 && size % CIFAR_RECORD_BYTES === 0, 'data', () =>
    size === 0
      ? `${name}: the file is empty; a CIFAR-10 batch holds records of ${CIFAR_RECORD_BYTES} bytes (10,000 in an official file). Download it again.`
      : `${name}: ${size.toLocaleString('en-US')} bytes is not a whole number of ${CIFAR_RECORD_BYTES}-byte CIFAR-10 records (${Math.floor(size / CIFAR_RECORD_BYTES).toLocaleString('en-US')} × ${CIFAR_RECORD_BYTES} + ${size % CIFAR_RECORD_BYTES}; an official batch is 30,730,000 bytes). The file is truncated or not a CIFAR-10 binary batch.`,
  );
  return size / CIFAR_RECORD_BYTES;
}

/**
 * One dataset from CIFAR-10 batch files, their records concatenated in the
 * order given; pixels scaled to [0, 1] and stored NHWC (see the file's
 * docstring). Throws PcError('data') naming the file for a size that is not
 * a whole number of records, a label outside 0..9, or more than
 * CIFAR_MAX_RECORDS records in all.
 */
export function datasetFromCifar(name: string, files: readonly CifarFile[]): Dataset {
  check(files.length > 0, 'data', () => `${name}: no CIFAR-10 batch files were given; pass at least one.`);
  const batches = files.map((f) => ({ name: f.name, bytes: fileBytes(f.bytes, f.name, 'datasetFromCifar') }));
  const counts = batches.map((b) => cifarRecordCount(b.bytes.length, b.name));
  const count = counts.reduce((a, b) => a + b, 0);
  if (count > CIFAR_MAX_RECORDS)
    throw new PcError(
      'data',
      `${name}: ${batches.map((b) => b.name).join(', ')} hold ${count.toLocaleString('en-US')} records; this reader holds at most ${CIFAR_MAX_RECORDS.toLocaleString('en-US')} (4 bytes per value in memory). Use fewer or smaller batches.`,
    );
  const plane = CIFAR_SIDE * CIFAR_SIDE;
  const features = plane * CIFAR_CHANNELS;
  const images = new Float32Array(count * features);
  const labels = new Uint8Array(count);
  const scaled = Float32Array.from({ length: 256 }, (_, v) => v / 255); // the same float32 values as dividing each byte
  let i = 0;
  for (const [b, batch] of batches.entries()) {
    const bytes = batch.bytes;
    for (let j = 0; j < counts[b]; j++, i++) {
      const at = j * CIFAR_RECORD_BYTES;
      const y = bytes[at];
      if (y >= CIFAR_CLASSES)
        throw new PcError(
          'data',
          `${batch.name}: record ${j} (byte ${at.toLocaleString('en-US')}) has label ${y}; CIFAR-10 labels are 0..${CIFAR_CLASSES - 1}. The file is corrupt or not a CIFAR-10 batch (CIFAR-100's files have two label bytes).`,
        );
      labels[i] = y;
      const px = at + 1;
      const out = i * features;
      // Interleave the three planes: value p·3 + k of the image is byte k·1024 + p of the record.
      for (let p = 0; p < plane; p++) {
        const o = out + p * CIFAR_CHANNELS;
        images[o] = scaled[bytes[px + p]];
        images[o + 1] = scaled[bytes[px + plane + p]];
        images[o + 2] = scaled[bytes[px + 2 * plane + p]];
      }
    }
  }
  return { name, count, features, classes: CIFAR_CLASSES, rows: CIFAR_SIDE, cols: CIFAR_SIDE, channels: CIFAR_CHANNELS, images, labels };
}

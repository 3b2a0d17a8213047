import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeGreyPng, readGreyPng } from '../../packages/pcn/src/images.ts';
import { decodePng, PNG_MAX_PIXELS } from '../../packages/pcn/src/png.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import { catchPcError } from '../helpers/errors.ts';
import { CHANNELS, chunk, concat, ihdr, type PngSpec, png, rawImageData, SIGNATURE } from './png-fixtures.ts';

const refusal = (bytes: Uint8Array, pixels?: number): string => catchPcError(() => decodePng(bytes, 'x.png', pixels), 'data').message;

/** Seeded samples in 0..2^depth−1 (palette indices below `limit`). */
function samples(spec: Omit<PngSpec, 'samples'>, seed: number, limit = 2 ** spec.depth): number[] {
  const rng = createRng(seed);
  return Array.from({ length: spec.width * spec.height * CHANNELS[spec.colorType] }, () => rng.int(limit));
}

describe('reading a PNG', () => {
  it('reads what encodeGreyPng writes', () => {
    const data = Float32Array.from({ length: 12 }, (_, i) => i / 255);
    const img = decodePng(encodeGreyPng({ width: 4, height: 3, data }), 'x.png');
    expect([img.width, img.height, img.transparent]).toEqual([4, 3, null]);
    expect(Array.from(img.data)).toEqual(Array.from(data));
  });

  it('reads greyscale at every bit depth as sample / (2^depth − 1)', () => {
    for (const depth of [1, 2, 4, 8, 16] as const) {
      // Width 5: rows of 1-, 2- and 4-bit samples end inside a byte.
      const spec = { width: 5, height: 3, colorType: 0, depth } as const;
      const s = samples(spec, depth);
      const img = decodePng(png({ ...spec, samples: s }), 'x.png');
      expect(Array.from(img.data), `depth ${depth}`).toEqual(s.map((v) => Math.fround(v / (2 ** depth - 1))));
    }
  });

  it('reads truecolour and grey-alpha as the mean of the colour samples, and alpha below half as transparent', () => {
    for (const [colorType, depth] of [
      [2, 8],
      [2, 16],
      [4, 8],
      [4, 16],
      [6, 8],
      [6, 16],
    ] as const) {
      const spec = { width: 3, height: 2, colorType, depth } as const;
      const s = samples(spec, colorType * 100 + depth);
      const img = decodePng(png({ ...spec, samples: s }), 'x.png');
      const n = CHANNELS[colorType];
      const colours = colorType === 4 ? 1 : 3;
      const max = 2 ** depth - 1;
      const grey = Array.from({ length: 6 }, (_, i) => Math.fround(s.slice(i * n, i * n + colours).reduce((a, b) => a + b, 0) / colours / max));
      expect(Array.from(img.data), `colour type ${colorType}, depth ${depth}`).toEqual(grey);
      if (colorType === 2) expect(img.transparent).toBeNull();
      else expect(Array.from(img.transparent!)).toEqual(Array.from({ length: 6 }, (_, i) => (s[i * n + n - 1] < max / 2 ? 1 : 0)));
    }
  });

  it('reads palette images through their palette and tRNS alphas, at every bit depth', () => {
    const palette = [
      [0, 0, 0],
      [255, 255, 255],
      [30, 60, 90],
      [200, 100, 0],
    ] as const;
    for (const depth of [1, 2, 4, 8] as const) {
      const spec = { width: 5, height: 2, colorType: 3, depth, palette: palette.slice(0, Math.min(4, 2 ** depth)) } as const;
      const s = samples(spec, depth, spec.palette.length);
      const trns = Uint8Array.of(0, 255);
      const img = decodePng(png({ ...spec, samples: s, trns }), 'x.png');
      expect(Array.from(img.data), `depth ${depth}`).toEqual(s.map((k) => Math.fround((palette[k][0] + palette[k][1] + palette[k][2]) / 3 / 255)));
      expect(Array.from(img.transparent!)).toEqual(s.map((k) => (k === 0 ? 1 : 0)));
    }
  });

  it('marks greyscale and truecolour pixels equal to the tRNS key as transparent', () => {
    const grey = decodePng(png({ width: 3, height: 1, colorType: 0, depth: 8, samples: [7, 9, 7], trns: Uint8Array.of(0, 7) }), 'x.png');
    expect(Array.from(grey.transparent!)).toEqual([1, 0, 1]);
    const rgb = decodePng(png({ width: 2, height: 1, colorType: 2, depth: 8, samples: [1, 2, 3, 1, 2, 4], trns: Uint8Array.of(0, 1, 0, 2, 0, 3) }), 'x.png');
    expect(Array.from(rgb.transparent!)).toEqual([1, 0]);
  });

  it('undoes every filter type and Adam7 interlacing', () => {
    for (const interlace of [false, true]) {
      for (const [colorType, depth] of [
        [0, 1],
        [0, 4],
        [0, 8],
        [2, 8],
        [6, 16],
      ] as const) {
        // 11×9: every Adam7 pass is non-empty and ends inside a byte at low depths.
        const spec = { width: 11, height: 9, colorType, depth, interlace, filters: [0, 1, 2, 3, 4] } as const;
        const s = samples(spec, 7);
        const plain = decodePng(png({ ...spec, samples: s, interlace: false, filters: [0] }), 'a.png');
        const filtered = decodePng(png({ ...spec, samples: s }), 'b.png');
        expect(Array.from(filtered.data), `interlace ${interlace}, colour ${colorType}, depth ${depth}`).toEqual(Array.from(plain.data));
      }
    }
  });
});

describe('hostile PNGs are refused with a data error naming the file', () => {
  const spec = { width: 28, height: 28, colorType: 0, depth: 8 } as const;
  const good = png({ ...spec, samples: samples(spec, 1) });

  it('checks the size against the model before inflating anything', () => {
    // 20000×20000 8-bit grey of zeros: 400 MB inflated, a few hundred kB compressed; only the header is read.
    const huge = concat(
      SIGNATURE,
      ihdr(20000, 20000, 8, 0),
      chunk('IDAT', new Uint8Array(deflateSync(new Uint8Array(1 << 20)))),
      chunk('IEND', new Uint8Array(0)),
    );
    expect(refusal(huge, 784)).toBe("x.png: the image is 20000×20000 = 400000000 pixels; the model expects 784 (28×28). Pass an image of the model's size.");
    expect(refusal(good, 100)).toBe("x.png: the image is 28×28 = 784 pixels; the model expects 100 (10×10). Pass an image of the model's size.");
  });

  it("runs the caller's size test from the header, before inflating the data", () => {
    const bomb = png({ width: 30, height: 30, colorType: 0, depth: 8 }, new Uint8Array(deflateSync(new Uint8Array(16 * 2 ** 20), { level: 1 })));
    const seen: number[][] = [];
    const test = (w: number, h: number) => {
      seen.push([w, h]);
      return w === 28 ? null : `x.png is ${w}×${h} pixels; expected a 28×28 digit.`;
    };
    expect(catchPcError(() => decodePng(bomb, 'x.png', test), 'data').message).toBe('x.png is 30×30 pixels; expected a 28×28 digit.');
    expect(seen).toEqual([[30, 30]]);
    expect(decodePng(good, 'x.png', test).width).toBe(28);
  });

  it('stops inflating image data that exceeds what the header needs', () => {
    const bomb = png(spec, new Uint8Array(deflateSync(new Uint8Array(64 * 2 ** 20), { level: 1 })));
    const before = process.memoryUsage().arrayBuffers;
    expect(refusal(bomb, 784)).toBe(
      'x.png: the image data inflates to more than the 812 bytes a 28×28 greyscale 8-bit image needs. The file is corrupt or forged.',
    );
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 2 ** 20);
    const short = png(spec, new Uint8Array(deflateSync(new Uint8Array(800))));
    expect(refusal(short)).toBe('x.png: the image data inflates to 800 bytes but a 28×28 greyscale 8-bit image needs 812. The file is truncated or corrupt.');
  });

  it('verifies every chunk CRC and the zlib Adler-32', () => {
    const crc = good.slice();
    crc[crc.length - 20] ^= 1; // inside the IDAT data
    expect(refusal(crc)).toMatch(/^x\.png: chunk IDAT at byte \d+ fails its CRC \(stored [0-9a-f]{8}, computed [0-9a-f]{8}\)\. The file is corrupt\.$/);
    const raw = rawImageData({ ...spec, samples: samples(spec, 1) });
    const z = new Uint8Array(deflateSync(raw));
    z[z.length - 1] ^= 1; // the Adler-32, with a valid chunk CRC around it
    expect(refusal(png(spec, z))).toMatch(/^x\.png: the image data is not a valid zlib stream \(incorrect data check\)\. The file is corrupt\.$/);
    expect(refusal(png(spec, concat(new Uint8Array(deflateSync(raw)), Uint8Array.of(1, 2))))).toBe(
      'x.png: 2 bytes follow the end of the zlib stream in the image data. The file is corrupt or forged.',
    );
  });

  it('refuses a bad signature, a truncated file, chunks out of order and data after IEND', () => {
    expect(refusal(good.subarray(0, 5))).toBe('x.png: not a PNG file (its first 8 bytes are not the PNG signature). Is this the right file?');
    expect(refusal(good.subarray(0, good.length - 2))).toMatch(/^x\.png: chunk IEND at byte \d+ runs past the end of the file\. The file is truncated\.$/);
    expect(refusal(good.subarray(0, 45))).toMatch(/^x\.png: chunk IDAT at byte 33 runs past the end of the file/);
    expect(refusal(good.subarray(0, 40))).toBe('x.png: the file ends inside the chunk header at byte 33. It is truncated.');
    expect(refusal(concat(SIGNATURE, chunk('IEND', new Uint8Array(0))))).toBe('x.png: the first chunk is IEND; a PNG starts with IHDR. The file is corrupt.');
    expect(refusal(concat(good, Uint8Array.of(0)))).toBe('x.png: 1 byte follows the IEND chunk. The file is corrupt or has data appended.');
    expect(refusal(good.subarray(0, good.length - 12))).toBe('x.png: the file ends without an IEND chunk. It is truncated.');
    const unknown = concat(good.subarray(0, 33), chunk('ABCD', new Uint8Array(1)), good.subarray(33));
    expect(refusal(unknown)).toBe('x.png: chunk "ABCD" at byte 33 is critical but unknown to this reader. The file uses a PNG extension it cannot read.');
    const ancillary = concat(good.subarray(0, 33), chunk('zTXt', new Uint8Array(deflateSync(new Uint8Array(1 << 20)))), good.subarray(33));
    expect(decodePng(ancillary, 'x.png').width).toBe(28);
  });

  it('refuses invalid header fields, palette faults and unknown filter types', () => {
    const file = (h: Uint8Array, ...rest: Uint8Array[]) => concat(SIGNATURE, h, ...rest, chunk('IEND', new Uint8Array(0)));
    expect(refusal(file(ihdr(28, 28, 3, 0)))).toBe(
      'x.png: bit depth 3 is not valid for colour type 0 (greyscale); PNG allows 1, 2, 4, 8, 16. The file is corrupt.',
    );
    expect(refusal(file(ihdr(28, 28, 8, 5)))).toBe('x.png: colour type 5 does not exist; PNG has 0, 2, 3, 4 and 6. The file is corrupt.');
    expect(refusal(file(ihdr(0, 28, 8, 0)))).toBe('x.png: the image is 0×28; PNG images are at least 1×1. The file is corrupt.');
    const p = { width: 4, height: 1, colorType: 3, depth: 8 } as const;
    expect(refusal(png({ ...p, samples: [0, 0, 0, 0] }))).toBe(
      'x.png: a palette image (colour type 3) without a PLTE chunk before its data. The file is corrupt.',
    );
    expect(refusal(png({ ...p, samples: [0, 1, 2, 3], palette: [[1, 2, 3]] }))).toBe(
      'x.png: pixel 1 uses palette entry 1 but the palette has 1 entries. The file is corrupt.',
    );
    expect(refusal(png({ ...spec, samples: samples(spec, 1), filters: [0, 7] }))).toBe(
      'x.png: scanline 1 has filter type 7; PNG has 0 to 4. The file is corrupt.',
    );
  });
});

describe('reading a PNG file', () => {
  it('names the path and refuses a file over the cap or of the wrong size', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pc-png-'));
    const path = join(dir, 'digit.png');
    writeFileSync(path, encodeGreyPng({ width: 28, height: 28, data: new Float32Array(784) }));
    expect(readGreyPng(path, 784).width).toBe(28);
    expect(catchPcError(() => readGreyPng(path, 64), 'data').message).toBe(
      `${path}: the image is 28×28 = 784 pixels; the model expects 64 (8×8). Pass an image of the model's size.`,
    );
    expect(catchPcError(() => readGreyPng(dir, 784), 'data').message).toBe(`--complete: ${dir} is a folder; expected a PNG file. Name a regular file.`);
  });
});

describe('the README on PNG sizes', () => {
  it('states the limit the code enforces (PNG_MAX_PIXELS)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    const stated = /--complete IMAGE[^.]*?up to 2\^(\d+) pixels/.exec(readme);
    expect(stated, 'README: --complete … up to 2^N pixels').not.toBeNull();
    expect(2 ** Number(stated![1])).toBe(PNG_MAX_PIXELS);
  });
});

/**
 * Greyscale images as PNG files: grids of generated digits (written with
 * fast-png), and reading a digit to complete (png.ts). Pixel values are
 * floats, 0 = black, 1 = white.
 */
import { encode } from 'fast-png';
import { readFileChecked } from 'predictive-coding/node';
import { writeFileAtomic } from './io.ts';
import { decodePng, type ExpectedSize, type PngImage } from './png.ts';

/** Largest PNG read by `pcn generate --complete`: 64 MiB (the largest image layer, 2^20 pixels of 16-bit RGBA stored raw, is 8 MiB). */
export const PNG_MAX_BYTES = 64 * 2 ** 20;

export interface GreyImage {
  readonly width: number;
  readonly height: number;
  /** width·height values in [0, 1] (clipped on write). */
  readonly data: ArrayLike<number>;
}

/** Tiles images (each w×h) into rows×cols cells with a `gap`-pixel border, scaled up by `scale`. */
export function tile(images: readonly ArrayLike<number>[], w: number, h: number, cols: number, scale = 2, gap = 1): GreyImage {
  const rows = Math.ceil(images.length / cols);
  const cw = w + gap;
  const ch = h + gap;
  const width = (cols * cw + gap) * scale;
  const height = (rows * ch + gap) * scale;
  const data = new Float32Array(width * height).fill(0.5);
  images.forEach((img, k) => {
    const [r0, c0] = [Math.floor(k / cols) * ch + gap, (k % cols) * cw + gap];
    for (let y = 0; y < h * scale; y++) {
      for (let x = 0; x < w * scale; x++) data[(r0 * scale + y) * width + c0 * scale + x] = img[Math.floor(y / scale) * w + Math.floor(x / scale)];
    }
  });
  return { width, height, data };
}

/** PNG bytes of a greyscale image (8-bit). */
export function encodeGreyPng(image: GreyImage): Uint8Array {
  const bytes = new Uint8Array(image.width * image.height);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.round(255 * Math.min(1, Math.max(0, image.data[i])));
  return encode({ width: image.width, height: image.height, data: bytes, channels: 1, depth: 8 });
}

export function writeGreyPng(path: string, image: GreyImage): void {
  writeFileAtomic(path, encodeGreyPng(image));
}

/**
 * A PNG file read as greyscale in [0, 1] (see decodePng), with the pixels
 * whose alpha is below half marked in `transparent`; its size is checked
 * against `expected` before the image data is inflated. Throws
 * PcError('data') naming the path.
 */
export function readGreyPng(path: string, expected?: ExpectedSize, flag = '--complete'): PngImage {
  return decodePng(readFileChecked(path, { flag, maxBytes: PNG_MAX_BYTES, kind: 'a PNG' }), path, expected);
}

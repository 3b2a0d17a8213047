/**
 * Greyscale images as PNG files (fast-png): grids of generated digits, and
 * reading a digit to complete. Pixel values are floats, 0 = black, 1 = white.
 */
import { readFileSync } from 'node:fs';
import { decode, encode } from 'fast-png';
import { PcError } from '../errors.ts';
import { writeFileAtomic } from './io.ts';

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

/** A PNG read as greyscale in [0, 1], with the pixels whose alpha is below half marked in `transparent`. */
export function readGreyPng(path: string): GreyImage & { readonly transparent: Uint8Array | null } {
  let png: ReturnType<typeof decode>;
  try {
    png = decode(readFileSync(path));
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new PcError('data', code === 'ENOENT' ? `${path} does not exist.` : `${path} is not a readable PNG (${e instanceof Error ? e.message : String(e)}).`);
  }
  const { width, height, channels, depth } = png;
  const max = 2 ** depth - 1;
  const hasAlpha = channels === 2 || channels === 4;
  const colour = channels >= 3 ? 3 : 1;
  const data = new Float32Array(width * height);
  const transparent = hasAlpha ? new Uint8Array(width * height) : null;
  for (let i = 0; i < width * height; i++) {
    let v = 0;
    for (let c = 0; c < colour; c++) v += png.data[i * channels + c];
    data[i] = v / colour / max;
    if (transparent) transparent[i] = png.data[i * channels + channels - 1] < max / 2 ? 1 : 0;
  }
  return { width, height, data, transparent };
}

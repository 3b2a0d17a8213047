/**
 * The images `pcn generate --complete` accepts, as the model's side×side
 * digits: the digit itself (what `generate --count 1` writes); the digit
 * scaled up by a whole factor k (as image viewers and editors enlarge it); or
 * a grid as `generate --count N` writes it — side×side cells with a
 * GRID_GAP-pixel grey border, all scaled by k. A scaled pixel becomes the mean
 * of its opaque block pixels, and counts as erased when most of its block is
 * transparent.
 */
import type { PngImage } from './png.ts';

/** The border between grid cells, in pixels before scaling (grey 0.5, see images.ts tile). */
export const GRID_GAP = 1;
/** How much `generate` enlarges a grid of several samples. */
export const GRID_SCALE = 3;

export interface Cell {
  /** side·side values in [0, 1]. */
  readonly data: Float32Array;
  /** 1 for erased (transparent) pixels; null when the image has no alpha. */
  readonly transparent: Uint8Array | null;
}

export interface Cells {
  readonly layout: 'digit' | 'grid';
  /** The enlargement found (1: none). */
  readonly scale: number;
  readonly cells: readonly Cell[];
}

/**
 * Whether a width×height image can hold one of the layouts of side×side
 * digits, from its size alone (cellsOf also checks a grid's borders): lets
 * a reader refuse an image before decoding it.
 */
export function fitsLayout(width: number, height: number, side: number): boolean {
  if (width === height && width % side === 0) return true;
  const step = side + GRID_GAP;
  for (let scale = 1; scale * (step + GRID_GAP) <= Math.min(width, height); scale++) {
    if (width % scale || height % scale) continue;
    if ((width / scale - GRID_GAP) % step === 0 && (height / scale - GRID_GAP) % step === 0) return true;
  }
  return false;
}

/**
 * The side×side digits in `img` (see the file comment), or null when its size
 * fits none of the layouts. A grid is recognised only when every border pixel
 * is the grid's grey or transparent.
 */
export function cellsOf(img: PngImage, side: number): Cells | null {
  const { width, height } = img;
  if (width === height && width % side === 0) {
    const scale = width / side;
    return { layout: 'digit', scale, cells: [cellAt(img, side, scale, 0, 0)] };
  }
  const step = side + GRID_GAP;
  for (let scale = 1; scale * (step + GRID_GAP) <= Math.min(width, height); scale++) {
    if (width % scale || height % scale) continue;
    const [w, h] = [width / scale, height / scale];
    if ((w - GRID_GAP) % step || (h - GRID_GAP) % step) continue;
    const [cols, rows] = [(w - GRID_GAP) / step, (h - GRID_GAP) / step];
    if (!bordersAreGrey(img, side, scale, cols, rows)) continue;
    const cells: Cell[] = [];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) cells.push(cellAt(img, side, scale, (GRID_GAP + r * step) * scale, (GRID_GAP + c * step) * scale));
    }
    return { layout: 'grid', scale, cells };
  }
  return null;
}

/** The side×side cell whose top-left image pixel is (y0, x0), each value the mean of a scale×scale block. */
function cellAt(img: PngImage, side: number, scale: number, y0: number, x0: number): Cell {
  const data = new Float32Array(side * side);
  const transparent = img.transparent ? new Uint8Array(side * side) : null;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      let sum = 0;
      let opaque = 0;
      let all = 0;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const i = (y0 + y * scale + dy) * img.width + x0 + x * scale + dx;
          all += img.data[i];
          if (!img.transparent?.[i]) {
            sum += img.data[i];
            opaque++;
          }
        }
      }
      const k = y * side + x;
      data[k] = opaque ? sum / opaque : all / (scale * scale);
      if (transparent) transparent[k] = 2 * opaque < scale * scale ? 1 : 0;
    }
  }
  return { data, transparent };
}

function bordersAreGrey(img: PngImage, side: number, scale: number, cols: number, rows: number): boolean {
  const step = side + GRID_GAP;
  const onBorder = (v: number) => v % step < GRID_GAP;
  for (let y = 0; y < img.height; y++) {
    const rowOnBorder = onBorder(Math.floor(y / scale));
    for (let x = 0; x < img.width; x++) {
      if (!rowOnBorder && !onBorder(Math.floor(x / scale))) continue;
      const i = y * img.width + x;
      // 8-bit PNGs store 0.5 as 128/255.
      if (!img.transparent?.[i] && Math.abs(img.data[i] - 0.5) > 1 / 255) return false;
    }
  }
  return cols >= 1 && rows >= 1;
}

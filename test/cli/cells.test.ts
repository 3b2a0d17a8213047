import { describe, expect, it } from 'vitest';
import { cellsOf, fitsLayout, GRID_GAP, GRID_SCALE } from '../../packages/pcn/src/cells.ts';
import { tile } from '../../packages/pcn/src/images.ts';

describe('image sizes that can hold digits, from the size alone', () => {
  it('agree with cellsOf on the images generate writes and on sizes that fit nothing', () => {
    const side = 6;
    for (const [count, cols] of [
      [1, 1],
      [3, 3],
      [16, 8],
    ] as const) {
      const img = tile(
        Array.from({ length: count }, () => new Float32Array(side * side)),
        side,
        side,
        cols,
        GRID_SCALE,
        GRID_GAP,
      );
      const decoded = { ...img, data: Float32Array.from(img.data), transparent: null };
      expect(fitsLayout(img.width, img.height, side), `${count} cells`).toBe(true);
      expect(cellsOf(decoded, side)?.cells.length).toBe(count);
    }
    expect(fitsLayout(6, 6, side)).toBe(true);
    expect(fitsLayout(24, 24, side)).toBe(true);
    expect(fitsLayout(7, 5, side)).toBe(false);
    expect(fitsLayout(20000, 20000, 28)).toBe(false);
    expect(fitsLayout(2 ** 31 - 1, 1, 28)).toBe(false);
  });
});

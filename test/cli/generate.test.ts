/** `pcn generate --complete` reads what `pcn generate` writes: the digit, the digit enlarged, and grids. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, encode } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { cellsOf, GRID_GAP, GRID_SCALE } from '../../packages/pcn/src/cells.ts';
import { encodeGreyPng, tile } from '../../packages/pcn/src/images.ts';
import { decodePng } from '../../packages/pcn/src/png.ts';
import { createConfig, initModel } from '../../packages/predictive-coding/src/core/index.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import { encodeCheckpoint } from '../../packages/predictive-coding/src/train/index.ts';
import { pcn } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'pcn-generate-'));
const model = join(dir, 'gen.safetensors');

// An untrained generative 10-16-784 model is enough to check shapes and the round trip.
beforeAll(() => {
  const backend = createReferenceBackend('float32');
  writeFileSync(model, encodeCheckpoint(initModel(createConfig({ sizes: [10, 16, 784], orientation: 'generative' }), backend, createRng(0))));
});

/** n side×side digits with values that are whole 8-bit levels (so a PNG stores them exactly). */
function digits(n: number, side: number): Float32Array[] {
  const rng = createRng(5);
  return Array.from({ length: n }, () => Float32Array.from({ length: side * side }, () => rng.int(256) / 255));
}

const png = (image: { width: number; height: number; data: ArrayLike<number> }) => decodePng(encodeGreyPng(image), 'test.png');

describe('cellsOf', () => {
  it('reads a side×side digit as itself, and one enlarged k times back to it', () => {
    const [d] = digits(1, 5);
    for (const k of [1, 2, 3]) {
      const found = cellsOf(png(tile([d], 5, 5, 1, k, 0)), 5)!;
      expect([found.layout, found.scale, found.cells.length]).toEqual(['digit', k, 1]);
      expect(found.cells[0].data).toEqual(d);
    }
  });

  it('reads every cell of a grid as generate writes it (grey 1-pixel borders, enlarged), in row-major order', () => {
    const ds = digits(11, 6);
    const found = cellsOf(png(tile(ds, 6, 6, 8, GRID_SCALE, GRID_GAP)), 6)!;
    expect([found.layout, found.scale]).toEqual(['grid', GRID_SCALE]);
    // 11 samples fill 2 rows of 8: the 5 empty cells are read as the grid's grey.
    expect(found.cells).toHaveLength(16);
    for (const [i, d] of ds.entries()) expect(found.cells[i].data, `cell ${i}`).toEqual(d);
    for (const c of found.cells.slice(11)) for (const v of c.data) expect(v).toBeCloseTo(128 / 255, 6);
  });

  it('marks a pixel erased when most of its block is transparent, and averages only the opaque pixels', () => {
    // 2×2 digit enlarged ×2 (4×4), grey + alpha: block (0,0) fully transparent, block (0,1) one transparent pixel of four.
    const grey = [10, 10, 20, 40, 10, 10, 80, 20, 0, 0, 255, 255, 0, 0, 255, 255];
    const alpha = [0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255];
    const data = new Uint8Array(32);
    grey.forEach((g, i) => {
      data[2 * i] = g;
      data[2 * i + 1] = alpha[i];
    });
    const found = cellsOf(decodePng(encode({ width: 4, height: 4, data, channels: 2, depth: 8 }), 'alpha.png'), 2)!;
    expect(Array.from(found.cells[0].transparent!)).toEqual([1, 0, 0, 0]);
    expect(found.cells[0].data[1]).toBeCloseTo((20 + 80 + 20) / 3 / 255, 6);
  });

  it('refuses sizes that fit no layout, and grids whose borders are not the grid grey', () => {
    expect(cellsOf(png({ width: 7, height: 5, data: new Float32Array(35) }), 5)).toBeNull();
    const g = tile(digits(2, 6), 6, 6, 2, 2, GRID_GAP);
    const black = { ...g, data: Float32Array.from(g.data as Float32Array, (v, i) => (i < g.width ? 0 : v)) };
    expect(cellsOf(png(black), 6)).toBeNull();
  });
});

describe('pcn generate round trip', () => {
  it('--count 1 writes the digit itself (28×28, one grey channel), and --complete reads it back', () => {
    const one = join(dir, 'one.png');
    const g = pcn(['generate', '--model', model, '--label', '3', '--count', '1', '--out', one]);
    expect(g.status, g.stderr).toBe(0);
    expect(g.stdout.trim()).toBe(`wrote a 28×28 sample of class 3 to ${one}`);
    const img = decode(readFileSync(one));
    expect([img.width, img.height, img.channels]).toEqual([28, 28, 1]);
    const out = join(dir, 'one-filled.png');
    const c = pcn(['generate', '--model', model, '--complete', one, '--out', out, '--steps', '5']);
    expect(c.status, c.stderr).toBe(0);
    // One row: original | erased | completed, 28×28 cells with 1-pixel borders, ×4.
    const filled = decode(readFileSync(out));
    expect([filled.width, filled.height]).toEqual([(3 * 29 + 1) * 4, (29 + 1) * 4]);
  });

  it('--complete on a grid generate wrote completes each sample, one row per cell', () => {
    const grid = join(dir, 'grid.png');
    expect(pcn(['generate', '--model', model, '--label', '7', '--count', '3', '--out', grid]).status).toBe(0);
    const img = decode(readFileSync(grid));
    expect([img.width, img.height]).toEqual([(3 * 29 + 1) * GRID_SCALE, (29 + 1) * GRID_SCALE]);
    const out = join(dir, 'grid-filled.png');
    const c = pcn(['generate', '--model', model, '--complete', grid, '--out', out, '--steps', '5']);
    expect(c.status, c.stderr).toBe(0);
    expect(c.stdout.trim()).toBe(`wrote original | erased | completed for 3 cells of the grid (one row each) to ${out}`);
    const filled = decode(readFileSync(out));
    expect([filled.width, filled.height]).toEqual([(3 * 29 + 1) * 4, (3 * 29 + 1) * 4]);
  });

  it('an image that is neither is a one-line error naming it; an --out under a file is a one-line error', () => {
    const odd = join(dir, 'odd.png');
    writeFileSync(odd, encode({ width: 30, height: 20, data: new Uint8Array(600), channels: 1, depth: 8 }));
    const r = pcn(['generate', '--model', model, '--complete', odd, '--out', join(dir, 'x.png')]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      `error: --complete: ${odd} is 30×20 pixels, which is neither a 28×28 digit (the model's image layer), one enlarged by a whole factor, nor a grid written by pcn generate. Pass one of those.`,
    );
    const under = join(odd, 'x.png');
    const w = pcn(['generate', '--model', model, '--label', '1', '--out', under]);
    expect(w.status).toBe(1);
    expect(w.stderr).toMatch(
      new RegExp(`^error: --out: cannot write ${under} \\(at ${odd}\\): a part of the path that should be a folder is a file \\((ENOTDIR|EEXIST)\\)`),
    );
    expect(w.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('needs exactly one of --label and --complete, and says so before reading the model', () => {
    const absent = join(dir, 'absent.safetensors');
    for (const extra of [[], ['--label', '1', '--complete', join(dir, 'one.png')]]) {
      const r = pcn(['generate', '--model', absent, '--out', join(dir, 'x.png'), ...extra]);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe('error: pcn generate: pass exactly one of --label N or --complete IMAGE.png.\n');
    }
  });

  it('an --out that is not a .png is refused in one line before anything is drawn (the bytes would be PNG whatever the name)', () => {
    for (const out of ['x.jpg', 'x', 'x.png.txt']) {
      const r = pcn(['generate', '--model', model, '--label', '3', '--out', join(dir, out)]);
      expect(r.status, out).toBe(1);
      expect(r.stderr, out).toBe(`error: --out: ${join(dir, out)} does not end in .png, but pcn generate writes PNG images. Give it the extension .png.\n`);
    }
    expect(pcn(['generate', '--model', model, '--label', '3', '--count', '1', '--out', join(dir, 'upper.PNG')]).status).toBe(0);
  });
});

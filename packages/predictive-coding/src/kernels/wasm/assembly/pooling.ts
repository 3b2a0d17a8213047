// Average and max pooling in NHWC, four channels per SIMD lane group (the
// channels of a pixel are contiguous), with a scalar tail for c mod 4.
// Windows are win×win at stride s; x is [n, h, w, c], out [n, oh, ow, c].

/** out = the mean of each window, as Σ · (1/win²) in float32. */
export function avgPool(x: usize, out: usize, n: i32, h: i32, w: i32, c: i32, win: i32, s: i32, oh: i32, ow: i32): void {
  const inv: f32 = 1 / <f32>(win * win);
  const vinv = f32x4.splat(inv);
  let o = out;
  for (let e = 0; e < n; e++)
    for (let a = 0; a < oh; a++)
      for (let b = 0; b < ow; b++) {
        const corner = x + ((((e * h + a * s) * w + b * s) * c) as usize) * 4;
        let cc = 0;
        for (; cc + 4 <= c; cc += 4) {
          let acc = f32x4.splat(0);
          for (let i = 0; i < win; i++)
            for (let j = 0; j < win; j++) acc = f32x4.add(acc, v128.load(corner + ((((i * w + j) * c + cc) as usize) << 2)));
          v128.store(o, f32x4.mul(acc, vinv));
          o += 16;
        }
        for (; cc < c; cc++) {
          let acc: f32 = 0;
          for (let i = 0; i < win; i++) for (let j = 0; j < win; j++) acc += load<f32>(corner + ((((i * w + j) * c + cc) as usize) << 2));
          store<f32>(o, acc * inv);
          o += 4;
        }
      }
}

/** gx = 0, then every window position of x adds gy / win² of its window's output. */
export function avgPoolBackward(gy: usize, gx: usize, n: i32, h: i32, w: i32, c: i32, win: i32, s: i32, oh: i32, ow: i32): void {
  memory.fill(gx, 0, ((n * h * w * c) as usize) << 2);
  const inv: f32 = 1 / <f32>(win * win);
  const vinv = f32x4.splat(inv);
  let g = gy;
  for (let e = 0; e < n; e++)
    for (let a = 0; a < oh; a++)
      for (let b = 0; b < ow; b++) {
        const corner = gx + ((((e * h + a * s) * w + b * s) * c) as usize) * 4;
        let cc = 0;
        for (; cc + 4 <= c; cc += 4) {
          const v = f32x4.mul(v128.load(g), vinv);
          for (let i = 0; i < win; i++)
            for (let j = 0; j < win; j++) {
              const p = corner + ((((i * w + j) * c + cc) as usize) << 2);
              v128.store(p, f32x4.add(v128.load(p), v));
            }
          g += 16;
        }
        for (; cc < c; cc++) {
          const v = load<f32>(g) * inv;
          for (let i = 0; i < win; i++)
            for (let j = 0; j < win; j++) {
              const p = corner + ((((i * w + j) * c + cc) as usize) << 2);
              store<f32>(p, load<f32>(p) + v);
            }
          g += 4;
        }
      }
}

/**
 * out = the max of each window and argmax its flat index into x: the first largest in row-major
 * window order, or the first NaN (so NaN propagates, as rowMax).
 */
export function maxPool(x: usize, out: usize, argmax: usize, n: i32, h: i32, w: i32, c: i32, win: i32, s: i32, oh: i32, ow: i32): void {
  let o = out;
  let ai = argmax;
  const lanes = i32x4(0, 1, 2, 3);
  for (let e = 0; e < n; e++)
    for (let a = 0; a < oh; a++)
      for (let b = 0; b < ow; b++) {
        const corner = ((e * h + a * s) * w + b * s) * c;
        let cc = 0;
        for (; cc + 4 <= c; cc += 4) {
          let best = v128.load(x + (((corner + cc) as usize) << 2));
          let idx = i32x4.add(i32x4.splat(corner + cc), lanes);
          for (let i = 0; i < win; i++)
            for (let j = 0; j < win; j++) {
              if (i == 0 && j == 0) continue;
              const at = corner + (i * w + j) * c + cc;
              const v = v128.load(x + ((at as usize) << 2));
              // Take v where it is larger, or where it is the first NaN (best not yet NaN).
              const take = v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
              best = v128.bitselect(v, best, take);
              idx = v128.bitselect(i32x4.add(i32x4.splat(at), lanes), idx, take);
            }
          v128.store(o, best);
          v128.store(ai, idx);
          o += 16;
          ai += 16;
        }
        for (; cc < c; cc++) {
          let bi = corner + cc;
          let best = load<f32>(x + ((bi as usize) << 2));
          for (let i = 0; i < win; i++)
            for (let j = 0; j < win; j++) {
              const at = corner + (i * w + j) * c + cc;
              const v = load<f32>(x + ((at as usize) << 2));
              if (v > best || (v != v && best == best)) {
                best = v;
                bi = at;
              }
            }
          store<f32>(o, best);
          store<i32>(ai, bi);
          o += 4;
          ai += 4;
        }
      }
}

/** gx = 0, then gx[argmax[o]] += gy[o] for the `outputs` outputs; gx has `size` elements. */
export function maxPoolBackward(gy: usize, argmax: usize, gx: usize, outputs: i32, size: i32): void {
  memory.fill(gx, 0, (size as usize) << 2);
  for (let o = 0; o < outputs; o++) {
    const p = gx + ((load<i32>(argmax + ((o as usize) << 2)) as usize) << 2);
    store<f32>(p, load<f32>(p) + load<f32>(gy + ((o as usize) << 2)));
  }
}

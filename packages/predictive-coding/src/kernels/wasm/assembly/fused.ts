// Fused passes for predictive coding: the error neurons, one relaxation step,
// and the optimiser steps. Each reads and writes every array once.

/** out = x − mu − b (b broadcast over rows); out may be x or mu. */
export function predictionError(x: usize, mu: usize, b: usize, out: usize, rows: i32, cols: i32): void {
  const ld = (cols as usize) << 2;
  for (let r = 0; r < rows; r++) {
    const o = (r as usize) * ld;
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const k = (c as usize) << 2;
      v128.store(out + o + k, f32x4.sub(f32x4.sub(v128.load(x + o + k), v128.load(mu + o + k)), v128.load(b + k)));
    }
    for (; c < cols; c++) {
      const k = (c as usize) << 2;
      store<f32>(out + o + k, load<f32>(x + o + k) - load<f32>(mu + o + k) - load<f32>(b + k));
    }
  }
}

/**
 * d = ε − f'(x) ⊙ g (eps = 0 or g = 0 drops that term), v ← momentum·v + d, x ← x − eta·v.
 * Pointers are never 0 for real arrays (the loader keeps address 0 unused).
 */
export function valueStep(x: usize, v: usize, eps: usize, dfx: usize, g: usize, eta: f32, momentum: f32, n: i32): void {
  const ve = f32x4.splat(eta);
  const vm = f32x4.splat(momentum);
  const hasEps = eps != 0;
  const hasG = g != 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = (i as usize) << 2;
    let d = hasEps ? v128.load(eps + o) : f32x4.splat(0);
    if (hasG) d = f32x4.sub(d, f32x4.mul(v128.load(dfx + o), v128.load(g + o)));
    const nv = f32x4.add(f32x4.mul(vm, v128.load(v + o)), d);
    v128.store(v + o, nv);
    v128.store(x + o, f32x4.sub(v128.load(x + o), f32x4.mul(ve, nv)));
  }
  for (; i < n; i++) {
    const o = (i as usize) << 2;
    let d: f32 = hasEps ? load<f32>(eps + o) : 0;
    if (hasG) d -= load<f32>(dfx + o) * load<f32>(g + o);
    const nv = momentum * load<f32>(v + o) + d;
    store<f32>(v + o, nv);
    store<f32>(x + o, load<f32>(x + o) - eta * nv);
  }
}

/**
 * Adam / AdamW; c1 = 1 − β1ᵗ and c2 = 1 − β2ᵗ are the bias corrections. The
 * caller passes a1 = 1 − β1 and a2 = 1 − β2 computed in float64: 1 − f32(0.999)
 * would be off by 1.3e-5 relative.
 */
export function adamStep(p: usize, g: usize, m: usize, v: usize, n: i32, lr: f32, beta1: f32, beta2: f32, a1: f32, a2: f32, epsilon: f32, wd: f32, decoupled: i32, c1: f32, c2: f32): void {
  const vb1 = f32x4.splat(beta1);
  const vb2 = f32x4.splat(beta2);
  const va1 = f32x4.splat(a1);
  const va2 = f32x4.splat(a2);
  const vc1 = f32x4.splat(c1);
  const vc2 = f32x4.splat(c2);
  const veps = f32x4.splat(epsilon);
  const vlr = f32x4.splat(lr);
  const vwd = f32x4.splat(wd);
  const dec = decoupled != 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = (i as usize) << 2;
    const pv = v128.load(p + o);
    let gv = v128.load(g + o);
    if (!dec) gv = f32x4.add(gv, f32x4.mul(vwd, pv));
    const mv = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(va1, gv));
    const vv = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(va2, f32x4.mul(gv, gv)));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    let u = f32x4.div(f32x4.div(mv, vc1), f32x4.add(f32x4.sqrt(f32x4.div(vv, vc2)), veps));
    if (dec) u = f32x4.add(u, f32x4.mul(vwd, pv));
    v128.store(p + o, f32x4.sub(pv, f32x4.mul(vlr, u)));
  }
  for (; i < n; i++) {
    const o = (i as usize) << 2;
    const pv = load<f32>(p + o);
    let gv = load<f32>(g + o);
    if (!dec) gv += wd * pv;
    const mv = beta1 * load<f32>(m + o) + a1 * gv;
    const vv = beta2 * load<f32>(v + o) + a2 * gv * gv;
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    let u = mv / c1 / (Mathf.sqrt(vv / c2) + epsilon);
    if (dec) u += wd * pv;
    store<f32>(p + o, pv - lr * u);
  }
}

/** SGD with optional momentum (v = 0 pointer: none) and L2 weight decay. */
export function sgdStep(p: usize, g: usize, v: usize, n: i32, lr: f32, momentum: f32, wd: f32): void {
  const hasV = v != 0;
  for (let i = 0; i < n; i++) {
    const o = (i as usize) << 2;
    const pv = load<f32>(p + o);
    let u = load<f32>(g + o) + wd * pv;
    if (hasV) {
      u += momentum * load<f32>(v + o);
      store<f32>(v + o, u);
    }
    store<f32>(p + o, pv - lr * u);
  }
}

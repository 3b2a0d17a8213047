// The passes of ops.h, written once over GCC/Clang vector extensions (16 floats per vector): the
// including file sets PCN_OPS_NS and PCN_OPS_NAME and its target flags (-mavx512f, -mavx2, none),
// and the compiler maps each vector to one zmm, two ymm or four xmm registers. Activations follow
// the wasm kernels' float32 formulas (assembly/activations.ts, simd-math.ts), so the two CPU
// backends agree to a few ulps; the js reference in float64 is the oracle both are tested against.
#include <cstring>

#include "ops.h"

namespace pcn {
namespace PCN_OPS_NS {
namespace {

constexpr int W = 16;
typedef float vf __attribute__((vector_size(64)));
typedef int vi __attribute__((vector_size(64)));

inline vf splat(float s) { return vf{} + s; }
inline vi splati(int s) { return vi{} + s; }
inline vf load(const float* p, long n) {
  vf v = {};
  std::memcpy(&v, p, static_cast<size_t>(n) * sizeof(float));
  return v;
}
inline void store(float* p, vf v, long n) { std::memcpy(p, &v, static_cast<size_t>(n) * sizeof(float)); }
// wasm's pmax / pmin: a < b ? b : a and b < a ? b : a, so a NaN in a propagates.
inline vf pmax(vf a, vf b) { return a < b ? b : a; }
inline vf pmin(vf a, vf b) { return b < a ? b : a; }
inline vf bits(vi v) { return (vf)v; }  // same-size vector casts reinterpret the bits
inline vi bitsOf(vf v) { return (vi)v; }

// Lane by lane, which GCC turns into one vsqrtps (-fno-math-errno: no errno to set for negative lanes).
inline vf vsqrt(vf x) {
  vf r;
  for (int j = 0; j < W; j++) r[j] = __builtin_sqrtf(x[j]);
  return r;
}

// Every pass is flattened (all calls inlined into it), so f(i, W) below becomes straight-line vector
// code with fixed-size loads and stores; without it GCC calls the body, and memcpy, per vector.
#define PCN_FLAT __attribute__((flatten))

// Runs f(i, W) over whole vectors of [i0, i1), then f(i, rest) once for the tail.
template <typename F>
inline void each(long i0, long i1, F f) {
  long i = i0;
  for (; i + W <= i1; i += W) f(i, W);
  if (i < i1) f(i, i1 - i);
}

constexpr float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f, LOG2E = 1.44269504088896341f;
constexpr float MAGIC = 12582912.0f;  // 1.5·2^23: v + MAGIC holds round(v) in its low mantissa bits
constexpr int MAGIC_BITS = 0x4b400000;
constexpr float LEAKY = 0.01f, GELU_C = 0.7978845608028654f, GELU_A = 0.044715f;

inline vf pow2(vf t) { return bits((bitsOf(t) - splati(MAGIC_BITS - 127)) << 23); }

// e^x: +Inf above 88.72, 0 below −87.34, NaN propagates (simd-math.ts vexp).
inline vf vexp(vf x) {
  const vf xc = pmin(pmax(x, splat(-87.33654f)), splat(88.0f));
  const vf t = xc * LOG2E + MAGIC;
  const vf n = t - MAGIC;
  vf r = xc - n * LN2_HI;
  r = r - n * LN2_LO;
  vf p = splat(1.0f / 5040.0f);
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const vf e = p * pow2(t);
  const vf hi = x > 88.72283f ? splat(__builtin_inff()) : e;
  return x < -87.33654f ? splat(0.0f) : hi;
}

// e^x − 1 for 0 ≤ x ≤ 18 without cancellation near 0 (simd-math.ts vexpm1Small).
inline vf vexpm1Small(vf x) {
  const vf t = x * LOG2E + MAGIC;
  const vf n = t - MAGIC;
  vf r = x - n * LN2_HI;
  r = r - n * LN2_LO;
  vf q = splat(1.0f / 40320.0f);
  q = q * r + 1.0f / 5040.0f;
  q = q * r + 1.0f / 720.0f;
  q = q * r + 1.0f / 120.0f;
  q = q * r + 1.0f / 24.0f;
  q = q * r + 1.0f / 6.0f;
  q = q * r + 0.5f;
  q = q * r * r + r;
  const vf p2 = pow2(t);
  return p2 * q + (p2 - 1.0f);
}

inline vf vtanh(vf x) {
  const vf ax = bits(bitsOf(x) & splati(0x7fffffff));
  const vf m = vexpm1Small(pmin(ax + ax, splat(18.0f)));
  const vf t = m / (m + 2.0f);
  return bits(bitsOf(t) | (bitsOf(x) & splati(static_cast<int>(0x80000000u))));
}
inline vf vsigmoid(vf x) { return 1.0f / (1.0f + vexp(-x)); }
inline vf geluS(vf x) {
  const vf u = GELU_C * (x + GELU_A * (x * (x * x)));
  return vsigmoid(u + u);
}
inline vf geluDeriv(vf x, vf s) {
  const vf du = (2 * GELU_C) * (1.0f + (3 * GELU_A) * (x * x));
  return s + (x * (s * (1.0f - s))) * du;
}
inline vf ones(vi mask) { return bits(mask & bitsOf(splat(1.0f))); }

// f and f' of kind K; both() shares the transcendental part.
template <int K>
inline void both(vf x, vf& f, vf& d) {
  if constexpr (K == 1) {
    f = vtanh(x);
    d = 1.0f - f * f;
  } else if constexpr (K == 2) {
    f = vsigmoid(x);
    d = f * (1.0f - f);
  } else if constexpr (K == 3) {
    f = pmax(x, splat(0.0f));
    d = ones(x > 0.0f);
  } else if constexpr (K == 4) {
    f = x > 0.0f ? x : x * LEAKY;
    d = x > 0.0f ? splat(1.0f) : splat(LEAKY);
  } else if constexpr (K == 5) {
    const vf s = geluS(x);
    f = x * s;
    d = geluDeriv(x, s);
  } else if constexpr (K == 6) {
    f = pmin(pmax(x, splat(-1.0f)), splat(1.0f));
    d = ones((x > -1.0f) & (x < 1.0f));
  } else {
    f = x;
    d = splat(1.0f);
  }
}

// Which of f, f' to write: 1 f, 2 f', 3 both.
template <int K, int WHAT>
PCN_FLAT void mapK(const float* x, float* fx, float* dfx, long i0, long i1) {
  each(i0, i1, [&](long i, long n) {
    vf f, d;
    both<K>(load(x + i, n), f, d);
    if (WHAT & 1) store(fx + i, f, n);
    if (WHAT & 2) store(dfx + i, d, n);
  });
}

template <int WHAT>
void mapKind(int kind, const float* x, float* fx, float* dfx, long i0, long i1) {
  switch (kind) {
    case 1: return mapK<1, WHAT>(x, fx, dfx, i0, i1);
    case 2: return mapK<2, WHAT>(x, fx, dfx, i0, i1);
    case 3: return mapK<3, WHAT>(x, fx, dfx, i0, i1);
    case 4: return mapK<4, WHAT>(x, fx, dfx, i0, i1);
    case 5: return mapK<5, WHAT>(x, fx, dfx, i0, i1);
    case 6: return mapK<6, WHAT>(x, fx, dfx, i0, i1);
    default: return mapK<0, WHAT>(x, fx, dfx, i0, i1);
  }
}

PCN_FLAT void activate(int kind, const float* x, float* out, long i0, long i1) { mapKind<1>(kind, x, out, nullptr, i0, i1); }
PCN_FLAT void derivative(int kind, const float* x, float* out, long i0, long i1) { mapKind<2>(kind, x, nullptr, out, i0, i1); }
PCN_FLAT void bothOp(int kind, const float* x, float* fx, float* dfx, long i0, long i1) { mapKind<3>(kind, x, fx, dfx, i0, i1); }

PCN_FLAT void axpy(float alpha, const float* x, float* y, long i0, long i1) {
  each(i0, i1, [&](long i, long n) { store(y + i, load(y + i, n) + alpha * load(x + i, n), n); });
}
PCN_FLAT void scale(float alpha, float* x, long i0, long i1) {
  each(i0, i1, [&](long i, long n) { store(x + i, alpha * load(x + i, n), n); });
}
PCN_FLAT void sub(const float* a, const float* b, float* out, long i0, long i1) {
  each(i0, i1, [&](long i, long n) { store(out + i, load(a + i, n) - load(b + i, n), n); });
}
PCN_FLAT void mul(const float* a, const float* b, float* out, long i0, long i1) {
  each(i0, i1, [&](long i, long n) { store(out + i, load(a + i, n) * load(b + i, n), n); });
}
PCN_FLAT void fill(float value, float* x, long i0, long i1) {
  const vf v = splat(value);
  each(i0, i1, [&](long i, long n) { store(x + i, v, n); });
}
PCN_FLAT void addRowVector(const float* x, const float* v, float* out, long cols, long r0, long r1) {
  for (long r = r0; r < r1; r++) {
    const long o = r * cols;
    each(0, cols, [&](long c, long n) { store(out + o + c, load(x + o + c, n) + load(v + c, n), n); });
  }
}
PCN_FLAT void predictionError(const float* x, const float* mu, const float* b, float* out, long cols, long r0, long r1) {
  for (long r = r0; r < r1; r++) {
    const long o = r * cols;
    each(0, cols, [&](long c, long n) { store(out + o + c, (load(x + o + c, n) - load(mu + o + c, n)) - load(b + c, n), n); });
  }
}
PCN_FLAT void valueStep(float* x, float* v, const float* eps, const float* dfx, const float* g, float eta, float momentum, long i0, long i1) {
  each(i0, i1, [&](long i, long n) {
    vf d = eps ? load(eps + i, n) : splat(0.0f);
    if (g) d = d - load(dfx + i, n) * load(g + i, n);
    const vf nv = momentum * load(v + i, n) + d;
    store(v + i, nv, n);
    store(x + i, load(x + i, n) - eta * nv, n);
  });
}
PCN_FLAT void adamStep(float* p, const float* g, float* m, float* v, const AdamParams& a, long i0, long i1) {
  each(i0, i1, [&](long i, long n) {
    const vf pv = load(p + i, n);
    vf gv = load(g + i, n);
    if (!a.decoupled) gv = gv + a.weightDecay * pv;
    const vf mv = a.beta1 * load(m + i, n) + a.a1 * gv;
    const vf vv = a.beta2 * load(v + i, n) + a.a2 * (gv * gv);
    store(m + i, mv, n);
    store(v + i, vv, n);
    vf u = (mv / a.c1) / (vsqrt(vv / a.c2) + a.epsilon);
    if (a.decoupled) u = u + a.weightDecay * pv;
    store(p + i, pv - a.lr * u, n);
  });
}
PCN_FLAT void sgdStep(float* p, const float* g, float* v, float lr, float momentum, float weightDecay, long i0, long i1) {
  each(i0, i1, [&](long i, long n) {
    const vf pv = load(p + i, n);
    vf u = load(g + i, n) + weightDecay * pv;
    if (v) {
      u = u + momentum * load(v + i, n);
      store(v + i, u, n);
    }
    store(p + i, pv - lr * u, n);
  });
}
double sumSquares(const float* x, long i0, long i1) {
  double acc[8] = {};
  long i = i0;
  for (; i + 8 <= i1; i += 8)
    for (int j = 0; j < 8; j++) acc[j] += static_cast<double>(x[i + j]) * x[i + j];
  double s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; i < i1; i++) s += static_cast<double>(x[i]) * x[i];
  return s;
}

PCN_FLAT void rowSums(const float* x, float* out, long cols, long r0, long r1) {
  for (long r = r0; r < r1; r++) {
    vf acc = splat(0.0f);
    each(0, cols, [&](long c, long n) { acc += load(x + r * cols + c, n); });
    float s = 0.0f;
    for (int j = 0; j < W; j++) s += acc[j];
    out[r] = s;
  }
}
void rowMax(const float* x, float* out, long cols, long r0, long r1) {
  for (long r = r0; r < r1; r++) {
    float best = -__builtin_inff();
    for (long c = 0; c < cols; c++) {
      const float v = x[r * cols + c];
      if (v > best || v != v) best = v;
      if (best != best) break;
    }
    out[r] = best;
  }
}
void rowArgmax(const float* x, int* out, long cols, long r0, long r1) {
  for (long r = r0; r < r1; r++) {
    long best = 0;
    for (long c = 1; c < cols; c++)
      if (x[r * cols + c] > x[r * cols + best]) best = c;
    out[r] = static_cast<int>(best);
  }
}
PCN_FLAT void softmax(const float* x, float* out, long cols, long r0, long r1) {
  for (long r = r0; r < r1; r++) {
    const float* xr = x + r * cols;
    float* orow = out + r * cols;
    float mx = -__builtin_inff();
    for (long c = 0; c < cols; c++) mx = xr[c] > mx || xr[c] != xr[c] ? xr[c] : mx;
    vf acc = splat(0.0f);
    each(0, cols, [&](long c, long n) {
      vf e = vexp(load(xr + c, n) - mx);
      if (n < W)
        for (long j = n; j < W; j++) e[j] = 0.0f;
      store(orow + c, e, n);
      acc += e;
    });
    float s = 0.0f;
    for (int j = 0; j < W; j++) s += acc[j];
    each(0, cols, [&](long c, long n) { store(orow + c, load(orow + c, n) / s, n); });
  }
}
PCN_FLAT void columnSums(const float* x, float* out, long rows, long cols, long c0, long c1) {
  each(c0, c1, [&](long c, long n) {
    vf acc = splat(0.0f);
    for (long r = 0; r < rows; r++) acc += load(x + r * cols + c, n);
    store(out + c, acc, n);
  });
}

}  // namespace
}  // namespace PCN_OPS_NS

Ops PCN_OPS_FACTORY() {
  using namespace PCN_OPS_NS;
  return {activate,   derivative, bothOp,    axpy,      scale,   sub,        mul,          fill,   addRowVector, predictionError,
          valueStep,  adamStep,   sgdStep,   sumSquares, rowSums, rowMax,     rowArgmax,    softmax, columnSums,  PCN_OPS_NAME};
}

}  // namespace pcn

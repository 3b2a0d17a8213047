#include "conv.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "gemm.h"
#include "pool.h"

namespace pcn {

namespace {

// The im2col matrix of one chunk stays within this many floats (8 MiB), whole examples at a time
// (one example's rows however large it is).
constexpr size_t kChunkFloats = size_t{1} << 21;

std::vector<float>& scratch() {
  static thread_local std::vector<float> s;
  return s;
}

bool pointwise(const ConvGeometry& g) { return g.kh == 1 && g.kw == 1 && g.stride == 1 && g.pad == 0; }

// Examples per chunk: as many as fit kChunkFloats, at least one.
int chunkExamples(const ConvGeometry& g) {
  const size_t perExample = static_cast<size_t>(g.oh()) * g.ow() * g.kh * g.kw * g.c;
  return static_cast<int>(std::max<size_t>(1, std::min<size_t>(g.n, kChunkFloats / std::max<size_t>(1, perExample))));
}

// P[r, (i·kw + j)·c + ch] = x[e, oy·s + i − p, ox·s + j − p, ch] (0 outside x), r = (e − e0, oy, ox), e in [e0, e1).
void lower(const float* x, const ConvGeometry& g, int e0, int e1, float* p) {
  const int oh = g.oh(), ow = g.ow(), kc = g.kw * g.c;
  const size_t cols = static_cast<size_t>(g.kh) * kc;
  for (int e = e0; e < e1; e++)
    for (int oy = 0; oy < oh; oy++)
      for (int ox = 0; ox < ow; ox++) {
        float* row = p + ((static_cast<size_t>(e - e0) * oh + oy) * ow + ox) * cols;
        for (int i = 0; i < g.kh; i++) {
          const int y = oy * g.stride + i - g.pad;
          float* dst = row + static_cast<size_t>(i) * kc;
          if (y < 0 || y >= g.h) {
            std::memset(dst, 0, kc * sizeof(float));
            continue;
          }
          const int x0 = ox * g.stride - g.pad;
          const float* src = x + ((static_cast<size_t>(e) * g.h + y) * g.w + x0) * g.c;
          if (x0 >= 0 && x0 + g.kw <= g.w) {
            // The kernel row lies inside x: kw·c contiguous floats.
            std::memcpy(dst, src, kc * sizeof(float));
            continue;
          }
          for (int j = 0; j < g.kw; j++) {
            const int xx = x0 + j;
            if (xx < 0 || xx >= g.w)
              std::memset(dst + j * g.c, 0, g.c * sizeof(float));
            else
              std::memcpy(dst + j * g.c, src + j * g.c, g.c * sizeof(float));
          }
        }
      }
}

// gx[e, oy·s + i − p, ox·s + j − p, ch] += P[r, (i·kw + j)·c + ch]: lower's transpose.
void raise(const float* p, const ConvGeometry& g, int e0, int e1, float* gx) {
  const int oh = g.oh(), ow = g.ow(), kc = g.kw * g.c;
  const size_t cols = static_cast<size_t>(g.kh) * kc;
  for (int e = e0; e < e1; e++)
    for (int oy = 0; oy < oh; oy++)
      for (int ox = 0; ox < ow; ox++) {
        const float* row = p + ((static_cast<size_t>(e - e0) * oh + oy) * ow + ox) * cols;
        for (int i = 0; i < g.kh; i++) {
          const int y = oy * g.stride + i - g.pad;
          if (y < 0 || y >= g.h) continue;
          for (int j = 0; j < g.kw; j++) {
            const int xx = ox * g.stride + j - g.pad;
            if (xx < 0 || xx >= g.w) continue;
            const float* src = row + static_cast<size_t>(i) * kc + j * g.c;
            float* dst = gx + ((static_cast<size_t>(e) * g.h + y) * g.w + xx) * g.c;
            for (int ch = 0; ch < g.c; ch++) dst[ch] += src[ch];
          }
        }
      }
}

// lower or raise over examples [e0, e1), split by whole examples across the pool (each example's rows
// of P, and its part of gx, belong to one thread).
template <typename F>
void byExamples(Pool& pool, int e0, int e1, const F& f) {
  const int chunks = std::min(pool.threads(), e1 - e0);
  if (chunks <= 1) {
    f(e0, e1);
    return;
  }
  pool.run(chunks, [&](int t) { f(e0 + (e1 - e0) * t / chunks, e0 + (e1 - e0) * (t + 1) / chunks); });
}

// Calls f(e0, e1, p) for consecutive chunks [e0, e1) of whole examples, p the scratch for their im2col rows.
template <typename F>
void eachChunk(const ConvGeometry& g, const F& f) {
  const size_t perExample = static_cast<size_t>(g.oh()) * g.ow() * g.kh * g.kw * g.c;
  const int per = chunkExamples(g);
  std::vector<float>& p = scratch();
  p.resize(static_cast<size_t>(per) * perExample);
  for (int e0 = 0; e0 < g.n; e0 += per) f(e0, std::min(g.n, e0 + per), p.data());
}

// The im2col rows of examples [e0, e1) into p (lower), or added back into gx (raise), split by examples.
void lowerChunk(Pool& pool, const float* x, const ConvGeometry& g, int e0, int e1, float* p) {
  const size_t perExample = static_cast<size_t>(g.oh()) * g.ow() * g.kh * g.kw * g.c;
  byExamples(pool, e0, e1, [&](int a, int b) { lower(x, g, a, b, p + (a - e0) * perExample); });
}
void raiseChunk(Pool& pool, const float* p, const ConvGeometry& g, int e0, int e1, float* gx) {
  const size_t perExample = static_cast<size_t>(g.oh()) * g.ow() * g.kh * g.kw * g.c;
  byExamples(pool, e0, e1, [&](int a, int b) { raise(p + (a - e0) * perExample, g, a, b, gx); });
}

}  // namespace

void conv2d(const float* x, const float* w, float* out, const ConvGeometry& g, const Kernel& kern, Pool& pool, double minMacs) {
  const int rowsPer = g.oh() * g.ow(), cols = g.kh * g.kw * g.c;
  if (pointwise(g)) {
    gemm(Gemm{x, w, out, g.n * rowsPer, g.c, g.k, false, false, 1.0f, 0.0f}, kern, pool, minMacs);
    return;
  }
  eachChunk(g, [&](int e0, int e1, float* p) {
    lowerChunk(pool, x, g, e0, e1, p);
    gemm(Gemm{p, w, out + static_cast<size_t>(e0) * rowsPer * g.k, (e1 - e0) * rowsPer, cols, g.k, false, false, 1.0f, 0.0f}, kern, pool, minMacs);
  });
}

void conv2dInputGrad(const float* gy, const float* w, float* gx, const ConvGeometry& g, float beta, const Kernel& kern, Pool& pool, double minMacs) {
  const int rowsPer = g.oh() * g.ow(), cols = g.kh * g.kw * g.c;
  if (pointwise(g)) {
    gemm(Gemm{gy, w, gx, g.n * rowsPer, g.k, g.c, false, true, 1.0f, beta}, kern, pool, minMacs);
    return;
  }
  const size_t size = static_cast<size_t>(g.n) * g.h * g.w * g.c;
  for (size_t i = 0; i < size; i++) gx[i] = beta == 0.0f ? 0.0f : beta * gx[i];
  eachChunk(g, [&](int e0, int e1, float* p) {
    gemm(Gemm{gy + static_cast<size_t>(e0) * rowsPer * g.k, w, p, (e1 - e0) * rowsPer, g.k, cols, false, true, 1.0f, 0.0f}, kern, pool, minMacs);
    raiseChunk(pool, p, g, e0, e1, gx);
  });
}

void conv2dWeightGrad(const float* gy, const float* x, float* gw, const ConvGeometry& g, float alpha, const Kernel& kern, Pool& pool, double minMacs) {
  const int rowsPer = g.oh() * g.ow(), cols = g.kh * g.kw * g.c;
  if (pointwise(g)) {
    gemm(Gemm{x, gy, gw, g.c, g.n * rowsPer, g.k, true, false, alpha, 0.0f}, kern, pool, minMacs);
    return;
  }
  eachChunk(g, [&](int e0, int e1, float* p) {
    lowerChunk(pool, x, g, e0, e1, p);
    // alpha on every chunk; beta 1 after the first adds the chunks' sums.
    gemm(Gemm{p, gy + static_cast<size_t>(e0) * rowsPer * g.k, gw, cols, (e1 - e0) * rowsPer, g.k, true, false, alpha, e0 == 0 ? 0.0f : 1.0f}, kern, pool, minMacs);
  });
  if (g.n == 0)
    for (size_t i = 0; i < static_cast<size_t>(cols) * g.k; i++) gw[i] = 0.0f;
}

}  // namespace pcn

// The GEMM driver: splits C among the pool's threads, packs B (kc × nc) and A (mc × kc) blocks into
// the kernel's panels (zero-padded to whole tiles, so the kernel needs no edge cases), and applies
// alpha and beta when a tile is stored — beta only on the first k block, and never reading C when 0.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "gemm.h"
#include "pool.h"

namespace pcn {

namespace {

constexpr int kKc = 384;   // depth of a packed block: an A micro-panel (MR × kc) stays in L1
constexpr int kMc = 96;    // rows of a packed A block (a multiple of every MR: 8, 6, 4)
constexpr int kNc = 2048;  // columns of a packed B block

// A thread's packing buffer, kept between calls (a fresh multi-megabyte allocation per call costs page faults).
struct Scratch {
  float* p = nullptr;
  size_t capacity = 0;
  float* get(size_t n) {
    if (n > capacity) {
      std::free(p);
      capacity = n;
      p = static_cast<float*>(std::aligned_alloc(64, ((n * sizeof(float) + 63) / 64) * 64));
    }
    return p;
  }
  ~Scratch() { std::free(p); }
};
thread_local Scratch packedA, packedB;


// ap[panel][p·mr + r] = A(i0 + panel·mr + r, p0 + p), zero past row i1. Each pass reads A along its
// rows in memory order (a row of A for plain A, a row of Aᵀ's storage for transA) and scatters into the panel.
void packA(const Gemm& g, int i0, int i1, int p0, int kc, int mr, float* ap) {
  for (int i = i0; i < i1; i += mr) {
    const int rows = std::min(mr, i1 - i);
    if (!g.transA) {
      for (int r = 0; r < rows; r++) {
        const float* src = g.a + static_cast<size_t>(i + r) * g.k + p0;
        for (int p = 0; p < kc; p++) ap[p * mr + r] = src[p];
      }
    } else {
      for (int p = 0; p < kc; p++) {
        const float* src = g.a + static_cast<size_t>(p0 + p) * g.m + i;
        for (int r = 0; r < rows; r++) ap[p * mr + r] = src[r];
      }
    }
    for (int r = rows; r < mr; r++)
      for (int p = 0; p < kc; p++) ap[p * mr + r] = 0.0f;
    ap += static_cast<size_t>(mr) * kc;
  }
}

// bp[panel][p·nr + j] = B(p0 + p, j0 + panel·nr + j), zero past column j1 — read in memory order
// (a row of B for plain B; for transB a row of its storage, which is a column of B).
void packB(const Gemm& g, int j0, int j1, int p0, int kc, int nr, float* bp) {
  for (int j = j0; j < j1; j += nr) {
    const int cols = std::min(nr, j1 - j);
    if (!g.transB) {
      for (int p = 0; p < kc; p++) {
        float* dst = bp + p * nr;
        std::memcpy(dst, g.b + static_cast<size_t>(p0 + p) * g.n + j, cols * sizeof(float));
        for (int c = cols; c < nr; c++) dst[c] = 0.0f;
      }
    } else {
      for (int c = 0; c < cols; c++) {
        const float* src = g.b + static_cast<size_t>(j + c) * g.k + p0;
        for (int p = 0; p < kc; p++) bp[p * nr + c] = src[p];
      }
      for (int c = cols; c < nr; c++)
        for (int p = 0; p < kc; p++) bp[p * nr + c] = 0.0f;
    }
    bp += static_cast<size_t>(nr) * kc;
  }
}

// C[i0.., j0..] (rows × cols of the tile) = first ? alpha·t + beta·C : C + alpha·t.
void store(const Gemm& g, const float* t, int nr, int i0, int j0, int rows, int cols, bool first) {
  const size_t cRow = g.cRow ? g.cRow : g.n, cCol = g.cCol;
  for (int r = 0; r < rows; r++) {
    float* c = g.c + (i0 + r) * cRow + j0 * cCol;
    const float* s = t + r * nr;
    if (!first || g.beta == 1.0f)
      for (int j = 0; j < cols; j++) c[j * cCol] += g.alpha * s[j];
    else if (g.beta == 0.0f)
      for (int j = 0; j < cols; j++) c[j * cCol] = g.alpha * s[j];
    else
      for (int j = 0; j < cols; j++) c[j * cCol] = g.alpha * s[j] + g.beta * c[j * cCol];
  }
}

// The rows [i0, i1) × columns [j0, j1) of C, on one thread.
void block(const Gemm& g, const Kernel& kern, int i0, int i1, int j0, int j1) {
  const int mr = kern.mr, nr = kern.nr;
  const int kcMax = std::min(kKc, g.k);
  float* const bpp = packedB.get(static_cast<size_t>(kcMax) * (std::min(kNc, j1 - j0) + nr));
  float* const app = packedA.get(static_cast<size_t>(kcMax) * (kMc + mr));
  alignas(64) float tileOut[8 * 32];
  for (int jc = j0; jc < j1; jc += kNc) {
    const int jEnd = std::min(j1, jc + kNc);
    for (int pc = 0; pc < g.k; pc += kKc) {
      const int kc = std::min(kKc, g.k - pc);
      packB(g, jc, jEnd, pc, kc, nr, bpp);
      for (int ic = i0; ic < i1; ic += kMc) {
        const int iEnd = std::min(i1, ic + kMc);
        packA(g, ic, iEnd, pc, kc, mr, app);
        for (int jr = jc; jr < jEnd; jr += nr) {
          const float* b = bpp + static_cast<size_t>((jr - jc) / nr) * nr * kc;
          for (int ir = ic; ir < iEnd; ir += mr) {
            kern.tile(kc, app + static_cast<size_t>((ir - ic) / mr) * mr * kc, b, tileOut);
            store(g, tileOut, nr, ir, jr, std::min(mr, iEnd - ir), std::min(nr, jEnd - jr), pc == 0);
          }
        }
      }
    }
  }
}

}  // namespace

void gemm(const Gemm& given, const Kernel& kern, Pool& pool, double minMacs) {
  if (given.m == 0 || given.n == 0) return;
  if (given.k == 0) {
    // No terms: C = beta·C (0 without reading C).
    for (size_t i = 0; i < static_cast<size_t>(given.m) * given.n; i++) given.c[i] = given.beta == 0.0f ? 0.0f : given.beta * given.c[i];
    return;
  }
  // A product narrower than a tile (n < NR, e.g. 10 classes) wastes most of each tile's columns; its
  // transpose Cᵀ = op(B)ᵀ·op(A)ᵀ fills them, and is stored transposed into C.
  const bool swap = given.cRow == 0 && given.n < kern.nr && given.m > given.n;
  const Gemm g = swap ? Gemm{given.b, given.a, given.c, given.n, given.k, given.m, !given.transB, !given.transA, given.alpha, given.beta, 1, given.n}
                      : given;
  // Threads split C along its longer side in whole tiles; a small product stays on the caller.
  const double macs = static_cast<double>(g.m) * g.k * g.n;
  const int colPanels = (g.n + kern.nr - 1) / kern.nr;
  const int rowPanels = (g.m + kern.mr - 1) / kern.mr;
  const bool byColumns = colPanels >= rowPanels;
  const int panels = byColumns ? colPanels : rowPanels;
  const int threads = macs < minMacs ? 1 : std::min(pool.threads(), panels);
  if (threads <= 1) {
    block(g, kern, 0, g.m, 0, g.n);
    return;
  }
  pool.run([&](int t) {
    if (t >= threads) return;
    const int first = panels * t / threads, last = panels * (t + 1) / threads;
    if (byColumns)
      block(g, kern, 0, g.m, first * kern.nr, std::min(g.n, last * kern.nr));
    else
      block(g, kern, first * kern.mr, std::min(g.m, last * kern.mr), 0, g.n);
  });
}

const Kernel& bestKernel() {
  static const Kernel best = [] {
#ifdef PCN_X64_KERNELS
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) return kernelAvx512();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return kernelAvx2();
#endif
    return kernelPortable();
  }();
  return best;
}

}  // namespace pcn

// The GEMM driver. C is cut into units — a block of up to kMb rows by one NR-column panel — that
// threads claim one at a time (pool.h), so a thread that starts late or is descheduled only does
// fewer units. Within a unit, for each kc-deep slice: B's panel is packed (zero-padded to NR columns)
// unless it already is NR contiguous columns in memory; then every MR-row tile of the block runs the
// micro-kernel over A read in place (a tile's last rows past m repeat row m − 1, and are not stored).
// alpha and beta are applied when a tile is stored — beta only for the first slice, never reading C at 0.
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "gemm.h"
#include "ops.h"
#include "pool.h"

namespace pcn {

namespace {

constexpr int kKc = 384;   // depth of a slice
constexpr int kMb = 96;    // rows of A per pass over a slice's panels (kMb × kc in L2; a multiple of every MR: 8, 6, 4)
constexpr int kNc = 2048;  // columns of B packed per slice

// A thread's packing buffer, kept between calls.
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
thread_local Scratch packedB;

// bp[p·nr + c] = B(p0 + p, j0 + c) for p < kc, c < cols; zero for c ≥ cols. Reads B in memory order
// (a row of B for plain B; for transB a row of its storage, which is a column of B).
void packB(const Gemm& g, int j0, int cols, int p0, int kc, int nr, float* bp) {
  if (!g.transB) {
    for (int p = 0; p < kc; p++) {
      float* dst = bp + p * nr;
      std::memcpy(dst, g.b + static_cast<size_t>(p0 + p) * g.n + j0, cols * sizeof(float));
      for (int c = cols; c < nr; c++) dst[c] = 0.0f;
    }
  } else {
    // 16 rows of the panel at a time, so the part being written (16 × NR floats) stays in L1.
    for (int q = 0; q < kc; q += 16) {
      const int qEnd = std::min(kc, q + 16);
      for (int c = 0; c < cols; c++) {
        const float* src = g.b + static_cast<size_t>(j0 + c) * g.k + p0;
        for (int p = q; p < qEnd; p++) bp[p * nr + c] = src[p];
      }
      for (int c = cols; c < nr; c++)
        for (int p = q; p < qEnd; p++) bp[p * nr + c] = 0.0f;
    }
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

// Rows [i0, i1) × columns [j0, j1) of C, on one thread, BLIS's loop order: per kc-deep slice, B's
// columns are packed once (kc × NR panels, a slice of at most kNc columns at a time) and stay in L2
// while every MR-row tile of A streams past them; A is read in place (its tile rows, kc deep, stay in
// L1 across a panel row). B is read in place too where the whole range is NR-column panels of plain B.
void block(const Gemm& g, const Kernel& kern, int i0, int i1, int j0, int j1) {
  const int mr = kern.mr, nr = kern.nr;
  const long aStep = g.transA ? g.m : 1;
  const size_t rowStep = g.transA ? 1 : g.k;
  const bool inPlace = !g.transB && (j1 - j0) % nr == 0;
  const int kcMax = std::min(kKc, g.k);
  float* const bpp = inPlace ? nullptr : packedB.get(static_cast<size_t>(kcMax) * (std::min(kNc, j1 - j0) + nr));
  const float* rows[8];
  alignas(64) float tileOut[8 * 32];
  for (int jc = j0; jc < j1; jc += kNc) {
    const int jEnd = std::min(j1, jc + kNc);
    for (int pc = 0; pc < g.k; pc += kKc) {
      const int kc = std::min(kKc, g.k - pc);
      if (!inPlace)
        for (int jr = jc; jr < jEnd; jr += nr) packB(g, jr, std::min(nr, jEnd - jr), pc, kc, nr, bpp + static_cast<size_t>((jr - jc) / nr) * nr * kc);
      const float* a = g.a + static_cast<size_t>(pc) * aStep;
      for (int ic = i0; ic < i1; ic += kMb) {
        const int iEnd = std::min(i1, ic + kMb);
        for (int jr = jc; jr < jEnd; jr += nr) {
          const float* b = inPlace ? g.b + static_cast<size_t>(pc) * g.n + jr : bpp + static_cast<size_t>((jr - jc) / nr) * nr * kc;
          const long bStep = inPlace ? g.n : nr;
          for (int ir = ic; ir < iEnd; ir += mr) {
            const int live = std::min(mr, iEnd - ir);
            for (int r = 0; r < mr; r++) rows[r] = a + static_cast<size_t>(ir + std::min(r, live - 1)) * rowStep;
            kern.tile(kc, rows, aStep, b, bStep, tileOut);
            store(g, tileOut, nr, ir, jr, live, std::min(nr, jEnd - jr), pc == 0);
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
  // Threads take whole tiles of C along its longer side, in `threads` contiguous chunks claimed
  // dynamically (pool.h): a worker that is late leaves its chunk to the caller. A small product stays on the caller.
  const int colPanels = (g.n + kern.nr - 1) / kern.nr;
  const int rowPanels = (g.m + kern.mr - 1) / kern.mr;
  const bool byColumns = colPanels >= rowPanels;
  const int panels = byColumns ? colPanels : rowPanels;
  const int chunks = static_cast<double>(g.m) * g.k * g.n < minMacs ? 1 : std::min(pool.threads(), panels);
  const auto run = [&](int t) {
    const int first = panels * t / chunks, last = panels * (t + 1) / chunks;
    if (byColumns)
      block(g, kern, 0, g.m, first * kern.nr, std::min(g.n, last * kern.nr));
    else
      block(g, kern, first * kern.mr, std::min(g.m, last * kern.mr), 0, g.n);
  };
  if (chunks == 1)
    run(0);
  else
    pool.run(chunks, run);
}

namespace {
// 2 AVX-512, 1 AVX2 + FMA, 0 neither (or not x86-64).
int isa() {
  static const int level = [] {
#ifdef PCN_X64_KERNELS
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
#endif
    return 0;
  }();
  return level;
}
}  // namespace

#ifdef PCN_X64_KERNELS
const Kernel& bestKernel() {
  static const Kernel best = isa() == 2 ? kernelAvx512() : isa() == 1 ? kernelAvx2() : kernelPortable();
  return best;
}
const Ops& bestOps() {
  static const Ops best = isa() == 2 ? opsAvx512() : isa() == 1 ? opsAvx2() : opsPortable();
  return best;
}
#else
const Kernel& bestKernel() {
  static const Kernel best = kernelPortable();
  return best;
}
const Ops& bestOps() {
  static const Ops best = opsPortable();
  return best;
}
#endif

}  // namespace pcn

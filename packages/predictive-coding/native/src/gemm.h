// Single-precision GEMM for the native backend: C = alpha·op(A)·op(B) + beta·C, row-major. A register
// tile of MR×NR per micro-kernel call; B's panels are packed (or read in place where they already are
// NR contiguous columns), A is read in place through one pointer per tile row, so no thread ever
// packs a block another thread also needs, and the work splits into independent units.
#pragma once

namespace pcn {

// op(A) is m×k (stored m×k, or k×m when transA); op(B) is k×n (stored k×n, or n×k when transB).
// beta = 0 does not read C. C must not overlap A or B.
struct Gemm {
  const float* a;
  const float* b;
  float* c;
  int m, k, n;
  bool transA, transB;
  float alpha, beta;
  // C[i, j] is at c[i·cRow + j·cCol]: (n, 1) for row-major C; (1, m) stores the transposed problem's
  // result into the caller's C (gemm does this for narrow products, see gemm.cc). 0: row-major.
  int cRow = 0, cCol = 1;
};

// One instruction set's micro-kernel, over kc terms:
//   out[r·nr + j] = Σ_{p<kc} a[r][p·aStep] · b[p·bStep + j]   (r < mr, j < nr; out overwritten)
// a holds mr row pointers (a tile's rows of op(A), each read with stride aStep); b is a panel of nr
// columns whose rows are bStep floats apart.
struct Kernel {
  int mr, nr;
  void (*tile)(int kc, const float* const* a, long aStep, const float* b, long bStep, float* out);
  const char* name;
};

Kernel kernelAvx512();
Kernel kernelAvx2();
Kernel kernelPortable();

// The best kernel this CPU runs: AVX-512, else AVX2 + FMA, else portable C++.
const Kernel& bestKernel();

class Pool;

// C = alpha·op(A)·op(B) + beta·C on `pool`'s threads (the calling thread included); a product of
// fewer than `minMacs` multiply-adds stays on the calling thread.
void gemm(const Gemm& g, const Kernel& kernel, Pool& pool, double minMacs);

}  // namespace pcn

// The AVX2 + FMA micro-kernel: a 6×16 tile in 12 ymm accumulators (compiled with -mavx2 -mfma).
#include <immintrin.h>

#include "gemm.h"

namespace pcn {
namespace {

void tile(int kc, const float* const* a, long aStep, const float* b, long bStep, float* out) {
  const float* ar[6];
  for (int r = 0; r < 6; r++) ar[r] = a[r];
  __m256 c[6][2];
  for (int r = 0; r < 6; r++) c[r][0] = c[r][1] = _mm256_setzero_ps();
  for (long p = 0, ia = 0; p < kc; p++, ia += aStep, b += bStep) {
    const __m256 b0 = _mm256_loadu_ps(b);
    const __m256 b1 = _mm256_loadu_ps(b + 8);
    for (int r = 0; r < 6; r++) {
      const __m256 av = _mm256_broadcast_ss(ar[r] + ia);
      c[r][0] = _mm256_fmadd_ps(av, b0, c[r][0]);
      c[r][1] = _mm256_fmadd_ps(av, b1, c[r][1]);
    }
  }
  for (int r = 0; r < 6; r++) {
    _mm256_storeu_ps(out + r * 16, c[r][0]);
    _mm256_storeu_ps(out + r * 16 + 8, c[r][1]);
  }
}

}  // namespace

Kernel kernelAvx2() { return {6, 16, tile, "avx2"}; }

}  // namespace pcn

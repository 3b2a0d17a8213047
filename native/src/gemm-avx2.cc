// The AVX2 + FMA micro-kernel: a 6×16 tile in 12 ymm accumulators (compiled with -mavx2 -mfma).
#include <immintrin.h>

#include "gemm.h"

namespace pcn {
namespace {

void tile(int kc, const float* ap, const float* bp, float* out) {
  __m256 c[6][2];
  for (int r = 0; r < 6; r++) c[r][0] = c[r][1] = _mm256_setzero_ps();
  for (int p = 0; p < kc; p++) {
    const __m256 b0 = _mm256_load_ps(bp + p * 16);
    const __m256 b1 = _mm256_load_ps(bp + p * 16 + 8);
    const float* a = ap + p * 6;
    for (int r = 0; r < 6; r++) {
      const __m256 av = _mm256_broadcast_ss(a + r);
      c[r][0] = _mm256_fmadd_ps(av, b0, c[r][0]);
      c[r][1] = _mm256_fmadd_ps(av, b1, c[r][1]);
    }
  }
  for (int r = 0; r < 6; r++) {
    _mm256_store_ps(out + r * 16, c[r][0]);
    _mm256_store_ps(out + r * 16 + 8, c[r][1]);
  }
}

}  // namespace

Kernel kernelAvx2() { return {6, 16, tile, "avx2"}; }

}  // namespace pcn

// The AVX-512 micro-kernel: an 8×32 tile in 16 zmm accumulators (compiled with -mavx512f -mfma).
#include <immintrin.h>

#include "gemm.h"

namespace pcn {
namespace {

void tile(int kc, const float* const* a, long aStep, const float* b, long bStep, float* out) {
  const float* ar[8];
  for (int r = 0; r < 8; r++) ar[r] = a[r];
  __m512 c[8][2];
  for (int r = 0; r < 8; r++) c[r][0] = c[r][1] = _mm512_setzero_ps();
  for (long p = 0, ia = 0; p < kc; p++, ia += aStep, b += bStep) {
    const __m512 b0 = _mm512_loadu_ps(b);
    const __m512 b1 = _mm512_loadu_ps(b + 16);
    for (int r = 0; r < 8; r++) {
      const __m512 av = _mm512_set1_ps(ar[r][ia]);
      c[r][0] = _mm512_fmadd_ps(av, b0, c[r][0]);
      c[r][1] = _mm512_fmadd_ps(av, b1, c[r][1]);
    }
  }
  for (int r = 0; r < 8; r++) {
    _mm512_storeu_ps(out + r * 32, c[r][0]);
    _mm512_storeu_ps(out + r * 32 + 16, c[r][1]);
  }
}

}  // namespace

Kernel kernelAvx512() { return {8, 32, tile, "avx512"}; }

}  // namespace pcn

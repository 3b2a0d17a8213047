// The portable micro-kernel: a 4×8 tile in plain C++ (what the compiler vectorises for any x86-64 or Arm CPU).
#include "gemm.h"

namespace pcn {
namespace {

void tile(int kc, const float* const* a, long aStep, const float* b, long bStep, float* out) {
  float c[4][8] = {};
  for (long p = 0, ia = 0; p < kc; p++, ia += aStep, b += bStep)
    for (int r = 0; r < 4; r++) {
      const float av = a[r][ia];
      for (int j = 0; j < 8; j++) c[r][j] += av * b[j];
    }
  for (int r = 0; r < 4; r++)
    for (int j = 0; j < 8; j++) out[r * 8 + j] = c[r][j];
}

}  // namespace

Kernel kernelPortable() { return {4, 8, tile, "portable"}; }

}  // namespace pcn

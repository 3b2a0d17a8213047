// The portable micro-kernel: a 4×8 tile in plain C++ (what the compiler vectorises for any x86-64 or Arm CPU).
#include "gemm.h"

namespace pcn {
namespace {

void tile(int kc, const float* ap, const float* bp, float* out) {
  float c[4][8] = {};
  for (int p = 0; p < kc; p++) {
    const float* b = bp + p * 8;
    const float* a = ap + p * 4;
    for (int r = 0; r < 4; r++)
      for (int j = 0; j < 8; j++) c[r][j] += a[r] * b[j];
  }
  for (int r = 0; r < 4; r++)
    for (int j = 0; j < 8; j++) out[r * 8 + j] = c[r][j];
}

}  // namespace

Kernel kernelPortable() { return {4, 8, tile, "portable"}; }

}  // namespace pcn

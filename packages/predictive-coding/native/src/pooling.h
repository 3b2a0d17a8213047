// Pooling for the native backend (NHWC, no padding, as src/kernels/backend.ts defines it): plain loops
// over the channels, which the compiler vectorises; memory-bound, on the calling thread.
#pragma once

namespace pcn {

struct PoolGeometry {
  int n, h, w, c, window, stride;
  int oh() const { return (h - window) / stride + 1; }
  int ow() const { return (w - window) / stride + 1; }
  long inputs() const { return static_cast<long>(n) * h * w * c; }
  long outputs() const { return static_cast<long>(n) * oh() * ow() * c; }
};

// out = the mean of each window (Σ · 1/window², in float32).
void avgPool(const float* x, float* out, const PoolGeometry& g);
// gx = 0, then every position of a window adds gy / window² of its output.
void avgPoolBackward(const float* gy, float* gx, const PoolGeometry& g);
// out = the max of each window, argmax its flat index into x: the first largest in row-major window
// order, or the first NaN (NaN propagates).
void maxPool(const float* x, float* out, int* argmax, const PoolGeometry& g);
// gx = 0, then gx[argmax[o]] += gy[o]; false (nothing written) if an index is outside gx.
bool maxPoolBackward(const float* gy, const int* argmax, float* gx, const PoolGeometry& g);

}  // namespace pcn

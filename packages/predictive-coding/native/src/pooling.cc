#include "pooling.h"

#include <algorithm>

namespace pcn {

void avgPool(const float* x, float* out, const PoolGeometry& g) {
  const float inv = 1.0f / static_cast<float>(g.window * g.window);
  const int oh = g.oh(), ow = g.ow();
  for (int e = 0; e < g.n; e++)
    for (int a = 0; a < oh; a++)
      for (int b = 0; b < ow; b++) {
        const float* corner = x + ((static_cast<long>(e) * g.h + a * g.stride) * g.w + b * g.stride) * g.c;
        float* o = out + ((static_cast<long>(e) * oh + a) * ow + b) * g.c;
        std::fill(o, o + g.c, 0.0f);
        for (int i = 0; i < g.window; i++)
          for (int j = 0; j < g.window; j++) {
            const float* p = corner + (static_cast<long>(i) * g.w + j) * g.c;
            for (int ch = 0; ch < g.c; ch++) o[ch] += p[ch];
          }
        for (int ch = 0; ch < g.c; ch++) o[ch] *= inv;
      }
}

void avgPoolBackward(const float* gy, float* gx, const PoolGeometry& g) {
  std::fill(gx, gx + g.inputs(), 0.0f);
  const float inv = 1.0f / static_cast<float>(g.window * g.window);
  const int oh = g.oh(), ow = g.ow();
  for (int e = 0; e < g.n; e++)
    for (int a = 0; a < oh; a++)
      for (int b = 0; b < ow; b++) {
        float* corner = gx + ((static_cast<long>(e) * g.h + a * g.stride) * g.w + b * g.stride) * g.c;
        const float* o = gy + ((static_cast<long>(e) * oh + a) * ow + b) * g.c;
        for (int i = 0; i < g.window; i++)
          for (int j = 0; j < g.window; j++) {
            float* p = corner + (static_cast<long>(i) * g.w + j) * g.c;
            for (int ch = 0; ch < g.c; ch++) p[ch] += o[ch] * inv;
          }
      }
}

void maxPool(const float* x, float* out, int* argmax, const PoolGeometry& g) {
  const int oh = g.oh(), ow = g.ow();
  for (int e = 0; e < g.n; e++)
    for (int a = 0; a < oh; a++)
      for (int b = 0; b < ow; b++) {
        const long corner = ((static_cast<long>(e) * g.h + a * g.stride) * g.w + b * g.stride) * g.c;
        const long at = ((static_cast<long>(e) * oh + a) * ow + b) * g.c;
        for (int ch = 0; ch < g.c; ch++) {
          long best = corner + ch;
          for (int i = 0; i < g.window; i++)
            for (int j = 0; j < g.window; j++) {
              const long p = corner + (static_cast<long>(i) * g.w + j) * g.c + ch;
              const float v = x[p], bv = x[best];
              if (v > bv || (v != v && bv == bv)) best = p;
            }
          out[at + ch] = x[best];
          argmax[at + ch] = static_cast<int>(best);
        }
      }
}

bool maxPoolBackward(const float* gy, const int* argmax, float* gx, const PoolGeometry& g) {
  const long outputs = g.outputs(), inputs = g.inputs();
  for (long o = 0; o < outputs; o++)
    if (argmax[o] < 0 || argmax[o] >= inputs) return false;
  std::fill(gx, gx + inputs, 0.0f);
  for (long o = 0; o < outputs; o++) gx[argmax[o]] += gy[o];
  return true;
}

}  // namespace pcn

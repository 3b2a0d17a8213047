// Convolutions for the native backend (NHWC, as src/kernels/backend.ts defines them) as GEMMs over
// an im2col matrix built a bounded chunk of examples at a time: the forward pass and the input
// gradient are [rows, kh·kw·c]·[kh·kw·c, k] products and their transposes, the weight gradient is
// Σ over chunks of im2colᵀ·gy. The GEMM's threads do the work; the lowering is a copy.
#pragma once

namespace pcn {

struct ConvGeometry {
  int n, h, w, c, k, kh, kw, stride, pad;
  int oh() const { return (h + 2 * pad - kh) / stride + 1; }
  int ow() const { return (w + 2 * pad - kw) / stride + 1; }
};

class Pool;
struct Kernel;

// out[n, oh, ow, k] = Σ x[n, oh·s + i − p, ow·s + j − p, c] · w[i, j, c, k].
void conv2d(const float* x, const float* w, float* out, const ConvGeometry& g, const Kernel& kern, Pool& pool, double minMacs);
// gx = (the transposed product of gy and w) + beta·gx (beta 0 does not read gx).
void conv2dInputGrad(const float* gy, const float* w, float* gx, const ConvGeometry& g, float beta, const Kernel& kern, Pool& pool, double minMacs);
// gw[i, j, c, k] = alpha · Σ x[n, oh·s + i − p, ow·s + j − p, c] · gy[n, oh, ow, k] (overwritten).
void conv2dWeightGrad(const float* gy, const float* x, float* gw, const ConvGeometry& g, float alpha, const Kernel& kern, Pool& pool, double minMacs);

}  // namespace pcn

// The native backend's elementwise and fused predictive-coding passes (everything but the GEMM that
// reads and writes each array once). One source (ops-impl.h), compiled once per instruction set;
// the addon picks the table the CPU runs, as it picks the GEMM micro-kernel.
#pragma once

namespace pcn {

struct AdamParams {
  float lr, beta1, beta2, a1, a2, epsilon, weightDecay, c1, c2;
  bool decoupled;
};

// Each pass covers elements [i0, i1) (rows [i0, i1) for the row-wise ones), so the addon can split it across threads.
struct Ops {
  // Activation kinds as in src/kernels/backend.ts ACTIVATIONS: 0 linear, 1 tanh, 2 sigmoid, 3 relu, 4 leaky-relu, 5 gelu, 6 hard-tanh.
  void (*activate)(int kind, const float* x, float* out, long i0, long i1);
  void (*derivative)(int kind, const float* x, float* out, long i0, long i1);
  void (*both)(int kind, const float* x, float* fx, float* dfx, long i0, long i1);
  void (*axpy)(float alpha, const float* x, float* y, long i0, long i1);
  void (*scale)(float alpha, float* x, long i0, long i1);
  void (*sub)(const float* a, const float* b, float* out, long i0, long i1);
  void (*mul)(const float* a, const float* b, float* out, long i0, long i1);
  void (*fill)(float value, float* x, long i0, long i1);
  // out[r, c] = x[r, c] + v[c], rows [r0, r1).
  void (*addRowVector)(const float* x, const float* v, float* out, long cols, long r0, long r1);
  // out[r, c] = x[r, c] − mu[r, c] − b[c], rows [r0, r1).
  void (*predictionError)(const float* x, const float* mu, const float* b, float* out, long cols, long r0, long r1);
  // d = ε − f'(x) ⊙ g (null eps or g drops that term), v ← momentum·v + d, x ← x − eta·v.
  void (*valueStep)(float* x, float* v, const float* eps, const float* dfx, const float* g, float eta, float momentum, long i0, long i1);
  void (*adamStep)(float* p, const float* g, float* m, float* v, const AdamParams& a, long i0, long i1);
  // SGD with optional momentum (null v: none) and L2 weight decay.
  void (*sgdStep)(float* p, const float* g, float* v, float lr, float momentum, float weightDecay, long i0, long i1);
  // Σ x² over [i0, i1), in float64.
  double (*sumSquares)(const float* x, long i0, long i1);
  // Row-wise over rows [r0, r1) of a rows × cols matrix: sums, maxima (NaN propagates), the first
  // index of the maximum (a NaN never wins), and softmax (out may be x).
  void (*rowSums)(const float* x, float* out, long cols, long r0, long r1);
  void (*rowMax)(const float* x, float* out, long cols, long r0, long r1);
  void (*rowArgmax)(const float* x, int* out, long cols, long r0, long r1);
  void (*softmax)(const float* x, float* out, long cols, long r0, long r1);
  // out[c] = Σ_r x[r, c] for columns [c0, c1).
  void (*columnSums)(const float* x, float* out, long rows, long cols, long c0, long c1);
  const char* name;
};

Ops opsAvx512();
Ops opsAvx2();
Ops opsPortable();

// The table for this CPU (the same choice as bestKernel()).
const Ops& bestOps();

}  // namespace pcn

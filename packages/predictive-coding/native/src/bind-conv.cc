// The bindings of the convolutions (conv.h) and pooling (pooling.h).
#include "binding.h"
#include "conv.h"
#include "gemm.h"
#include "pooling.h"

namespace pcn::addon {

// The geometry (n, h, w, c, k, kh, kw, stride, pad) from arguments first .. first + 8, checked so the
// loops stay inside the arrays (src/kernels/conv-ops.ts checks it for users, with fuller messages).
static bool geometry(Args& a, size_t first, pcn::ConvGeometry* g) {
  long v[9];
  for (size_t i = 0; i < 9; i++) v[i] = a.count(first + i);
  if (!a.ok()) return false;
  *g = pcn::ConvGeometry{static_cast<int>(v[0]), static_cast<int>(v[1]), static_cast<int>(v[2]), static_cast<int>(v[3]), static_cast<int>(v[4]),
                         static_cast<int>(v[5]), static_cast<int>(v[6]), static_cast<int>(v[7]), static_cast<int>(v[8])};
  return g->kh >= 1 && g->kw >= 1 && g->stride >= 1 && g->h + 2 * g->pad >= g->kh && g->w + 2 * g->pad >= g->kw;
}
static double sizeOf(double a, double b, double c, double d) { return a * b * c * d; }

// conv2d(x, w, out, n, h, w, c, k, kh, kw, stride, pad); conv2dInputGrad(gy, w, gx, …, beta); conv2dWeightGrad(gy, x, gw, …, alpha).
napi_value Conv(napi_env env, napi_callback_info info) {
  const int which = variant(env, info);
  const char* name = which == 0 ? "conv2d" : which == 1 ? "conv2dInputGrad" : "conv2dWeightGrad";
  Args a(env, info, which == 0 ? 12 : 13, name);
  pcn::ConvGeometry g{};
  if (!geometry(a, 3, &g)) {
    if (a.ok()) fail(env, std::string(name) + ": the kernel does not fit the padded input");
    return nullptr;
  }
  const double xs = sizeOf(g.n, g.h, g.w, g.c), ws = sizeOf(g.kh, g.kw, g.c, g.k), ys = sizeOf(g.n, g.oh(), g.ow(), g.k);
  const float scalar = which == 0 ? 0.0f : static_cast<float>(a.num(12));
  const pcn::Kernel& kern = pcn::bestKernel();
  if (which == 0) {
    const float* x = a.arr(0, xs);
    const float* w = a.arr(1, ws);
    float* out = a.arr(2, ys);
    if (a.ok()) pcn::conv2d(x, w, out, g, kern, *pool, minMacs);
  } else if (which == 1) {
    const float* gy = a.arr(0, ys);
    const float* w = a.arr(1, ws);
    float* gx = a.arr(2, xs);
    if (a.ok()) pcn::conv2dInputGrad(gy, w, gx, g, scalar, kern, *pool, minMacs);
  } else {
    const float* gy = a.arr(0, ys);
    const float* x = a.arr(1, xs);
    float* gw = a.arr(2, ws);
    if (a.ok()) pcn::conv2dWeightGrad(gy, x, gw, g, scalar, kern, *pool, minMacs);
  }
  return nullptr;
}

// avgPool(x, out, …), avgPoolBackward(gy, gx, …), maxPool(x, out, argmax, …), maxPoolBackward(gy, argmax, gx, …),
// each ending with the geometry n, h, w, c, window, stride. The function's data says which (0–3).
napi_value Pooling(napi_env env, napi_callback_info info) {
  const int which = variant(env, info);
  static const char* names[] = {"avgPool", "avgPoolBackward", "maxPool", "maxPoolBackward"};
  const size_t arrays = which < 2 ? 2 : 3;
  Args a(env, info, arrays + 6, names[which]);
  long v[6];
  for (size_t i = 0; i < 6; i++) v[i] = a.count(arrays + i);
  if (!a.ok()) return nullptr;
  const pcn::PoolGeometry g{static_cast<int>(v[0]), static_cast<int>(v[1]), static_cast<int>(v[2]), static_cast<int>(v[3]), static_cast<int>(v[4]), static_cast<int>(v[5])};
  if (g.window < 1 || g.stride < 1 || g.window > g.h || g.window > g.w) return fail(env, std::string(names[which]) + ": the window does not fit the input");
  const double in = static_cast<double>(g.inputs()), out = static_cast<double>(g.outputs());
  if (which == 0) {
    const float* x = a.arr(0, in);
    float* y = a.arr(1, out);
    if (a.ok()) pcn::avgPool(x, y, g);
  } else if (which == 1) {
    const float* gy = a.arr(0, out);
    float* gx = a.arr(1, in);
    if (a.ok()) pcn::avgPoolBackward(gy, gx, g);
  } else if (which == 2) {
    const float* x = a.arr(0, in);
    float* y = a.arr(1, out);
    int* arg = a.ints(2, out);
    if (a.ok()) pcn::maxPool(x, y, arg, g);
  } else {
    const float* gy = a.arr(0, out);
    const int* arg = a.ints(1, out);
    float* gx = a.arr(2, in);
    if (a.ok() && !pcn::maxPoolBackward(gy, arg, gx, g)) return fail(env, "maxPoolBackward: an argmax index lies outside x (not maxPool's output for this geometry)");
  }
  return nullptr;
}

}  // namespace pcn::addon

// The bindings of the elementwise, fused and row/column passes (ops.h) — each checks its arguments,
// then runs its pass, split across the pool when large.
#include "binding.h"
#include "ops.h"

namespace pcn::addon {

// activate(kind, x, out, n) and activateDerivative(kind, x, out, n) (the function's data: non-null for f').
napi_value Activate(napi_env env, napi_callback_info info) {
  const bool derivative = variant(env, info) != 0;
  Args a(env, info, 4, derivative ? "activateDerivative" : "activate");
  const int kind = static_cast<int>(a.num(0));
  const long n = a.count(3);
  const float* x = a.arr(1, n);
  float* out = a.arr(2, n);
  if (a.ok())
    parallel(n, minFor(kind), 1, [&](long i0, long i1) { (derivative ? pcn::bestOps().derivative : pcn::bestOps().activate)(kind, x, out, i0, i1); });
  return nullptr;
}
// activateBoth(kind, x, fx, dfx, n).
napi_value Both(napi_env env, napi_callback_info info) {
  Args a(env, info, 5, "activateBoth");
  const int kind = static_cast<int>(a.num(0));
  const long n = a.count(4);
  const float* x = a.arr(1, n);
  float* fx = a.arr(2, n);
  float* dfx = a.arr(3, n);
  if (a.ok()) parallel(n, minFor(kind), 1, [&](long i0, long i1) { pcn::bestOps().both(kind, x, fx, dfx, i0, i1); });
  return nullptr;
}
// axpy(alpha, x, y, n): y += alpha·x.
napi_value Axpy(napi_env env, napi_callback_info info) {
  Args a(env, info, 4, "axpy");
  const float alpha = static_cast<float>(a.num(0));
  const long n = a.count(3);
  const float* x = a.arr(1, n);
  float* y = a.arr(2, n);
  if (a.ok()) parallel(n, minElements, 1, [&](long i0, long i1) { pcn::bestOps().axpy(alpha, x, y, i0, i1); });
  return nullptr;
}
// scale(alpha, x, n).
napi_value Scale(napi_env env, napi_callback_info info) {
  Args a(env, info, 3, "scale");
  const float alpha = static_cast<float>(a.num(0));
  const long n = a.count(2);
  float* x = a.arr(1, n);
  if (a.ok()) parallel(n, minElements, 1, [&](long i0, long i1) { pcn::bestOps().scale(alpha, x, i0, i1); });
  return nullptr;
}
// sub(a, b, out, n), mul(a, b, out, n): which 0 sub, 1 mul (the function's data).
napi_value SubMul(napi_env env, napi_callback_info info) {
  const bool isMul = variant(env, info) != 0;
  Args a(env, info, 4, isMul ? "mul" : "sub");
  const long n = a.count(3);
  const float* x = a.arr(0, n);
  const float* y = a.arr(1, n);
  float* out = a.arr(2, n);
  if (a.ok())
    parallel(n, minElements, 1, [&](long i0, long i1) { (isMul ? pcn::bestOps().mul : pcn::bestOps().sub)(x, y, out, i0, i1); });
  return nullptr;
}
// fill(x, value, n).
napi_value Fill(napi_env env, napi_callback_info info) {
  Args a(env, info, 3, "fill");
  const float value = static_cast<float>(a.num(1));
  const long n = a.count(2);
  float* x = a.arr(0, n);
  if (a.ok()) parallel(n, minElements, 1, [&](long i0, long i1) { pcn::bestOps().fill(value, x, i0, i1); });
  return nullptr;
}
// addRowVector(x, v, out, rows, cols).
napi_value AddRowVector(napi_env env, napi_callback_info info) {
  Args a(env, info, 5, "addRowVector");
  const long rows = a.count(3), cols = a.count(4);
  const double n = static_cast<double>(rows) * cols;
  const float* x = a.arr(0, n);
  const float* v = a.arr(1, cols);
  float* out = a.arr(2, n);
  if (a.ok()) parallel(rows, minElements, std::max(1L, cols), [&](long r0, long r1) { pcn::bestOps().addRowVector(x, v, out, cols, r0, r1); });
  return nullptr;
}
// predictionError(x, mu, b, out, rows, cols).
napi_value PredictionError(napi_env env, napi_callback_info info) {
  Args a(env, info, 6, "predictionError");
  const long rows = a.count(4), cols = a.count(5);
  const double n = static_cast<double>(rows) * cols;
  const float* x = a.arr(0, n);
  const float* mu = a.arr(1, n);
  const float* b = a.arr(2, cols);
  float* out = a.arr(3, n);
  if (a.ok())
    parallel(rows, minElements, std::max(1L, cols), [&](long r0, long r1) { pcn::bestOps().predictionError(x, mu, b, out, cols, r0, r1); });
  return nullptr;
}
// valueStep(x, v, eps | null, dfx | null, g | null, eta, momentum, n): the g term needs both dfx and g.
napi_value ValueStep(napi_env env, napi_callback_info info) {
  Args a(env, info, 8, "valueStep");
  const float eta = static_cast<float>(a.num(5)), momentum = static_cast<float>(a.num(6));
  const long n = a.count(7);
  float* x = a.arr(0, n);
  float* v = a.arr(1, n);
  const float* eps = a.arr(2, n, true);
  // The g term needs both; where either is absent the other is not read (nor checked), as in wasm's kernel.
  const bool term = a.arr(3, 0, true) != nullptr && a.arr(4, 0, true) != nullptr;
  const float* dfx = term ? a.arr(3, n) : nullptr;
  const float* g = term ? a.arr(4, n) : nullptr;
  if (a.ok()) parallel(n, minElements, 1, [&](long i0, long i1) { pcn::bestOps().valueStep(x, v, eps, dfx, g, eta, momentum, i0, i1); });
  return nullptr;
}
// adamStep(p, g, m, v, n, lr, beta1, beta2, a1, a2, epsilon, weightDecay, decoupled, c1, c2).
napi_value AdamStep(napi_env env, napi_callback_info info) {
  Args a(env, info, 15, "adamStep");
  const long n = a.count(4);
  float* p = a.arr(0, n);
  const float* g = a.arr(1, n);
  float* m = a.arr(2, n);
  float* v = a.arr(3, n);
  float f[10];
  for (int i = 0; i < 10; i++) f[i] = static_cast<float>(a.num(5 + i));
  const pcn::AdamParams params{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[8], f[9], f[7] != 0.0f};
  if (a.ok()) parallel(n, minElements / 2, 1, [&](long i0, long i1) { pcn::bestOps().adamStep(p, g, m, v, params, i0, i1); });
  return nullptr;
}
// sgdStep(p, g, v | null, n, lr, momentum, weightDecay).
napi_value SgdStep(napi_env env, napi_callback_info info) {
  Args a(env, info, 7, "sgdStep");
  const long n = a.count(3);
  float* p = a.arr(0, n);
  const float* g = a.arr(1, n);
  float* v = a.arr(2, n, true);
  const float lr = static_cast<float>(a.num(4)), momentum = static_cast<float>(a.num(5)), wd = static_cast<float>(a.num(6));
  if (a.ok()) parallel(n, minElements, 1, [&](long i0, long i1) { pcn::bestOps().sgdStep(p, g, v, lr, momentum, wd, i0, i1); });
  return nullptr;
}
// sumSquares(x, n) → Σ x² in float64, on the calling thread (the same sum whatever the thread count).
napi_value SumSquares(napi_env env, napi_callback_info info) {
  Args a(env, info, 2, "sumSquares");
  const long n = a.count(1);
  const float* x = a.arr(0, n);
  if (!a.ok()) return nullptr;
  napi_value out;
  napi_create_double(env, pcn::bestOps().sumSquares(x, 0, n), &out);
  return out;
}

// rowSums, rowMax, rowArgmax, softmax (x, out, rows, cols), row-wise; columnSums (x, out, rows, cols).
// The function's data says which: 0 rowSums, 1 rowMax, 2 rowArgmax, 3 softmax, 4 columnSums.
napi_value Rows(napi_env env, napi_callback_info info) {
  const int which = variant(env, info);
  static const char* names[] = {"rowSums", "rowMax", "rowArgmax", "softmax", "columnSums"};
  Args a(env, info, 4, names[which]);
  const long rows = a.count(2), cols = a.count(3);
  const double n = static_cast<double>(rows) * cols;
  const float* x = a.arr(0, n);
  const pcn::Ops& ops = pcn::bestOps();
  if (which == 2) {
    int* out = a.ints(1, rows);
    if (a.ok()) ops.rowArgmax(x, out, cols, 0, rows);
    return nullptr;
  }
  float* out = a.arr(1, which == 3 ? n : which == 4 ? cols : rows);
  if (!a.ok()) return nullptr;
  if (which == 4)
    parallel(cols, minElements, std::max(1L, rows), [&](long c0, long c1) { ops.columnSums(x, out, rows, cols, c0, c1); });
  else
    parallel(rows, minElements, std::max(1L, cols), [&](long r0, long r1) {
      (which == 0 ? ops.rowSums : which == 1 ? ops.rowMax : ops.softmax)(x, out, cols, r0, r1);
    });
  return nullptr;
}

}  // namespace pcn::addon

// The Node-API face of the native kernels: matmul over Float32Arrays (their memory read and
// written in place — JS heap or wasm linear memory alike), the kernel and thread count in use.
// Argument checks live in TypeScript (src/kernels/native/); these only refuse what would crash.
#include <node_api.h>

#include <algorithm>
#include <memory>
#include <string>
#include <thread>

#include "conv.h"
#include "gemm.h"
#include "ops.h"
#include "pool.h"
#include "pooling.h"

namespace {

std::unique_ptr<pcn::Pool> pool;
// Products smaller than this stay on the calling thread (waking a worker costs more).
double minMacs = 65536.0;

napi_value fail(napi_env env, const std::string& message) {
  napi_throw_error(env, "PC_NATIVE", message.c_str());
  return nullptr;
}

bool floats(napi_env env, napi_value v, float** data, size_t* length) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return false;
  napi_typedarray_type type;
  void* p = nullptr;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, length, &p, &buffer, &offset) != napi_ok || type != napi_float32_array) return false;
  *data = static_cast<float*>(p);
  return true;
}

bool number(napi_env env, napi_value v, double* out) { return napi_get_value_double(env, v, out) == napi_ok; }

// matmul(a, b, c, m, k, n, flags, alpha, beta): flags bit 0 transA, bit 1 transB.
napi_value Matmul(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 9) return fail(env, "matmul: expected 9 arguments");
  float *a, *b, *c;
  size_t la, lb, lc;
  if (!floats(env, argv[0], &a, &la) || !floats(env, argv[1], &b, &lb) || !floats(env, argv[2], &c, &lc))
    return fail(env, "matmul: a, b and c must be Float32Arrays");
  double d[6];
  for (int i = 0; i < 6; i++)
    if (!number(env, argv[3 + i], &d[i])) return fail(env, "matmul: m, k, n, flags, alpha and beta must be numbers");
  const double m = d[0], k = d[1], n = d[2];
  if (!(m >= 0 && k >= 0 && n >= 0 && m < 2147483647.0 && k < 2147483647.0 && n < 2147483647.0) || m * k > la || k * n > lb || m * n > lc)
    return fail(env, "matmul: the arrays are shorter than m, k and n say");
  const int flags = static_cast<int>(d[3]);
  pcn::Gemm g{a, b, c, static_cast<int>(m), static_cast<int>(k), static_cast<int>(n), (flags & 1) != 0, (flags & 2) != 0, static_cast<float>(d[4]),
              static_cast<float>(d[5])};
  pcn::gemm(g, pcn::bestKernel(), *pool, minMacs);
  return nullptr;
}

// The arguments of one pass: Float32Arrays (null where optional) holding at least the elements the
// pass touches, and numbers. A failed check leaves a pending JS error and makes ok() false.
class Args {
 public:
  Args(napi_env env, napi_callback_info info, size_t count, const char* name) : env_(env), name_(name) {
    size_t argc = count;
    napi_get_cb_info(env, info, &argc, argv_, nullptr, nullptr);
    ok_ = argc == count && count <= 16;
    if (!ok_) fail(env, std::string(name) + ": expected " + std::to_string(count) + " arguments");
  }
  bool ok() const { return ok_; }
  double num(size_t i) {
    double d = 0;
    if (ok_ && !number(env_, argv_[i], &d)) bad("numbers where numbers are expected");
    return d;
  }
  // A count: an integer in [0, 2^31).
  long count(size_t i) {
    const double d = num(i);
    if (ok_ && !(d >= 0 && d < 2147483647.0 && d == static_cast<double>(static_cast<long>(d)))) bad("counts that are integers >= 0");
    return ok_ ? static_cast<long>(d) : 0;
  }
  int* ints(size_t i, double needed) {
    if (!ok_) return nullptr;
    bool is = false;
    napi_typedarray_type type;
    void* p = nullptr;
    size_t length = 0;
    napi_value buffer;
    size_t offset;
    if (napi_is_typedarray(env_, argv_[i], &is) != napi_ok || !is ||
        napi_get_typedarray_info(env_, argv_[i], &type, &length, &p, &buffer, &offset) != napi_ok || type != napi_int32_array)
      bad("an Int32Array for the indices");
    else if (needed > static_cast<double>(length))
      bad("arrays at least as long as the counts say (an array is shorter)");
    return static_cast<int*>(p);
  }
  float* arr(size_t i, double needed, bool optional = false) {
    if (!ok_) return nullptr;
    napi_valuetype t;
    if (optional && napi_typeof(env_, argv_[i], &t) == napi_ok && (t == napi_null || t == napi_undefined)) return nullptr;
    float* p = nullptr;
    size_t length = 0;
    if (!floats(env_, argv_[i], &p, &length)) bad("Float32Arrays");
    else if (needed > static_cast<double>(length)) bad("arrays at least as long as the counts say (an array is shorter)");
    return p;
  }

 private:
  void bad(const char* what) {
    if (ok_) fail(env_, std::string(name_) + ": " + what);
    ok_ = false;
  }
  napi_env env_;
  const char* name_;
  napi_value argv_[16];
  bool ok_;
};

// Runs f(i0, i1) over [0, n): in one call when n·rowLength < minN, else one chunk per thread (whole
// 16-float vectors, or whole rows when rowLength > 1), claimed like the GEMM's chunks.
template <typename F>
void parallel(long n, long minN, long rowLength, const F& f) {
  const int threads = pool->threads();
  if (threads == 1 || n * rowLength < minN) {
    f(0, n);
    return;
  }
  const long step = rowLength > 1 ? 1 : 16;
  const long units = (n + step - 1) / step;
  const int chunks = static_cast<int>(std::min<long>(threads, units));
  pool->run(chunks, [&](int c) {
    const long a = std::min(n, units * c / chunks * step), b = std::min(n, units * (c + 1) / chunks * step);
    if (a < b) f(a, b);
  });
}

// Passes split across threads from this many elements; transcendental activations from kMinMath.
long minElements = 32768;
constexpr long kMinMath = 4096;
long minFor(int kind) { return kind == 1 || kind == 2 || kind == 5 ? std::min(kMinMath, minElements) : minElements; }

// activate(kind, x, out, n) and activateDerivative(kind, x, out, n) (the function's data: non-null for f').
napi_value Activate(napi_env env, napi_callback_info info) {
  void* data = nullptr;
  size_t none = 0;
  napi_get_cb_info(env, info, &none, nullptr, nullptr, &data);
  const bool derivative = data != nullptr;
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
  void* data = nullptr;
  size_t none = 0;
  napi_get_cb_info(env, info, &none, nullptr, nullptr, &data);
  const bool isMul = data != nullptr;
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
  void* data = nullptr;
  size_t none = 0;
  napi_get_cb_info(env, info, &none, nullptr, nullptr, &data);
  const int which = *static_cast<int*>(data);
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

// The geometry (n, h, w, c, k, kh, kw, stride, pad) from arguments first .. first + 8, checked so the
// loops stay inside the arrays (src/kernels/conv-ops.ts checks it for users, with fuller messages).
bool geometry(Args& a, size_t first, pcn::ConvGeometry* g) {
  long v[9];
  for (size_t i = 0; i < 9; i++) v[i] = a.count(first + i);
  if (!a.ok()) return false;
  *g = pcn::ConvGeometry{static_cast<int>(v[0]), static_cast<int>(v[1]), static_cast<int>(v[2]), static_cast<int>(v[3]), static_cast<int>(v[4]),
                         static_cast<int>(v[5]), static_cast<int>(v[6]), static_cast<int>(v[7]), static_cast<int>(v[8])};
  return g->kh >= 1 && g->kw >= 1 && g->stride >= 1 && g->h + 2 * g->pad >= g->kh && g->w + 2 * g->pad >= g->kw;
}
double sizeOf(double a, double b, double c, double d) { return a * b * c * d; }

// conv2d(x, w, out, n, h, w, c, k, kh, kw, stride, pad); conv2dInputGrad(gy, w, gx, …, beta); conv2dWeightGrad(gy, x, gw, …, alpha).
napi_value Conv(napi_env env, napi_callback_info info) {
  void* data = nullptr;
  size_t none = 0;
  napi_get_cb_info(env, info, &none, nullptr, nullptr, &data);
  const int which = data ? *static_cast<int*>(data) : 0;
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
  void* data = nullptr;
  size_t none = 0;
  napi_get_cb_info(env, info, &none, nullptr, nullptr, &data);
  const int which = *static_cast<int*>(data);
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

// setThreads(n, minMacs, minElements, spinMicros): a new pool of n threads (the caller included), used
// for products of at least minMacs multiply-adds and passes over at least minElements elements, whose
// idle workers spin spinMicros before they sleep.
napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  double n = 0, macs = 0, elements = 0, spin = 0;
  if (argc != 4 || !number(env, argv[0], &n) || !(n >= 1 && n <= 256) || !number(env, argv[1], &macs) || !(macs >= 0) ||
      !number(env, argv[2], &elements) || !(elements >= 1) || !number(env, argv[3], &spin) || !(spin >= 0 && spin <= 1e6))
    return fail(env, "setThreads: expected a thread count in 1..256, minimum sizes >= 0 and >= 1, and a spin time in 0..1e6 µs");
  minElements = static_cast<long>(std::min(elements, 2147483647.0));
  pool.reset();
  pool = std::make_unique<pcn::Pool>(static_cast<int>(n), static_cast<int>(spin));
  minMacs = macs;
  return nullptr;
}

// info(): { kernel, threads, cores }.
napi_value Info(napi_env env, napi_callback_info) {
  napi_value o, kernel, threads, cores;
  napi_create_object(env, &o);
  napi_create_string_utf8(env, pcn::bestKernel().name, NAPI_AUTO_LENGTH, &kernel);
  napi_create_int32(env, pool->threads(), &threads);
  napi_create_int32(env, static_cast<int>(std::thread::hardware_concurrency()), &cores);
  napi_set_named_property(env, o, "kernel", kernel);
  napi_set_named_property(env, o, "threads", threads);
  napi_set_named_property(env, o, "cores", cores);
  return o;
}

napi_value Init(napi_env env, napi_value exports) {
  pool = std::make_unique<pcn::Pool>(1, 0);
  // Non-null data marks the second function of a shared binding (mul, activateDerivative) and which convolution.
  static int isMul = 1, convInput = 1, convWeight = 2;
  static int rowKinds[] = {0, 1, 2, 3, 4};  // also the pooling functions' 0–3
  const napi_property_descriptor props[] = {
      {"matmul", nullptr, Matmul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"activate", nullptr, Activate, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"activateDerivative", nullptr, Activate, nullptr, nullptr, nullptr, napi_default, &isMul},
      {"activateBoth", nullptr, Both, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"axpy", nullptr, Axpy, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"scale", nullptr, Scale, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sub", nullptr, SubMul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"mul", nullptr, SubMul, nullptr, nullptr, nullptr, napi_default, &isMul},
      {"fill", nullptr, Fill, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"addRowVector", nullptr, AddRowVector, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"predictionError", nullptr, PredictionError, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"valueStep", nullptr, ValueStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamStep", nullptr, AdamStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sgdStep", nullptr, SgdStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumSquares", nullptr, SumSquares, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"rowSums", nullptr, Rows, nullptr, nullptr, nullptr, napi_default, &rowKinds[0]},
      {"rowMax", nullptr, Rows, nullptr, nullptr, nullptr, napi_default, &rowKinds[1]},
      {"rowArgmax", nullptr, Rows, nullptr, nullptr, nullptr, napi_default, &rowKinds[2]},
      {"softmax", nullptr, Rows, nullptr, nullptr, nullptr, napi_default, &rowKinds[3]},
      {"columnSums", nullptr, Rows, nullptr, nullptr, nullptr, napi_default, &rowKinds[4]},
      {"avgPool", nullptr, Pooling, nullptr, nullptr, nullptr, napi_default, &rowKinds[0]},
      {"avgPoolBackward", nullptr, Pooling, nullptr, nullptr, nullptr, napi_default, &rowKinds[1]},
      {"maxPool", nullptr, Pooling, nullptr, nullptr, nullptr, napi_default, &rowKinds[2]},
      {"maxPoolBackward", nullptr, Pooling, nullptr, nullptr, nullptr, napi_default, &rowKinds[3]},
      {"conv2d", nullptr, Conv, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dInputGrad", nullptr, Conv, nullptr, nullptr, nullptr, napi_default, &convInput},
      {"conv2dWeightGrad", nullptr, Conv, nullptr, nullptr, nullptr, napi_default, &convWeight},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)

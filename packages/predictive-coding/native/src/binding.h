// What the addon's bindings share: the thread pool and its thresholds, argument checks that turn a
// bad call into a pending JS error (never a crash), the split of a pass across the pool, and the
// bindings addon.cc registers. Argument checks for users live in TypeScript (src/kernels/native/);
// these only refuse what would crash.
#pragma once

#include <node_api.h>

#include <algorithm>
#include <memory>
#include <string>

#include "pool.h"

namespace pcn::addon {

inline std::unique_ptr<pcn::Pool> pool;
// Products smaller than this stay on the calling thread (waking a worker costs more); setThreads sets it.
inline double minMacs = 65536.0;

inline napi_value fail(napi_env env, const std::string& message) {
  napi_throw_error(env, "PC_NATIVE", message.c_str());
  return nullptr;
}

inline bool floats(napi_env env, napi_value v, float** data, size_t* length) {
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

inline bool number(napi_env env, napi_value v, double* out) { return napi_get_value_double(env, v, out) == napi_ok; }

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
inline long minElements = 32768;
constexpr long kMinMath = 4096;
// Which of the functions sharing one binding was called: the int its registration points to (addon.cc), 0 where none.
inline int variant(napi_env env, napi_callback_info info) {
  void* data = nullptr;
  size_t none = 0;
  napi_get_cb_info(env, info, &none, nullptr, nullptr, &data);
  return data ? *static_cast<int*>(data) : 0;
}

inline long minFor(int kind) { return kind == 1 || kind == 2 || kind == 5 ? std::min(kMinMath, minElements) : minElements; }

// The bindings (bind-ops.cc, bind-conv.cc), each documented where it is defined.
napi_value Activate(napi_env env, napi_callback_info info);
napi_value Both(napi_env env, napi_callback_info info);
napi_value Axpy(napi_env env, napi_callback_info info);
napi_value Scale(napi_env env, napi_callback_info info);
napi_value SubMul(napi_env env, napi_callback_info info);
napi_value Fill(napi_env env, napi_callback_info info);
napi_value AddRowVector(napi_env env, napi_callback_info info);
napi_value PredictionError(napi_env env, napi_callback_info info);
napi_value ValueStep(napi_env env, napi_callback_info info);
napi_value AdamStep(napi_env env, napi_callback_info info);
napi_value SgdStep(napi_env env, napi_callback_info info);
napi_value SumSquares(napi_env env, napi_callback_info info);
napi_value Rows(napi_env env, napi_callback_info info);
napi_value Conv(napi_env env, napi_callback_info info);
napi_value Pooling(napi_env env, napi_callback_info info);

}  // namespace pcn::addon

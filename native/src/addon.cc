// The Node-API face of the native kernels: matmul over Float32Arrays (their memory read and
// written in place — JS heap or wasm linear memory alike), the kernel and thread count in use.
// Argument checks live in TypeScript (src/kernels/native/); these only refuse what would crash.
#include <node_api.h>

#include <memory>
#include <string>
#include <thread>

#include "gemm.h"
#include "pool.h"

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

// setThreads(n, minMacs, spinMicros): a new pool of n threads (the caller included), used for products
// of at least minMacs multiply-adds, whose idle workers spin spinMicros before they sleep.
napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  double n = 0, macs = 0, spin = 0;
  if (argc != 3 || !number(env, argv[0], &n) || !(n >= 1 && n <= 256) || !number(env, argv[1], &macs) || !(macs >= 0) ||
      !number(env, argv[2], &spin) || !(spin >= 0 && spin <= 1e6))
    return fail(env, "setThreads: expected a thread count in 1..256, a minimum product size >= 0 and a spin time in 0..1e6 µs");
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
  const napi_property_descriptor props[] = {
      {"matmul", nullptr, Matmul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, 3, props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)

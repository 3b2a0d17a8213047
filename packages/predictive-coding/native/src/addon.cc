// The Node-API face of the native kernels: the module's functions over Float32Arrays (their memory
// read and written in place — JS heap or wasm linear memory alike), the kernel and thread count in
// use. The bindings of the passes are in bind-ops.cc and bind-conv.cc; what they share, binding.h.
#include <node_api.h>

#include <memory>
#include <string>
#include <thread>

#include "binding.h"
#include "gemm.h"
#include "pool.h"

namespace pcn::addon {
namespace {

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
  const auto count = [](double v) { return v >= 0 && v < 2147483647.0 && v == static_cast<double>(static_cast<long>(v)); };
  if (!(count(m) && count(k) && count(n))) return fail(env, "matmul: m, k and n must be integers >= 0");
  if (m * k > la || k * n > lb || m * n > lc) return fail(env, "matmul: the arrays are shorter than m, k and n say");
  const int flags = static_cast<int>(d[3]);
  pcn::Gemm g{a, b, c, static_cast<int>(m), static_cast<int>(k), static_cast<int>(n), (flags & 1) != 0, (flags & 2) != 0, static_cast<float>(d[4]),
              static_cast<float>(d[5])};
  pcn::gemm(g, pcn::bestKernel(), *pool, minMacs);
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
  // Functions that share a binding point at the number variant() hands it (binding.h): 0 where none.
  static int v[] = {0, 1, 2, 3, 4};
  const napi_property_descriptor props[] = {
      {"matmul", nullptr, Matmul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"activate", nullptr, Activate, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"activateDerivative", nullptr, Activate, nullptr, nullptr, nullptr, napi_default, &v[1]},
      {"activateBoth", nullptr, Both, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"axpy", nullptr, Axpy, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"scale", nullptr, Scale, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sub", nullptr, SubMul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"mul", nullptr, SubMul, nullptr, nullptr, nullptr, napi_default, &v[1]},
      {"fill", nullptr, Fill, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"addRowVector", nullptr, AddRowVector, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"predictionError", nullptr, PredictionError, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"valueStep", nullptr, ValueStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamStep", nullptr, AdamStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sgdStep", nullptr, SgdStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumSquares", nullptr, SumSquares, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"rowSums", nullptr, Rows, nullptr, nullptr, nullptr, napi_default, &v[0]},
      {"rowMax", nullptr, Rows, nullptr, nullptr, nullptr, napi_default, &v[1]},
      {"rowArgmax", nullptr, Rows, nullptr, nullptr, nullptr, napi_default, &v[2]},
      {"softmax", nullptr, Rows, nullptr, nullptr, nullptr, napi_default, &v[3]},
      {"columnSums", nullptr, Rows, nullptr, nullptr, nullptr, napi_default, &v[4]},
      {"avgPool", nullptr, Pooling, nullptr, nullptr, nullptr, napi_default, &v[0]},
      {"avgPoolBackward", nullptr, Pooling, nullptr, nullptr, nullptr, napi_default, &v[1]},
      {"maxPool", nullptr, Pooling, nullptr, nullptr, nullptr, napi_default, &v[2]},
      {"maxPoolBackward", nullptr, Pooling, nullptr, nullptr, nullptr, napi_default, &v[3]},
      {"conv2d", nullptr, Conv, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dInputGrad", nullptr, Conv, nullptr, nullptr, nullptr, napi_default, &v[1]},
      {"conv2dWeightGrad", nullptr, Conv, nullptr, nullptr, nullptr, napi_default, &v[2]},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}


}  // namespace
}  // namespace pcn::addon

NAPI_MODULE(NODE_GYP_MODULE_NAME, pcn::addon::Init)

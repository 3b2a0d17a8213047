{
  "targets": [
    {
      "target_name": "pcn_native",
      "sources": ["src/addon.cc", "src/bind-ops.cc", "src/bind-conv.cc", "src/conv.cc", "src/gemm.cc", "src/gemm-portable.cc", "src/ops-portable.cc", "src/pool.cc", "src/pooling.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-Wno-psabi"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-lpthread"],
      "conditions": [
        ["target_arch=='x64'", {
          "dependencies": ["gemm_avx512", "gemm_avx2"],
          "defines": ["PCN_X64_KERNELS"]
        }]
      ]
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "gemm_avx512",
          "type": "static_library",
          "sources": ["src/gemm-avx512.cc", "src/ops-avx512.cc"],
          "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-Wno-psabi", "-mavx512f", "-mavx512vl", "-mfma"]
        },
        {
          "target_name": "gemm_avx2",
          "type": "static_library",
          "sources": ["src/gemm-avx2.cc", "src/ops-avx2.cc"],
          "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-Wno-psabi", "-mavx2", "-mfma"]
        }
      ]
    }]
  ]
}

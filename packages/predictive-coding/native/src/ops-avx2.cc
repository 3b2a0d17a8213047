// The passes of ops.h for the avx2 build (flags in binding.gyp).
#define PCN_OPS_NS avx2
#define PCN_OPS_NAME "avx2"
#define PCN_OPS_FACTORY opsAvx2
#include "ops-impl.h"

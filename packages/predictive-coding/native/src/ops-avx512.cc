// The passes of ops.h for the avx512 build (flags in binding.gyp).
#define PCN_OPS_NS avx512
#define PCN_OPS_NAME "avx512"
#define PCN_OPS_FACTORY opsAvx512
#include "ops-impl.h"

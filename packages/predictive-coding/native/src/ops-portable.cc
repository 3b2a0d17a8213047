// The passes of ops.h for the portable build (flags in binding.gyp).
#define PCN_OPS_NS portable
#define PCN_OPS_NAME "portable"
#define PCN_OPS_FACTORY opsPortable
#include "ops-impl.h"

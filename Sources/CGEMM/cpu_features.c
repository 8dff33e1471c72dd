// Which instruction-set paths the kernels of this target may take, asked of the CPU once.
//
// The Swift and C code of the package is built for baseline x86-64 (SSE2), so the AVX2 kernels are
// compiled separately with __attribute__((target("avx2"))) and chosen here at run time.
#include "CGEMM.h"

#include <stdatomic.h>

int cgemm_has_avx2(void) {
#if defined(__x86_64__) || defined(__i386__)
    // 0 unknown, 1 no, 2 yes. A race only asks the CPU twice and stores the same answer.
    static atomic_int state = 0;
    int known = atomic_load_explicit(&state, memory_order_relaxed);
    if (known == 0) {
        __builtin_cpu_init();
        // __builtin_cpu_supports checks the OS saves the YMM registers too (XGETBV), not only CPUID.
        known = __builtin_cpu_supports("avx2") ? 2 : 1;
        atomic_store_explicit(&state, known, memory_order_relaxed);
    }
    return known == 2;
#else
    return 0;
#endif
}

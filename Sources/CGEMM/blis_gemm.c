#include "CGEMM.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

// Only types, enums and inline helpers come from the header; every exported function is looked up
// in the locally loaded library.
#if __has_include(<blis/blis.h>)
#include <blis/blis.h>
#elif __has_include(<x86_64-linux-gnu/blis-pthread/blis.h>)
#include <x86_64-linux-gnu/blis-pthread/blis.h>
#elif __has_include(<x86_64-linux-gnu/blis-openmp/blis.h>)
#include <x86_64-linux-gnu/blis-openmp/blis.h>
#elif __has_include(<x86_64-linux-gnu/blis-serial/blis.h>)
#include <x86_64-linux-gnu/blis-serial/blis.h>
#elif __has_include(<aarch64-linux-gnu/blis-pthread/blis.h>)
#include <aarch64-linux-gnu/blis-pthread/blis.h>
#elif __has_include(<aarch64-linux-gnu/blis-openmp/blis.h>)
#include <aarch64-linux-gnu/blis-openmp/blis.h>
#elif __has_include(<aarch64-linux-gnu/blis-serial/blis.h>)
#include <aarch64-linux-gnu/blis-serial/blis.h>
#elif __has_include(<blis.h>)
#include <blis.h>
#else
#error "blis.h not found: install Debian's libblis-pthread-dev (scripts/setup does)"
#endif

typedef void (*sgemm_ex_fn)(trans_t, trans_t, dim_t, dim_t, dim_t, float *, float *, inc_t, inc_t,
                            float *, inc_t, inc_t, float *, float *, inc_t, inc_t, cntx_t *, rntm_t *);
typedef void (*dgemm_ex_fn)(trans_t, trans_t, dim_t, dim_t, dim_t, double *, double *, inc_t, inc_t,
                            double *, inc_t, inc_t, double *, double *, inc_t, inc_t, cntx_t *, rntm_t *);
typedef void (*ssyrk_ex_fn)(uplo_t, trans_t, dim_t, dim_t, float *, float *, inc_t, inc_t, float *, float *, inc_t, inc_t,
                            cntx_t *, rntm_t *);
typedef arch_t (*arch_query_fn)(void);
typedef char *(*arch_string_fn)(arch_t);
typedef char *(*version_fn)(void);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int ready = 0;
static char failure[CGEMM_MESSAGE_SIZE];
static char kernel[128];
static sgemm_ex_fn sgemm_ex;
static dgemm_ex_fn dgemm_ex;
static ssyrk_ex_fn ssyrk_ex;
// One thread per call, and the same (native, packed) code path for every shape: the small-matrix
// ("sup") kernels are not needed for the bits and are left out so that nothing depends on them.
static rntm_t single;

static void load(void) {
    static const char *names[] = {"libblis.so.4", "libblis.so", "libblis.4.dylib", "libblis.dylib"};
    void *handle = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && handle == NULL; i++) {
        handle = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    }
    if (handle == NULL) {
        const char *why = dlerror();
        snprintf(failure, sizeof failure, "cannot load libblis.so.4 (%s); on Debian: apt-get install libblis4-pthread",
                 why ? why : "not found");
        return;
    }
    sgemm_ex = (sgemm_ex_fn)dlsym(handle, "bli_sgemm_ex");
    dgemm_ex = (dgemm_ex_fn)dlsym(handle, "bli_dgemm_ex");
    ssyrk_ex = (ssyrk_ex_fn)dlsym(handle, "bli_ssyrk_ex");
    arch_query_fn arch_query = (arch_query_fn)dlsym(handle, "bli_arch_query_id");
    arch_string_fn arch_string = (arch_string_fn)dlsym(handle, "bli_arch_string");
    version_fn version = (version_fn)dlsym(handle, "bli_info_get_version_str");
    if (!sgemm_ex || !dgemm_ex || !ssyrk_ex || !arch_query || !arch_string || !version) {
        snprintf(failure, sizeof failure, "libblis.so.4 lacks bli_sgemm_ex, bli_dgemm_ex or bli_arch_string: too old a BLIS");
        return;
    }
    rntm_t initial = BLIS_RNTM_INITIALIZER;
    single = initial;
    bli_rntm_set_num_threads(1, &single);
    bli_rntm_disable_l3_sup(&single);
    snprintf(kernel, sizeof kernel, "blis %s %s", version(), arch_string(arch_query()));
    ready = 1;
}

int cgemm_load(char *message, size_t capacity) {
    pthread_once(&once, load);
    if (!ready && message && capacity > 0) {
        snprintf(message, capacity, "%s", failure);
    }
    return ready;
}

const char *cgemm_kernel(void) { return ready ? kernel : ""; }

void cgemm_sgemm(int transpose_a, int transpose_b, long m, long n, long k, float alpha,
                 const float *a, long lda, const float *b, long ldb, float beta, float *c, long ldc) {
    // Row-major storage is a row stride of the leading dimension and a column stride of one.
    rntm_t rntm = single;
    sgemm_ex(transpose_a ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, transpose_b ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
             m, n, k, &alpha, (float *)a, lda, 1, (float *)b, ldb, 1, &beta, c, ldc, 1, NULL, &rntm);
}

void cgemm_dgemm(int transpose_a, int transpose_b, long m, long n, long k, double alpha,
                 const double *a, long lda, const double *b, long ldb, double beta, double *c, long ldc) {
    rntm_t rntm = single;
    dgemm_ex(transpose_a ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, transpose_b ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
             m, n, k, &alpha, (double *)a, lda, 1, (double *)b, ldb, 1, &beta, c, ldc, 1, NULL, &rntm);
}

void cgemm_ssyrk_upper(long n, long k, float alpha, const float *a, long lda, float *c, long ldc) {
    rntm_t rntm = single;
    float beta = 0;
    ssyrk_ex(BLIS_UPPER, BLIS_NO_TRANSPOSE, n, k, &alpha, (float *)a, lda, 1, &beta, c, ldc, 1, NULL, &rntm);
}

static _Thread_local int depth = 0;

int cgemm_parallel_depth(void) { return depth; }
void cgemm_parallel_enter(void) { depth += 1; }
void cgemm_parallel_leave(void) { depth -= 1; }

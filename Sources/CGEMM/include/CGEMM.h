// CGEMM: single-precision GEMM on BLIS, loaded at run time.
//
// Why BLIS: its macro-kernel packs both operands into zero-padded panels and runs every tile, edge or
// not, through the same micro-kernel, and no thread ever splits the k loop. So an element of C is the
// same bits whatever the shape of the call, the row's position in it, or the thread count: a sample's
// result never depends on the batch it came in. OpenBLAS's Haswell/Zen sgemm kernels do not have
// that property (a row's bits change with its position modulo 12 and with the edge tiles).
//
// Why dlopen with RTLD_LOCAL: libblis also exports the BLAS and CBLAS symbols (sgemm_, cblas_sgemm)
// that libopenblas exports; linking both would let one library's symbols silently replace the
// other's. Loaded locally, BLIS is reachable only through these functions.
#ifndef CGEMM_H
#define CGEMM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CGEMM_MESSAGE_SIZE 256

// Loads BLIS once (thread-safe). Returns 1 when it is ready; 0 when it is not, with the reason in
// `message`. Later calls return the first answer.
int cgemm_load(char *message, size_t capacity);

// "blis 0.9.0 zen3": the library version and the kernel configuration BLIS chose for this CPU, which
// decide the bits of every product. Empty when BLIS is not loaded.
const char *cgemm_kernel(void);

// Row-major C = alpha op(A) op(B) + beta C on one thread. Only after cgemm_load returned 1.
void cgemm_sgemm(int transpose_a, int transpose_b, long m, long n, long k, float alpha,
                 const float *a, long lda, const float *b, long ldb, float beta, float *c, long ldc);

// The upper triangle (j >= i) of row-major C (n x n) = alpha A Aᵀ, A n x k; the rest of C is left as is.
void cgemm_ssyrk_upper(long n, long k, float alpha, const float *a, long lda, float *c, long ldc);

// Double precision, the same contract.
void cgemm_dgemm(int transpose_a, int transpose_b, long m, long n, long k, double alpha,
                 const double *a, long lda, const double *b, long ldb, double beta, double *c, long ldc);

// The two products of one attention head over one short sequence, where a BLAS call costs more than
// the arithmetic (BLIS spends about 7 us per call on packing and bookkeeping; a 12-token head is
// 4,600 multiply-adds). Each element is one sum in a fixed order, so the bits depend only on its
// operands, as with BLIS.
//   scores[i*lds + j] = alpha * (q_i . k_j), q_i = q + i*ldq, k_j = k + j*ldk, over `width` values
void cgemm_head_scores(long rows, long columns, long width, float alpha, const float *q, long ldq,
                       const float *k, long ldk, float *scores, long lds);
//   out[i*ldo + c] = sum over j < length of p[i*ldp + j] * v[j*ldv + c], for c < width
//   (out must not overlap p or v)
void cgemm_head_mix(long rows, long length, long width, const float *p, long ldp, const float *v, long ldv,
                    float *out, long ldo);
// Both run eight lanes at a time on AVX2 when the CPU has it (cgemm_has_avx2), else the portable loops
// below, which give the same bits; these are exported for tests that the two agree.
void cgemm_head_scores_portable(long rows, long columns, long width, float alpha, const float *q, long ldq,
                                const float *k, long ldk, float *scores, long lds);
void cgemm_head_mix_portable(long rows, long length, long width, const float *p, long ldp, const float *v,
                             long ldv, float *out, long ldo);

// Whether this CPU (and OS) runs the AVX2 paths of this target; asked once.
int cgemm_has_avx2(void);

// The elementwise functions of Activation.swift on AVX2, bit-identical to the Swift code (which is the
// portable path: these return 0 without doing anything when the CPU lacks AVX2 or the kind is not
// one of these, and 1 when they have transformed the data in place).
#define CGEMM_ACTIVATION_GELU 0        // x * 0.5 * (1 + erf(x / sqrt 2)), VectorMath.erf
#define CGEMM_ACTIVATION_QUICK_GELU 1  // x / (1 + exp(-1.702 x))
#define CGEMM_ACTIVATION_GELU_TANH 2   // x * 0.5 * (2 - 2 / (exp(2u) + 1)), u = sqrt(2/pi) (x + 0.044715 x^3)
int cgemm_activation(int kind, float *data, long count);
// data[i] = VectorMath.exp(data[i] - shift): the exponentials of a softmax. Same contract.
int cgemm_exp_shifted(float *data, long count, float shift);

// A per-thread depth of parallel regions: a product called from inside one runs on its thread only.
int cgemm_parallel_depth(void);
void cgemm_parallel_enter(void);
void cgemm_parallel_leave(void);

#ifdef __cplusplus
}
#endif

#endif

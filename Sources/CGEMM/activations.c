// The transformer's elementwise functions (Activation.swift, and the exp of VectorMath.softmax) eight
// floats at a time on AVX2, which the Swift code, built for baseline x86-64, cannot use.
//
// Bit-identity with the Swift path: each function is VectorMath.exp / VectorMath.erf and the closure
// of Activation.apply transcribed operation by operation, in the same order, with the constants as
// the exact float bits Swift gives its literals (hex below, so no decimal rounding can differ). Swift
// never fuses a multiply and an add, so nothing here may either: the functions are built for "avx2"
// without "fma" and contraction is off. min/max keep Swift's operand order, which decides what a NaN
// gives (Swift's max(x, c) is `c >= x ? c : x`, i.e. maxps(c, x), which passes a NaN x through).
#pragma STDC FP_CONTRACT OFF

#include "CGEMM.h"

#include <string.h>

#if defined(__x86_64__)
#define ACTIVATIONS_AVX2 1
#include <immintrin.h>
#endif

#ifdef ACTIVATIONS_AVX2
#define AVX2 __attribute__((target("avx2")))
#define AVX2_INLINE __attribute__((target("avx2"), always_inline)) static inline

// A float constant given by its bits.
AVX2_INLINE __m256 bits(int pattern) { return _mm256_castsi256_ps(_mm256_set1_epi32(pattern)); }

// VectorMath.exp: Cephes expf, clamped to [-87.3, 88.7].
AVX2_INLINE __m256 exp8(__m256 input) {
    const __m256 magic = bits(0x4b400000);                                    // 12582912 = 1.5 * 2^23
    __m256 x = _mm256_max_ps(bits(0xc2ae999a), input);                        // max(input, -87.3)
    x = _mm256_min_ps(bits(0x42b16666), x);                                   // min(x, 88.7)
    const __m256 shifted = _mm256_add_ps(_mm256_mul_ps(x, bits(0x3fb8aa3b)), magic);  // x * log2(e) + magic
    const __m256 n = _mm256_sub_ps(shifted, magic);
    __m256 r = _mm256_sub_ps(x, _mm256_mul_ps(n, bits(0x3f318000)));        // x - n * 0.693359375
    r = _mm256_add_ps(r, _mm256_mul_ps(n, bits(0x395e8083)));               // + n * 2.12194440e-4
    __m256 p = bits(0x39506967);                                              // 1.9875691500e-4
    p = _mm256_add_ps(_mm256_mul_ps(p, r), bits(0x3ab743ce));               // 1.3981999507e-3
    p = _mm256_add_ps(_mm256_mul_ps(p, r), bits(0x3c088908));               // 8.3334519073e-3
    p = _mm256_add_ps(_mm256_mul_ps(p, r), bits(0x3d2aa9c1));               // 4.1665795894e-2
    p = _mm256_add_ps(_mm256_mul_ps(p, r), bits(0x3e2aaaaa));               // 1.6666665459e-1
    p = _mm256_add_ps(_mm256_mul_ps(p, r), bits(0x3f000000));               // 5.0000001201e-1
    const __m256 one = _mm256_set1_ps(1);
    const __m256 y = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(p, _mm256_mul_ps(r, r)), r), one);
    // (shifted.bits - magic.bits + 127) << 23, wrapping as Swift's &- &+ &<< do.
    __m256i exponent = _mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_castps_si256(magic));
    exponent = _mm256_slli_epi32(_mm256_add_epi32(exponent, _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(y, _mm256_castsi256_ps(exponent));
}

// VectorMath.erf: Abramowitz & Stegun 7.1.26 on |x|, the sign of x put back.
AVX2_INLINE __m256 erf8(__m256 x) {
    const __m256 sign = bits((int)0x80000000);
    const __m256 one = _mm256_set1_ps(1);
    const __m256 a = _mm256_andnot_ps(sign, x);                                // abs(x)
    const __m256 t = _mm256_div_ps(one, _mm256_add_ps(_mm256_mul_ps(a, bits(0x3ea7ba05)), one));  // 0.3275911
    __m256 p = bits(0x3f87dc22);                                              // 1.061405429
    p = _mm256_sub_ps(_mm256_mul_ps(p, t), bits(0x3fba00e3));               // 1.453152027
    p = _mm256_add_ps(_mm256_mul_ps(p, t), bits(0x3fb5f0e3));               // 1.421413741
    p = _mm256_sub_ps(_mm256_mul_ps(p, t), bits(0x3e91a98e));               // 0.284496736
    p = _mm256_add_ps(_mm256_mul_ps(p, t), bits(0x3e827906));               // 0.254829592
    const __m256 decay = exp8(_mm256_xor_ps(_mm256_mul_ps(a, a), sign));     // exp(-(a * a))
    const __m256 magnitude = _mm256_sub_ps(one, _mm256_mul_ps(_mm256_mul_ps(p, t), decay));
    return _mm256_or_ps(magnitude, _mm256_and_ps(x, sign));
}

// x * 0.5 * (1 + erf(x * 0.70710678118654752))
AVX2_INLINE __m256 gelu8(__m256 x) {
    const __m256 half = _mm256_mul_ps(x, _mm256_set1_ps(0.5f));
    return _mm256_mul_ps(half, _mm256_add_ps(_mm256_set1_ps(1), erf8(_mm256_mul_ps(x, bits(0x3f3504f3)))));
}

// x / (1 + exp(x * -1.702))
AVX2_INLINE __m256 quick_gelu8(__m256 x) {
    return _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1), exp8(_mm256_mul_ps(x, bits((int)0xbfd9db23)))));
}

// u = x * (x * x * 0.044715 + 1) * 0.7978845608028654; x * 0.5 * (2 - 2 / (exp(u * 2) + 1))
AVX2_INLINE __m256 gelu_tanh8(__m256 x) {
    const __m256 one = _mm256_set1_ps(1), two = _mm256_set1_ps(2);
    const __m256 cubic = _mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(x, x), bits(0x3d372713)), one);
    const __m256 u = _mm256_mul_ps(_mm256_mul_ps(x, cubic), bits(0x3f4c422a));
    const __m256 tanh_part = _mm256_div_ps(two, _mm256_add_ps(exp8(_mm256_mul_ps(u, two)), one));
    return _mm256_mul_ps(_mm256_mul_ps(x, _mm256_set1_ps(0.5f)), _mm256_sub_ps(two, tanh_part));
}

// Applies `body` to data[0..<count] in place; the last count % 8 values go through an 8-float
// buffer, so every value takes the same vector path (no separate scalar tail to keep identical).
#define MAP8(data, count, body)                                                      \
    do {                                                                             \
        long i_ = 0;                                                                 \
        for (; i_ + 8 <= (count); i_ += 8) {                                         \
            const __m256 x = _mm256_loadu_ps((data) + i_);                           \
            _mm256_storeu_ps((data) + i_, (body));                                   \
        }                                                                            \
        if (i_ < (count)) {                                                          \
            float buffer_[8] = {0, 0, 0, 0, 0, 0, 0, 0};                             \
            memcpy(buffer_, (data) + i_, (size_t)((count) - i_) * sizeof(float));    \
            const __m256 x = _mm256_loadu_ps(buffer_);                               \
            _mm256_storeu_ps(buffer_, (body));                                       \
            memcpy((data) + i_, buffer_, (size_t)((count) - i_) * sizeof(float));    \
        }                                                                            \
    } while (0)

static AVX2 void activation_avx2(int kind, float *data, long count) {
    switch (kind) {
    case CGEMM_ACTIVATION_GELU: MAP8(data, count, gelu8(x)); break;
    case CGEMM_ACTIVATION_QUICK_GELU: MAP8(data, count, quick_gelu8(x)); break;
    case CGEMM_ACTIVATION_GELU_TANH: MAP8(data, count, gelu_tanh8(x)); break;
    default: break;
    }
}

static AVX2 void exp_shifted_avx2(float *data, long count, float shift) {
    const __m256 subtrahend = _mm256_set1_ps(shift);
    MAP8(data, count, exp8(_mm256_sub_ps(x, subtrahend)));
}
#endif

// MARK: Entry points

int cgemm_activation(int kind, float *data, long count) {
#ifdef ACTIVATIONS_AVX2
    if (kind >= CGEMM_ACTIVATION_GELU && kind <= CGEMM_ACTIVATION_GELU_TANH && cgemm_has_avx2()) {
        activation_avx2(kind, data, count);
        return 1;
    }
#endif
    return 0;
}

int cgemm_exp_shifted(float *data, long count, float shift) {
#ifdef ACTIVATIONS_AVX2
    if (cgemm_has_avx2()) {
        exp_shifted_avx2(data, count, shift);
        return 1;
    }
#endif
    return 0;
}

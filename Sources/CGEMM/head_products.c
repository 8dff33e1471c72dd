// The two products of one attention head over a short sequence (see CGEMM.h): a portable path, and
// an AVX2 path chosen at run time that gives the same bits.
//
// Bit-identity: every score is the dot() below, eight lanes each summing its products in order and
// then the fixed tree ((l0+l4)+(l1+l5))+((l2+l6)+(l3+l7)); every mixed value sums its products over j
// in order from zero. The AVX2 path keeps exactly those operations and only runs independent sums
// side by side: one lane vector per key for eight keys at a time (the query loaded once for all
// eight), eight values of an output row per vector for two rows at a time (each value row loaded
// once for both). No multiply-add may be fused: a fused one rounds once where this code rounds twice,
// so the AVX2 functions are built for "avx2" without "fma", and contraction is off for the file.
#pragma STDC FP_CONTRACT OFF

#include "CGEMM.h"

#if defined(__x86_64__)
#define HEAD_AVX2 1
#include <immintrin.h>
#endif

// MARK: Portable path

// Eight partial sums, reduced in a fixed tree: vectorizes at -O2 and gives the same bits wherever
// the operands sit in memory.
static float dot(const float *a, const float *b, long n) {
    float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        for (int l = 0; l < 8; l++) lanes[l] += a[i + l] * b[i + l];
    }
    for (; i < n; i++) lanes[i & 7] += a[i] * b[i];
    return ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
}

void cgemm_head_scores_portable(long rows, long columns, long width, float alpha, const float *q, long ldq,
                                const float *k, long ldk, float *scores, long lds) {
    for (long i = 0; i < rows; i++) {
        const float *qi = q + i * ldq;
        float *out = scores + i * lds;
        for (long j = 0; j < columns; j++) out[j] = alpha * dot(qi, k + j * ldk, width);
    }
}

void cgemm_head_mix_portable(long rows, long length, long width, const float *p, long ldp, const float *v,
                             long ldv, float *out, long ldo) {
    for (long i = 0; i < rows; i++) {
        float *o = out + i * ldo;
        const float *pi = p + i * ldp;
        for (long c = 0; c < width; c++) o[c] = 0;
        // Each output value sums over j in order; the inner loop runs across values and vectorizes.
        for (long j = 0; j < length; j++) {
            const float weight = pi[j];
            const float *vj = v + j * ldv;
            for (long c = 0; c < width; c++) o[c] += weight * vj[c];
        }
    }
}

// MARK: AVX2 path

#ifdef HEAD_AVX2
#define AVX2 __attribute__((target("avx2")))
#define AVX2_INLINE __attribute__((target("avx2"), always_inline)) static inline

// All bits set in the first `count` (0...8) lanes: the masks of maskload/maskstore at a ragged end.
AVX2_INLINE __m256i first_lanes(long count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// lanes += a * b in the lanes of `mask` only: the scalar tail adds element i to lane i & 7 and leaves
// the lanes past the end as they are, so those keep their sums exactly (not even + 0).
AVX2_INLINE __m256 add_products_masked(__m256 lanes, __m256 a, const float *b, __m256i mask) {
    __m256 sum = _mm256_add_ps(lanes, _mm256_mul_ps(a, _mm256_maskload_ps(b, mask)));
    return _mm256_blendv_ps(lanes, sum, _mm256_castsi256_ps(mask));
}

// alpha times the dot products of q with k[0..7], lane j for key j, each as dot() computes it.
AVX2_INLINE __m256 eight_dots(const float *q, const float *const k[8], long width, __m256i tail, __m256 alpha) {
    __m256 l0 = _mm256_setzero_ps(), l1 = l0, l2 = l0, l3 = l0, l4 = l0, l5 = l0, l6 = l0, l7 = l0;
    const float *k0 = k[0], *k1 = k[1], *k2 = k[2], *k3 = k[3], *k4 = k[4], *k5 = k[5], *k6 = k[6], *k7 = k[7];
    long i = 0;
    for (; i + 8 <= width; i += 8) {
        const __m256 a = _mm256_loadu_ps(q + i);
        l0 = _mm256_add_ps(l0, _mm256_mul_ps(a, _mm256_loadu_ps(k0 + i)));
        l1 = _mm256_add_ps(l1, _mm256_mul_ps(a, _mm256_loadu_ps(k1 + i)));
        l2 = _mm256_add_ps(l2, _mm256_mul_ps(a, _mm256_loadu_ps(k2 + i)));
        l3 = _mm256_add_ps(l3, _mm256_mul_ps(a, _mm256_loadu_ps(k3 + i)));
        l4 = _mm256_add_ps(l4, _mm256_mul_ps(a, _mm256_loadu_ps(k4 + i)));
        l5 = _mm256_add_ps(l5, _mm256_mul_ps(a, _mm256_loadu_ps(k5 + i)));
        l6 = _mm256_add_ps(l6, _mm256_mul_ps(a, _mm256_loadu_ps(k6 + i)));
        l7 = _mm256_add_ps(l7, _mm256_mul_ps(a, _mm256_loadu_ps(k7 + i)));
    }
    if (i < width) {
        const __m256 a = _mm256_maskload_ps(q + i, tail);
        l0 = add_products_masked(l0, a, k0 + i, tail);
        l1 = add_products_masked(l1, a, k1 + i, tail);
        l2 = add_products_masked(l2, a, k2 + i, tail);
        l3 = add_products_masked(l3, a, k3 + i, tail);
        l4 = add_products_masked(l4, a, k4 + i, tail);
        l5 = add_products_masked(l5, a, k5 + i, tail);
        l6 = add_products_masked(l6, a, k6 + i, tail);
        l7 = add_products_masked(l7, a, k7 + i, tail);
    }
    // The tree of dot() for all eight keys at once. Per key, (lanes 0-3) + (lanes 4-7) gives
    // s = (l0+l4, l1+l5, l2+l6, l3+l7); hadd makes (s0+s1, s2+s3), and a second hadd their sum.
    const __m256 s04 = _mm256_add_ps(_mm256_permute2f128_ps(l0, l4, 0x20), _mm256_permute2f128_ps(l0, l4, 0x31));
    const __m256 s15 = _mm256_add_ps(_mm256_permute2f128_ps(l1, l5, 0x20), _mm256_permute2f128_ps(l1, l5, 0x31));
    const __m256 s26 = _mm256_add_ps(_mm256_permute2f128_ps(l2, l6, 0x20), _mm256_permute2f128_ps(l2, l6, 0x31));
    const __m256 s37 = _mm256_add_ps(_mm256_permute2f128_ps(l3, l7, 0x20), _mm256_permute2f128_ps(l3, l7, 0x31));
    // Lane order after the hadds: keys 0, 1, 2, 3 in the low half and 4, 5, 6, 7 in the high half.
    const __m256 sums = _mm256_hadd_ps(_mm256_hadd_ps(s04, s15), _mm256_hadd_ps(s26, s37));
    return _mm256_mul_ps(alpha, sums);
}

// Keys (or values) of one head packed densely, when they fit (a 64-token, 64-value head does).
#define HEAD_PACK_FLOATS 4096

// Copies rows x width floats of stride ld into `packed` (stride width). The head's rows sit in fused
// QKV rows thousands of floats apart, a stride that maps them onto a few L1 sets, where they evict
// each other between passes; packed, a head's keys stay in L1. Copying changes no value.
// (Vector moves rather than a loop the compiler would turn into a memcpy call per row.)
static AVX2 const float *pack_rows(long rows, long width, const float *source, long ld, float *packed) {
    const __m256i tail = first_lanes(width & 7);
    for (long r = 0; r < rows; r++) {
        const float *from = source + r * ld;
        float *to = packed + r * width;
        long c = 0;
        for (; c + 8 <= width; c += 8) _mm256_storeu_ps(to + c, _mm256_loadu_ps(from + c));
        if (c < width) _mm256_maskstore_ps(to + c, tail, _mm256_maskload_ps(from + c, tail));
    }
    return packed;
}

static AVX2 void head_scores_avx2(long rows, long columns, long width, float alpha, const float *q, long ldq,
                                  const float *k, long ldk, float *scores, long lds) {
    float packed[HEAD_PACK_FLOATS];
    if (rows > 1 && columns * width <= HEAD_PACK_FLOATS && ldk != width) {
        k = pack_rows(columns, width, k, ldk, packed);
        ldk = width;
    }
    const __m256i tail = first_lanes(width & 7);
    const __m256 scale = _mm256_set1_ps(alpha);
    for (long i = 0; i < rows; i++) {
        const float *qi = q + i * ldq;
        float *out = scores + i * lds;
        for (long j = 0; j < columns; j += 8) {
            // A short last block repeats its first key in the missing places and stores only its own.
            const long count = columns - j < 8 ? columns - j : 8;
            const float *keys[8];
            for (long l = 0; l < 8; l++) keys[l] = k + (j + (l < count ? l : 0)) * ldk;
            const __m256 dots = eight_dots(qi, keys, width, tail, scale);
            if (count == 8) _mm256_storeu_ps(out + j, dots);
            else _mm256_maskstore_ps(out + j, first_lanes(count), dots);
        }
    }
}

// `rows` (1 or 2) output rows times `vectors` (1 to 4) vectors of eight values, from column 0 of o;
// with `ragged`, the last vector holds only the lanes of `mask`. The sums stay in registers over j.
AVX2_INLINE void mix_tile(const int rows, const int vectors, const int ragged, __m256i mask, long length,
                          const float *p, long ldp, const float *v, long ldv, float *o, long ldo) {
    __m256 sums[2][4];
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < vectors; c++) sums[r][c] = _mm256_setzero_ps();
    for (long j = 0; j < length; j++) {
        const float *vj = v + j * ldv;
        __m256 values[4];
        for (int c = 0; c < vectors; c++)
            values[c] = ragged && c == vectors - 1 ? _mm256_maskload_ps(vj + 8 * c, mask) : _mm256_loadu_ps(vj + 8 * c);
        for (int r = 0; r < rows; r++) {
            const __m256 weight = _mm256_set1_ps(p[r * ldp + j]);
            for (int c = 0; c < vectors; c++) sums[r][c] = _mm256_add_ps(sums[r][c], _mm256_mul_ps(weight, values[c]));
        }
    }
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < vectors; c++) {
            if (ragged && c == vectors - 1) _mm256_maskstore_ps(o + r * ldo + 8 * c, mask, sums[r][c]);
            else _mm256_storeu_ps(o + r * ldo + 8 * c, sums[r][c]);
        }
}

// One or two output rows across the whole width: tiles of 32 values, then one ragged tile.
AVX2_INLINE void mix_rows(const int rows, long length, long width, const float *p, long ldp, const float *v,
                          long ldv, float *o, long ldo) {
    const __m256i all = _mm256_set1_epi32(-1);
    long c = 0;
    for (; c + 32 <= width; c += 32) mix_tile(rows, 4, 0, all, length, p, ldp, v + c, ldv, o + c, ldo);
    const long rest = width - c;
    if (rest == 0) return;
    const __m256i mask = first_lanes(rest - ((rest - 1) & ~7L));
    switch ((rest + 7) / 8) {
    case 1: mix_tile(rows, 1, 1, mask, length, p, ldp, v + c, ldv, o + c, ldo); break;
    case 2: mix_tile(rows, 2, 1, mask, length, p, ldp, v + c, ldv, o + c, ldo); break;
    case 3: mix_tile(rows, 3, 1, mask, length, p, ldp, v + c, ldv, o + c, ldo); break;
    default: mix_tile(rows, 4, 1, mask, length, p, ldp, v + c, ldv, o + c, ldo); break;
    }
}

static AVX2 void head_mix_avx2(long rows, long length, long width, const float *p, long ldp, const float *v,
                               long ldv, float *out, long ldo) {
    float packed[HEAD_PACK_FLOATS];
    if (rows > 2 && length * width <= HEAD_PACK_FLOATS && ldv != width) {
        v = pack_rows(length, width, v, ldv, packed);
        ldv = width;
    }
    long i = 0;
    for (; i + 2 <= rows; i += 2) mix_rows(2, length, width, p + i * ldp, ldp, v, ldv, out + i * ldo, ldo);
    if (i < rows) mix_rows(1, length, width, p + i * ldp, ldp, v, ldv, out + i * ldo, ldo);
}
#endif

// MARK: Entry points

void cgemm_head_scores(long rows, long columns, long width, float alpha, const float *q, long ldq,
                       const float *k, long ldk, float *scores, long lds) {
#ifdef HEAD_AVX2
    if (cgemm_has_avx2()) {
        head_scores_avx2(rows, columns, width, alpha, q, ldq, k, ldk, scores, lds);
        return;
    }
#endif
    cgemm_head_scores_portable(rows, columns, width, alpha, q, ldq, k, ldk, scores, lds);
}

void cgemm_head_mix(long rows, long length, long width, const float *p, long ldp, const float *v, long ldv,
                    float *out, long ldo) {
#ifdef HEAD_AVX2
    if (cgemm_has_avx2()) {
        head_mix_avx2(rows, length, width, p, ldp, v, ldv, out, ldo);
        return;
    }
#endif
    cgemm_head_mix_portable(rows, length, width, p, ldp, v, ldv, out, ldo);
}

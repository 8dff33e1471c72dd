// The patch denoiser's inner loops (see PatchDenoiser.swift for the method).
//
// Bit-identity with the scalar loop: every pixel goes through the same float operations in the same
// order; the vector path only runs independent pixels side by side (eight rows of the horizontal box
// sums, eight columns of the vertical ones and of the softmax). No multiply-add may be fused, since
// a fused one rounds once where the scalar code rounds twice.
#pragma STDC FP_CONTRACT OFF

#include "CDiffusion.h"

#include <math.h>
#include <stdint.h>

#if defined(__x86_64__) && defined(__GLIBC__)
#if __GLIBC_PREREQ(2, 28)
// The vector exp copies the expf of glibc 2.28 and later; other libms round differently.
#define CDIFFUSION_AVX2 1
#include <immintrin.h>
#endif
#endif

static int round_up8(int value) { return (value + 7) & ~7; }

size_t cdiffusion_scratch_count(int side) {
    // The vector path's layout, which is the larger: best, weight, 3 sums and 3 transposed planes of
    // x, each side rows of stride; the row box sums (stride^2); 8 rows of errors; one row of columns.
    size_t stride = (size_t)round_up8(side);
    return 8 * (size_t)side * stride + stride * stride + 8 * (size_t)side + stride;
}

// MARK: Portable path

typedef struct {
    float *best, *weight, *sums, *error, *row_box, *column;
} portable_scratch;

// Adds one candidate (a reference shifted by dy, dx) to every pixel's running softmax.
static void accumulate_portable(const cdiffusion_job *job, const float *x, const float *reference,
                                int dy, int dx, float log_prior, const portable_scratch *s) {
    const int side = job->side, m = job->max_shift, radius = job->patch_radius;
    const int padded = side + 2 * m;
    const size_t n = (size_t)side * side, plane = (size_t)padded * padded;
    const float signal = job->signal, inverse = job->inverse;
    // Squared error of every pixel against the scaled, shifted reference.
    for (int y = 0; y < side; y++) {
        const size_t row = (size_t)(y + dy + m) * padded + dx + m;
        for (int x0 = 0; x0 < side; x0++) {
            const size_t q = (size_t)y * side + x0, r = row + x0;
            float e0 = x[q] - signal * reference[r];
            float e1 = x[n + q] - signal * reference[plane + r];
            float e2 = x[2 * n + q] - signal * reference[2 * plane + r];
            s->error[q] = e0 * e0 + e1 * e1 + e2 * e2;
        }
    }
    // Horizontal box sums, clipped at the image border (the same clipping for every candidate of a
    // pixel, so the softmax compares like with like).
    const int reach = radius < side - 1 ? radius : side - 1;
    for (int y = 0; y < side; y++) {
        const float *error = s->error + (size_t)y * side;
        float *box = s->row_box + (size_t)y * side;
        float run = 0;
        for (int x0 = 0; x0 <= reach; x0++) run += error[x0];
        box[0] = run;
        for (int x0 = 1; x0 < side; x0++) {
            if (x0 + radius < side) run += error[x0 + radius];
            if (x0 - radius - 1 >= 0) run -= error[x0 - radius - 1];
            box[x0] = run;
        }
    }
    // Vertical box sums, row by row, feeding the online softmax.
    for (int x0 = 0; x0 < side; x0++) s->column[x0] = 0;
    for (int y = 0; y <= reach; y++) {
        for (int x0 = 0; x0 < side; x0++) s->column[x0] += s->row_box[(size_t)y * side + x0];
    }
    for (int y = 0; y < side; y++) {
        if (y > 0) {
            if (y + radius < side) for (int x0 = 0; x0 < side; x0++) s->column[x0] += s->row_box[(size_t)(y + radius) * side + x0];
            if (y - radius - 1 >= 0) for (int x0 = 0; x0 < side; x0++) s->column[x0] -= s->row_box[(size_t)(y - radius - 1) * side + x0];
        }
        const size_t row = (size_t)(y + dy + m) * padded + dx + m;
        for (int x0 = 0; x0 < side; x0++) {
            const size_t q = (size_t)y * side + x0, r = row + x0;
            float logit = log_prior - s->column[x0] * inverse;
            float top = s->best[q];
            if (logit > top) {
                // A new maximum: rescale what was summed so far (exp(-inf) = 0 on the first).
                float scale = expf(top - logit);
                s->best[q] = logit;
                s->weight[q] = s->weight[q] * scale + 1;
                s->sums[q] = s->sums[q] * scale + reference[r];
                s->sums[n + q] = s->sums[n + q] * scale + reference[plane + r];
                s->sums[2 * n + q] = s->sums[2 * n + q] * scale + reference[2 * plane + r];
            } else if (logit > top - 30) {
                // Below exp(-30) of the best candidate a weight cannot change a float sum.
                float w = expf(logit - top);
                s->weight[q] += w;
                s->sums[q] += w * reference[r];
                s->sums[n + q] += w * reference[plane + r];
                s->sums[2 * n + q] += w * reference[2 * plane + r];
            }
        }
    }
}

static void denoise_portable(const cdiffusion_job *job, const float *x, float *clean, float *scratch) {
    const int side = job->side, m = job->max_shift;
    const size_t n = (size_t)side * side, reference_size = 3 * (size_t)(side + 2 * m) * (side + 2 * m);
    portable_scratch s = {scratch, scratch + n, scratch + 2 * n, scratch + 5 * n, scratch + 6 * n, scratch + 7 * n};
    for (size_t q = 0; q < n; q++) {
        s.best[q] = -INFINITY;
        s.weight[q] = 0;
        s.sums[q] = s.sums[n + q] = s.sums[2 * n + q] = 0;
    }
    for (int k = 0; k < job->reference_count; k++) {
        for (int dy = -m; dy <= m; dy++) {
            for (int dx = -m; dx <= m; dx++) {
                accumulate_portable(job, x, job->references + k * reference_size, dy, dx, job->log_priors[k], &s);
            }
        }
    }
    for (size_t q = 0; q < n; q++) {
        float inverse = s.weight[q] > 0 ? 1 / s.weight[q] : 0;
        for (int c = 0; c < 3; c++) clean[c * n + q] = s.sums[c * n + q] * inverse;
    }
}

// MARK: Vector path (AVX2 and FMA)

#ifdef CDIFFUSION_AVX2
#define AVX2 __attribute__((target("avx2,fma")))

// glibc's __exp2f_data table: the bits of 2^(i/32) less i << 47, so that adding k << 47 (i being the
// low five bits of k) makes 2^(k/32) by integer addition.
static const int64_t exp_table[32] = {
    0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
    0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
    0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
    0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
    0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
    0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
    0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
    0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540,
};

static double from_bits(uint64_t bits) {
    union { uint64_t u; double d; } v = {bits};
    return v.d;
}

// glibc's expf main path, four at a time, with its fused operations in the same places: on a CPU
// with FMA glibc runs __expf_fma, in which the compiler fused exactly these. x 32/ln 2 = k + r with
// k an integer, e^x = 2^(k/32) 2^(r/32), the second factor a cubic in r.
AVX2 static inline __m128 exp4(__m256d xd) {
    const __m256d inv_ln2_n = _mm256_set1_pd(from_bits(0x40471547652b82feULL));
    const __m256d shift = _mm256_set1_pd(from_bits(0x4338000000000000ULL));
    const __m256d c0 = _mm256_set1_pd(from_bits(0x3ebc6af84b912394ULL));
    const __m256d c1 = _mm256_set1_pd(from_bits(0x3f2ebfce50fac4f3ULL));
    const __m256d c2 = _mm256_set1_pd(from_bits(0x3f962e42ff0c52d6ULL));
    __m256d kd = _mm256_fmadd_pd(inv_ln2_n, xd, shift);
    __m256i ki = _mm256_castpd_si256(kd);
    kd = _mm256_sub_pd(kd, shift);
    __m256d r = _mm256_fmsub_pd(inv_ln2_n, xd, kd);
    __m256i t = _mm256_i64gather_epi64((const long long *)exp_table, _mm256_and_si256(ki, _mm256_set1_epi64x(31)), 8);
    __m256d s = _mm256_castsi256_pd(_mm256_add_epi64(t, _mm256_slli_epi64(ki, 47)));
    __m256d z = _mm256_fmadd_pd(r, c0, c1);
    __m256d r2 = _mm256_mul_pd(r, r);
    __m256d y = _mm256_fmadd_pd(r, c2, _mm256_set1_pd(1));
    y = _mm256_fmadd_pd(z, r2, y);
    return _mm256_cvtpd_ps(_mm256_mul_pd(y, s));
}

// expf of the lanes of x selected by active (the others are left undefined), bit for bit.
AVX2 static inline __m256 exp8(__m256 x, __m256 active) {
    __m256 y = _mm256_set_m128(exp4(_mm256_cvtps_pd(_mm256_extractf128_ps(x, 1))),
                               exp4(_mm256_cvtps_pd(_mm256_castps256_ps128(x))));
    // Below log(2^-150), expf underflows to 0 (and -inf, the first candidate's scale, is among them).
    __m256 underflow = _mm256_cmp_ps(x, _mm256_set1_ps(-0x1.9fe368p6f), _CMP_LT_OQ);
    y = _mm256_blendv_ps(y, _mm256_setzero_ps(), underflow);
    // glibc takes |x| >= 88 and NaN off its main path; the few such lanes left ask expf itself.
    __m256i magnitude = _mm256_and_si256(_mm256_castps_si256(x), _mm256_set1_epi32(0x7fffffff));
    __m256 off = _mm256_castsi256_ps(_mm256_cmpgt_epi32(magnitude, _mm256_set1_epi32(0x42afffff)));
    int special = _mm256_movemask_ps(_mm256_andnot_ps(underflow, _mm256_and_ps(off, active)));
    if (special) {
        float xs[8], ys[8];
        _mm256_storeu_ps(xs, x);
        _mm256_storeu_ps(ys, y);
        for (int k = 0; k < 8; k++) {
            if (special & (1 << k)) ys[k] = expf(xs[k]);
        }
        y = _mm256_loadu_ps(ys);
    }
    return y;
}

AVX2 static inline void transpose8(__m256 v[8]) {
    __m256 a0 = _mm256_unpacklo_ps(v[0], v[1]), a1 = _mm256_unpackhi_ps(v[0], v[1]);
    __m256 a2 = _mm256_unpacklo_ps(v[2], v[3]), a3 = _mm256_unpackhi_ps(v[2], v[3]);
    __m256 a4 = _mm256_unpacklo_ps(v[4], v[5]), a5 = _mm256_unpackhi_ps(v[4], v[5]);
    __m256 a6 = _mm256_unpacklo_ps(v[6], v[7]), a7 = _mm256_unpackhi_ps(v[6], v[7]);
    __m256 b0 = _mm256_shuffle_ps(a0, a2, 0x44), b1 = _mm256_shuffle_ps(a0, a2, 0xee);
    __m256 b2 = _mm256_shuffle_ps(a1, a3, 0x44), b3 = _mm256_shuffle_ps(a1, a3, 0xee);
    __m256 b4 = _mm256_shuffle_ps(a4, a6, 0x44), b5 = _mm256_shuffle_ps(a4, a6, 0xee);
    __m256 b6 = _mm256_shuffle_ps(a5, a7, 0x44), b7 = _mm256_shuffle_ps(a5, a7, 0xee);
    v[0] = _mm256_permute2f128_ps(b0, b4, 0x20);
    v[1] = _mm256_permute2f128_ps(b1, b5, 0x20);
    v[2] = _mm256_permute2f128_ps(b2, b6, 0x20);
    v[3] = _mm256_permute2f128_ps(b3, b7, 0x20);
    v[4] = _mm256_permute2f128_ps(b0, b4, 0x31);
    v[5] = _mm256_permute2f128_ps(b1, b5, 0x31);
    v[6] = _mm256_permute2f128_ps(b2, b6, 0x31);
    v[7] = _mm256_permute2f128_ps(b3, b7, 0x31);
}

// Image planes of `side` rows at `stride` floats (a multiple of 8): lanes past the side are padding
// that is computed and never read back.
typedef struct {
    int stride;
    size_t area;             // side * stride
    float *best, *weight, *sums;
    float *transposed_x;     // 3 planes, row x0 holding column x0 of x
    float *row_box;          // stride rows
    float *errors;           // 8 rows' squared errors, column by column
    float *column;
} vector_scratch;

// Squared errors and horizontal box sums, eight rows at a time. In transposed planes a row of the
// image is a column, so eight rows' running sums advance together, each in the order of the scalar
// loop; every eight columns the block is transposed back into row_box.
AVX2 static void row_boxes(const cdiffusion_job *job, const float *transposed, int dy, int dx, const vector_scratch *s) {
    const int side = job->side, m = job->max_shift, radius = job->patch_radius, stride = s->stride;
    const int padded = side + 2 * m;
    const size_t plane = (size_t)padded * padded, area = s->area;
    const int reach = radius < side - 1 ? radius : side - 1;
    const __m256 signal = _mm256_set1_ps(job->signal);
    for (int y0 = 0; y0 < side; y0 += 8) {
        for (int x0 = 0; x0 < side; x0++) {
            const float *xs = s->transposed_x + (size_t)x0 * stride + y0;
            const float *rs = transposed + (size_t)(x0 + dx + m) * padded + y0 + dy + m;
            __m256 e0 = _mm256_sub_ps(_mm256_loadu_ps(xs), _mm256_mul_ps(signal, _mm256_loadu_ps(rs)));
            __m256 e1 = _mm256_sub_ps(_mm256_loadu_ps(xs + area), _mm256_mul_ps(signal, _mm256_loadu_ps(rs + plane)));
            __m256 e2 = _mm256_sub_ps(_mm256_loadu_ps(xs + 2 * area), _mm256_mul_ps(signal, _mm256_loadu_ps(rs + 2 * plane)));
            __m256 e = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(e0, e0), _mm256_mul_ps(e1, e1)), _mm256_mul_ps(e2, e2));
            _mm256_storeu_ps(s->errors + (size_t)x0 * 8, e);
        }
        const float *errors = s->errors;
        __m256 run = _mm256_setzero_ps();
        for (int x0 = 0; x0 <= reach; x0++) run = _mm256_add_ps(run, _mm256_loadu_ps(errors + (size_t)x0 * 8));
        for (int g = 0; g < stride; g += 8) {
            __m256 block[8];
            for (int k = 0; k < 8; k++) {
                const int x0 = g + k;
                if (x0 > 0 && x0 < side) {
                    if (x0 + radius < side) run = _mm256_add_ps(run, _mm256_loadu_ps(errors + (size_t)(x0 + radius) * 8));
                    if (x0 - radius - 1 >= 0) run = _mm256_sub_ps(run, _mm256_loadu_ps(errors + (size_t)(x0 - radius - 1) * 8));
                }
                block[k] = x0 < side ? run : _mm256_setzero_ps();
            }
            transpose8(block);
            for (int k = 0; k < 8; k++) _mm256_storeu_ps(s->row_box + (size_t)(y0 + k) * stride + g, block[k]);
        }
    }
}

// Vertical box sums, row by row, each row feeding the online softmax of its pixels. The two branches
// of the scalar loop become one update, weight * a + b and sum * a + b * reference: a new maximum
// has (a, b) = (e^(top - logit), 1), a candidate within 30 of it (1, e^(logit - top)), and each
// product by 1 is exact. Those exponents are -|logit - top| both, since a - b = -(b - a) exactly.
AVX2 static void softmax_rows(const cdiffusion_job *job, const float *reference, int dy, int dx, float log_prior,
                              const vector_scratch *s) {
    const int side = job->side, m = job->max_shift, radius = job->patch_radius, stride = s->stride;
    const int padded = side + 2 * m;
    const size_t plane = (size_t)padded * padded, area = s->area;
    const int reach = radius < side - 1 ? radius : side - 1;
    for (int j = 0; j < stride; j += 8) {
        __m256 sum = _mm256_setzero_ps();
        for (int y = 0; y <= reach; y++) sum = _mm256_add_ps(sum, _mm256_loadu_ps(s->row_box + (size_t)y * stride + j));
        _mm256_storeu_ps(s->column + j, sum);
    }
    const __m256 prior = _mm256_set1_ps(log_prior), inverse = _mm256_set1_ps(job->inverse);
    const __m256 band = _mm256_set1_ps(30), one = _mm256_set1_ps(1), sign = _mm256_set1_ps(-0.0f);
    for (int y = 0; y < side; y++) {
        const float *added = y > 0 && y + radius < side ? s->row_box + (size_t)(y + radius) * stride : NULL;
        const float *dropped = y > 0 && y - radius - 1 >= 0 ? s->row_box + (size_t)(y - radius - 1) * stride : NULL;
        const float *ref = reference + (size_t)(y + dy + m) * padded + dx + m;
        const size_t row = (size_t)y * stride;
        for (int j = 0; j < stride; j += 8) {
            __m256 column = _mm256_loadu_ps(s->column + j);
            if (added) column = _mm256_add_ps(column, _mm256_loadu_ps(added + j));
            if (dropped) column = _mm256_sub_ps(column, _mm256_loadu_ps(dropped + j));
            _mm256_storeu_ps(s->column + j, column);
            __m256 logit = _mm256_sub_ps(prior, _mm256_mul_ps(column, inverse));
            float *best = s->best + row + j;
            __m256 top = _mm256_loadu_ps(best);
            // A new maximum is always within the band too.
            __m256 up = _mm256_cmp_ps(logit, top, _CMP_GT_OQ);
            __m256 near = _mm256_cmp_ps(logit, _mm256_sub_ps(top, band), _CMP_GT_OQ);
            if (!_mm256_movemask_ps(near)) continue;
            __m256 e = exp8(_mm256_or_ps(_mm256_sub_ps(logit, top), sign), near);
            __m256 a = _mm256_blendv_ps(one, e, up), b = _mm256_blendv_ps(e, one, up);
            _mm256_storeu_ps(best, _mm256_blendv_ps(top, logit, up));
            float *weight = s->weight + row + j;
            __m256 w = _mm256_loadu_ps(weight);
            _mm256_storeu_ps(weight, _mm256_blendv_ps(w, _mm256_add_ps(_mm256_mul_ps(w, a), b), near));
            for (int c = 0; c < 3; c++) {
                float *sums = s->sums + c * area + row + j;
                __m256 old = _mm256_loadu_ps(sums);
                __m256 added_value = _mm256_mul_ps(b, _mm256_loadu_ps(ref + c * plane + j));
                _mm256_storeu_ps(sums, _mm256_blendv_ps(old, _mm256_add_ps(_mm256_mul_ps(old, a), added_value), near));
            }
        }
    }
}

AVX2 static void denoise_vector(const cdiffusion_job *job, const float *x, float *clean, float *scratch) {
    const int side = job->side, m = job->max_shift, stride = round_up8(side);
    const size_t n = (size_t)side * side, area = (size_t)side * stride;
    const size_t reference_size = 3 * (size_t)(side + 2 * m) * (side + 2 * m);
    vector_scratch s = {
        .stride = stride, .area = area,
        .best = scratch, .weight = scratch + area, .sums = scratch + 2 * area, .transposed_x = scratch + 5 * area,
        .row_box = scratch + 8 * area, .errors = scratch + 8 * area + (size_t)stride * stride,
    };
    s.column = s.errors + 8 * (size_t)side;
    for (size_t i = 0; i < area; i++) {
        s.best[i] = -INFINITY;
        s.weight[i] = 0;
        s.sums[i] = s.sums[area + i] = s.sums[2 * area + i] = 0;
    }
    for (int c = 0; c < 3; c++) {
        for (int x0 = 0; x0 < side; x0++) {
            float *row = s.transposed_x + c * area + (size_t)x0 * stride;
            for (int y = 0; y < stride; y++) row[y] = y < side ? x[c * n + (size_t)y * side + x0] : 0;
        }
    }
    for (int k = 0; k < job->reference_count; k++) {
        const float *reference = job->references + k * reference_size;
        const float *transposed = job->transposed_references + k * reference_size;
        for (int dy = -m; dy <= m; dy++) {
            for (int dx = -m; dx <= m; dx++) {
                row_boxes(job, transposed, dy, dx, &s);
                softmax_rows(job, reference, dy, dx, job->log_priors[k], &s);
            }
        }
    }
    for (int y = 0; y < side; y++) {
        for (int x0 = 0; x0 < side; x0++) {
            const size_t q = (size_t)y * stride + x0;
            float inverse = s.weight[q] > 0 ? 1 / s.weight[q] : 0;
            for (int c = 0; c < 3; c++) clean[c * n + (size_t)y * side + x0] = s.sums[c * area + q] * inverse;
        }
    }
}

AVX2 static size_t exp_vector(const float *x, float *y, size_t count) {
    const __m256 all = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
    size_t i = 0;
    for (; i + 8 <= count; i += 8) _mm256_storeu_ps(y + i, exp8(_mm256_loadu_ps(x + i), all));
    return i;
}
#endif

// MARK: Entry points

bool cdiffusion_has_vector_path(void) {
#ifdef CDIFFUSION_AVX2
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return false;
#endif
}

void cdiffusion_denoise(const cdiffusion_job *job, const float *x, float *clean, float *scratch, bool allow_vector) {
#ifdef CDIFFUSION_AVX2
    if (allow_vector && cdiffusion_has_vector_path()) {
        denoise_vector(job, x, clean, scratch);
        return;
    }
#endif
    denoise_portable(job, x, clean, scratch);
}

void cdiffusion_exp(const float *x, float *y, size_t count, bool allow_vector) {
    size_t i = 0;
#ifdef CDIFFUSION_AVX2
    if (allow_vector && cdiffusion_has_vector_path()) i = exp_vector(x, y, count);
#endif
    for (; i < count; i++) y[i] = expf(x[i]);
}

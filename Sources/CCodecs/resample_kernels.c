// Inner loops of the separable bicubic resampler (weights are fixed-point with 22 fractional
// bits, as in PIL). Built for AVX2 as well as the baseline, chosen at load time: the baseline
// (SSE2) has no 32-bit vector multiply, which makes these loops several times slower.
#include "CCodecs.h"

#if defined(__x86_64__) && defined(__linux__)
#define CCODECS_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CCODECS_CLONES
#endif

static inline uint8_t clip8(int32_t value) {
    int32_t shifted = value >> 22;
    return (uint8_t)(shifted < 0 ? 0 : shifted > 255 ? 255 : shifted);
}

CCODECS_CLONES
static void vertical_scalar(const uint8_t *src, size_t stride, const int32_t *weights, int count,
                            size_t length, int32_t *restrict acc, uint8_t *restrict out) {
    for (size_t i = 0; i < length; i++) acc[i] = 1 << 21;
    for (int k = 0; k < count; k++) {
        const uint8_t *restrict row = src + (size_t)k * stride;
        int32_t weight = weights[k];
        for (size_t i = 0; i < length; i++) acc[i] += (int32_t)row[i] * weight;
    }
    for (size_t i = 0; i < length; i++) out[i] = clip8(acc[i]);
}

static void horizontal_scalar(const uint8_t *restrict row, size_t out_width, const int32_t *starts,
                              const int32_t *counts, const int32_t *weights, int kernel_size,
                              uint8_t *restrict out) {
    for (size_t x = 0; x < out_width; x++) {
        const int32_t *w = weights + x * (size_t)kernel_size;
        const uint8_t *p = row + (size_t)starts[x] * 3;
        int32_t r = 1 << 21, g = 1 << 21, b = 1 << 21;
        for (int k = 0; k < counts[x]; k++, p += 3) {
            r += (int32_t)p[0] * w[k];
            g += (int32_t)p[1] * w[k];
            b += (int32_t)p[2] * w[k];
        }
        out[3 * x] = clip8(r);
        out[3 * x + 1] = clip8(g);
        out[3 * x + 2] = clip8(b);
    }
}

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

static inline uint32_t load_pixel(const uint8_t *p, const uint8_t *end) {
    uint32_t bytes;
    // The fourth byte belongs to the next pixel (its weight lane is ignored); the last pixel
    // of a row has no next pixel.
    if (__builtin_expect(p + 4 <= end, 1)) {
        memcpy(&bytes, p, 4);
    } else {
        bytes = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
    }
    return bytes;
}

// All three channels of two taps in one 8-lane multiply-add; `weights4` holds each weight
// four times so no shuffles are needed to broadcast it.
__attribute__((target("avx2")))
static void horizontal_avx2(const uint8_t *restrict row, size_t in_width, size_t out_width,
                            const int32_t *starts, const int32_t *counts, const int32_t *weights4,
                            int kernel_size, uint8_t *restrict out) {
    const uint8_t *end = row + in_width * 3;
    for (size_t x = 0; x < out_width; x++) {
        const int32_t *w = weights4 + x * (size_t)kernel_size * 4;
        const uint8_t *p = row + (size_t)starts[x] * 3;
        int count = counts[x];
        __m256i acc = _mm256_setzero_si256();
        int k = 0;
        for (; k + 1 < count; k += 2, p += 6) {
            uint64_t pair = (uint64_t)load_pixel(p, end) | (uint64_t)load_pixel(p + 3, end) << 32;
            __m256i pixels = _mm256_cvtepu8_epi32(_mm_cvtsi64_si128((long long)pair));
            __m256i taps = _mm256_loadu_si256((const __m256i *)(w + 4 * k));
            acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(pixels, taps));
        }
        __m128i sum = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
        if (k < count) {
            __m128i pixel = _mm_cvtepu8_epi32(_mm_cvtsi32_si128((int)load_pixel(p, end)));
            sum = _mm_add_epi32(sum, _mm_mullo_epi32(pixel, _mm_loadu_si128((const __m128i *)(w + 4 * k))));
        }
        int32_t lanes[4];
        _mm_storeu_si128((__m128i *)lanes, sum);
        out[3 * x] = clip8(lanes[0] + (1 << 21));
        out[3 * x + 1] = clip8(lanes[1] + (1 << 21));
        out[3 * x + 2] = clip8(lanes[2] + (1 << 21));
    }
}
// 32 output bytes at a time with the sums kept in registers over all taps.
__attribute__((target("avx2")))
static size_t vertical_avx2(const uint8_t *src, size_t stride, const int32_t *weights, int count,
                            size_t length, uint8_t *restrict out) {
    const __m256i half = _mm256_set1_epi32(1 << 21);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    size_t i = 0;
    for (; i + 32 <= length; i += 32) {
        __m256i a0 = half, a1 = half, a2 = half, a3 = half;
        const uint8_t *p = src + i;
        for (int k = 0; k < count; k++, p += stride) {
            __m256i w = _mm256_set1_epi32(weights[k]);
            a0 = _mm256_add_epi32(a0, _mm256_mullo_epi32(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)p)), w));
            a1 = _mm256_add_epi32(a1, _mm256_mullo_epi32(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(p + 8))), w));
            a2 = _mm256_add_epi32(a2, _mm256_mullo_epi32(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(p + 16))), w));
            a3 = _mm256_add_epi32(a3, _mm256_mullo_epi32(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(p + 24))), w));
        }
        // >> 22, then saturating packs clamp to 0...255 exactly like clip8.
        __m256i p01 = _mm256_packs_epi32(_mm256_srai_epi32(a0, 22), _mm256_srai_epi32(a1, 22));
        __m256i p23 = _mm256_packs_epi32(_mm256_srai_epi32(a2, 22), _mm256_srai_epi32(a3, 22));
        __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_packus_epi16(p01, p23), order);
        _mm256_storeu_si256((__m256i *)(out + i), bytes);
    }
    return i;
}
#endif

void ccodecs_resample_vertical(const uint8_t *src, size_t stride, const int32_t *weights, int count,
                               size_t length, int32_t *acc, uint8_t *out) {
    size_t done = 0;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) {
        done = vertical_avx2(src, stride, weights, count, length, out);
        if (done == length) return;
    }
#endif
    vertical_scalar(src + done, stride, weights, count, length - done, acc, out + done);
}

void ccodecs_resample_horizontal(const uint8_t *row, size_t in_width, size_t out_width,
                                 const int32_t *starts, const int32_t *counts, const int32_t *weights,
                                 const int32_t *weights4, int kernel_size, uint8_t *out) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) {
        horizontal_avx2(row, in_width, out_width, starts, counts, weights4, kernel_size, out);
        return;
    }
#endif
    horizontal_scalar(row, out_width, starts, counts, weights, kernel_size, out);
}

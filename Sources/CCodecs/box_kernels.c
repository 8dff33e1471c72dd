// Output side of the box reducer: box sums to rounded means, and rows copied (or composited)
// straight into the reduced image, optionally transposed so the resampler's horizontal pass
// becomes a contiguous multiply-add over rows.
#include "CCodecs.h"
#include <string.h>

#if defined(__x86_64__) && defined(__linux__)
#define CCODECS_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CCODECS_CLONES
#endif

static inline uint8_t over_white8(uint32_t c, uint32_t a) {
    return (uint8_t)((c * a + 255 * (255 - a) + 127) / 255);
}

// (sum + count/2) / count without an integer division per value. (a + 0.5) / count lies at
// least 0.5/count away from any integer, and the product of a + 0.5 with a rounded reciprocal
// is off by much less than that for quotients below 256, so truncating it gives exactly the
// integer quotient. In float (24-bit significand, two roundings: relative error < 2^-22, so
// absolute < 2^-14 here) that holds for count <= 4096, which covers box factors up to 64;
// larger boxes take doubles (error < 2^-44 against 0.5/count >= 2^-25 for count <= 2^24).
CCODECS_CLONES
static void means_float(const uint32_t *restrict sums, size_t values, uint32_t count, uint8_t *restrict out) {
    float bias = (float)(count / 2) + 0.5f;
    float inverse = 1.0f / (float)count;
    for (size_t i = 0; i < values; i++) {
        out[i] = (uint8_t)(int32_t)(((float)(int32_t)sums[i] + bias) * inverse);
    }
}

static void means_double(const uint32_t *restrict sums, size_t values, uint32_t count, uint8_t *restrict out) {
    double bias = (double)(count / 2) + 0.5;
    double inverse = 1.0 / (double)count;
    for (size_t i = 0; i < values; i++) {
        out[i] = (uint8_t)(int32_t)(((double)sums[i] + bias) * inverse);
    }
}

static void means(const uint32_t *sums, size_t values, uint32_t count, uint8_t *out) {
    // Sums stay below count * 256 < 2^20 for float, so the int32 conversion is exact.
    if (count <= 4096) means_float(sums, values, count, out);
    else means_double(sums, values, count, out);
}

void ccodecs_box_means(const uint32_t *sums, size_t width, uint32_t full_count, uint32_t last_count,
                       uint8_t *out, size_t out_step, uint8_t *scratch) {
    if (width == 0) return;
    uint8_t *target = out_step == 3 ? out : scratch;
    means(sums, (width - 1) * 3, full_count, target);
    means(sums + (width - 1) * 3, 3, last_count, target + (width - 1) * 3);
    if (out_step == 3) return;
    for (size_t x = 0; x < width; x++) {
        uint8_t *q = out + x * out_step;
        q[0] = scratch[3 * x];
        q[1] = scratch[3 * x + 1];
        q[2] = scratch[3 * x + 2];
    }
}

static inline void copy3(uint8_t *q, const uint8_t *p) {
    q[0] = p[0]; q[1] = p[1]; q[2] = p[2];
}

// Writes four bytes where three belong to this pixel: the fourth lands on a pixel that is
// written later, so callers use it only when one follows.
static inline void copy4(uint8_t *q, const uint8_t *p) {
    uint32_t bytes;
    memcpy(&bytes, p, 4);
    memcpy(q, &bytes, 4);
}

// One RGBA pixel over white; `wide` allows a 4-byte store.
static inline void store_over_white(uint8_t *q, const uint8_t *p, int wide) {
    uint32_t a = p[3];
    if (a == 255) {
        if (wide) copy4(q, p); else copy3(q, p);
    } else if (a == 0) {
        if (wide) memset(q, 255, 4); else memset(q, 255, 3);
    } else {
        q[0] = over_white8(p[0], a);
        q[1] = over_white8(p[1], a);
        q[2] = over_white8(p[2], a);
    }
}

// `more_after` says whether the byte after each written pixel belongs to a pixel written later
// (true for every row of a transposed image but the last).
void ccodecs_store_row(const uint8_t *restrict src, int channels, size_t count, uint8_t *restrict out,
                       size_t out_step, int more_after) {
    if (count == 0) return;
    if (out_step == 3 && channels == 3) {
        memcpy(out, src, count * 3);
        return;
    }
    // Every pixel but the last (which ends the source row and, for rows, the output row).
    size_t last = count - 1;
    int wide = out_step == 3 || more_after;
    if (channels == 4) {
        if (wide) {
            for (size_t i = 0; i < last; i++, src += 4, out += out_step) store_over_white(out, src, 1);
        } else {
            for (size_t i = 0; i < last; i++, src += 4, out += out_step) store_over_white(out, src, 0);
        }
        store_over_white(out, src, 0);
    } else {
        if (wide) {
            for (size_t i = 0; i < last; i++, src += 3, out += out_step) copy4(out, src);
        } else {
            for (size_t i = 0; i < last; i++, src += 3, out += out_step) copy3(out, src);
        }
        copy3(out, src);
    }
}

// 3-byte pixels, in tiles so both sides stay in cache. Within a column, pixels are written top
// to bottom, so all but the bottom row may store four bytes.
static void transpose_tiles(const uint8_t *restrict src, size_t width, size_t height, uint8_t *restrict out,
                            size_t out_stride, int more_after) {
    enum { tile = 16 };
    for (size_t y0 = 0; y0 < height; y0 += tile) {
        size_t y1 = y0 + tile < height ? y0 + tile : height;
        for (size_t x0 = 0; x0 < width; x0 += tile) {
            size_t x1 = x0 + tile < width ? x0 + tile : width;
            for (size_t y = y0; y < y1; y++) {
                const uint8_t *p = src + (y * width + x0) * 3;
                uint8_t *q = out + x0 * out_stride + y * 3;
                if (y + 1 < height || more_after) {
                    for (size_t x = x0; x < x1; x++, p += 3, q += out_stride) copy4(q, p);
                } else {
                    for (size_t x = x0; x < x1; x++, p += 3, q += out_stride) copy3(q, p);
                }
            }
        }
    }
}

void ccodecs_transpose_rgb(const uint8_t *src, size_t width, size_t height, uint8_t *out) {
    transpose_tiles(src, width, height, out, height * 3, 0);
}

void ccodecs_transpose_rows(const uint8_t *src, size_t width, size_t rows, uint8_t *out, size_t out_stride,
                            int more_after) {
    transpose_tiles(src, width, rows, out, out_stride, more_after);
}

// MARK: Column sums: rows of a box are added per column first (16-bit, vectorized), and the
// columns of a box are added only once per box row.

CCODECS_CLONES
static void column_add_rgb(const uint8_t *restrict src, size_t values, uint16_t *restrict sums) {
    for (size_t i = 0; i < values; i++) sums[i] += src[i];
}

// c over white = (c*a + 255*(255-a) + 127) / 255, at most 65152 before the division, so it fits
// 16-bit lanes, and x / 255 == (x * 32897) >> 23 for every x below 66299.
static inline uint16_t over_white16(uint32_t c, uint32_t a) {
    return (uint16_t)((c * a + 255 * (255 - a) + 127) / 255);
}

static void column_add_rgba_scalar(const uint8_t *restrict src, size_t count, uint16_t *restrict sums) {
    for (size_t i = 0; i < count; i++, src += 4, sums += 4) {
        uint32_t a = src[3];
        sums[0] += over_white16(src[0], a);
        sums[1] += over_white16(src[1], a);
        sums[2] += over_white16(src[2], a);
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

// Four pixels per 256-bit vector of 16-bit lanes; the alpha lane gets a bounded junk value
// (at most 255) that nobody reads.
__attribute__((target("avx2")))
static size_t column_add_rgba_avx2(const uint8_t *restrict src, size_t count, uint16_t *restrict sums) {
    const __m256i spread = _mm256_setr_epi8(6, 7, 6, 7, 6, 7, 6, 7, 14, 15, 14, 15, 14, 15, 14, 15,
                                            6, 7, 6, 7, 6, 7, 6, 7, 14, 15, 14, 15, 14, 15, 14, 15);
    const __m256i v255 = _mm256_set1_epi16(255);
    const __m256i v127 = _mm256_set1_epi16(127);
    const __m256i magic = _mm256_set1_epi16((short)32897);
    size_t values = count * 4;
    size_t i = 0;
    for (; i + 16 <= values; i += 16) {
        __m256i c = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(src + i)));
        __m256i a = _mm256_shuffle_epi8(c, spread);
        __m256i x = _mm256_add_epi16(_mm256_mullo_epi16(c, a),
                                     _mm256_mullo_epi16(_mm256_sub_epi16(v255, a), v255));
        x = _mm256_add_epi16(x, v127);
        __m256i q = _mm256_srli_epi16(_mm256_mulhi_epu16(x, magic), 7);
        __m256i s = _mm256_loadu_si256((const __m256i *)(sums + i));
        _mm256_storeu_si256((__m256i *)(sums + i), _mm256_add_epi16(s, q));
    }
    return i / 4;
}
#endif

void ccodecs_column_add(const uint8_t *src, int channels, size_t count, uint16_t *sums) {
    if (channels == 3) {
        column_add_rgb(src, count * 3, sums);
        return;
    }
    size_t done = 0;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) done = column_add_rgba_avx2(src, count, sums);
#endif
    column_add_rgba_scalar(src + done * 4, count - done, sums + done * 4);
}

static void column_boxes_scalar(const uint16_t *p, int channels, size_t count, uint32_t factor,
                                uint32_t *box) {
    for (size_t x = 0; x < count; box += 3) {
        size_t end = x + factor < count ? x + factor : count;
        uint32_t r = 0, g = 0, b = 0;
        for (; x < end; x++, p += channels) {
            r += p[0]; g += p[1]; b += p[2];
        }
        box[0] = r; box[1] = g; box[2] = b;
    }
}

#if defined(__x86_64__)
// One pixel per 128-bit add: its 3 (RGB) or 4 (RGBX) column sums widened to 32 bits; the
// fourth lane is junk (or, for RGB, the next pixel's red) and is dropped. Reads one value past
// the last RGB pixel, which the caller's column buffer has room for.
__attribute__((target("avx2")))
static void column_boxes_avx2(const uint16_t *p, int channels, size_t count, uint32_t factor,
                              uint32_t *box) {
    for (size_t x = 0; x < count; box += 3) {
        size_t end = x + factor < count ? x + factor : count;
        __m128i acc = _mm_setzero_si128();
        for (; x < end; x++, p += channels) {
            acc = _mm_add_epi32(acc, _mm_cvtepu16_epi32(_mm_loadl_epi64((const __m128i *)p)));
        }
        _mm_storel_epi64((__m128i *)box, acc);
        box[2] = (uint32_t)_mm_extract_epi32(acc, 2);
    }
}
#endif

void ccodecs_column_flush(uint16_t *sums, int channels, size_t count, uint32_t factor, uint32_t rows,
                          uint32_t *boxes, uint8_t *out, size_t out_step, uint8_t *scratch) {
    size_t width = (count + factor - 1) / factor;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) {
        column_boxes_avx2(sums, channels, count, factor, boxes);
    } else
#endif
    column_boxes_scalar(sums, channels, count, factor, boxes);
    uint32_t last = (uint32_t)(count - (width - 1) * factor);
    ccodecs_box_means(boxes, width, factor * rows, last * rows, out, out_step, scratch);
    memset(sums, 0, count * (size_t)channels * sizeof *sums);
}

// Per-pixel loops on decoded rows. Kept in C so the compiler vectorizes them freely.
#include "CCodecs.h"

static inline uint32_t over_white(uint32_t c, uint32_t a) {
    return (c * a + 255 * (255 - a) + 127) / 255;
}

// Adds one RGBA pixel composited on white to a box sum.
static inline void add_over_white(const uint8_t *p, uint32_t *sum) {
    uint32_t a = p[3];
    if (a == 255) {
        sum[0] += p[0]; sum[1] += p[1]; sum[2] += p[2];
    } else if (a == 0) {
        sum[0] += 255; sum[1] += 255; sum[2] += 255;
    } else {
        sum[0] += over_white(p[0], a); sum[1] += over_white(p[1], a); sum[2] += over_white(p[2], a);
    }
}

void ccodecs_flatten_alpha_row(uint8_t *restrict rgba, size_t count, int mode) {
    for (size_t i = 0; i < count; i++) {
        uint32_t a = rgba[4 * i + 3];
        if (mode == 2 && a != 255) {
            for (int c = 0; c < 3; c++) rgba[4 * i + c] = (uint8_t)((rgba[4 * i + c] * a + 127) / 255);
        }
        rgba[4 * i + 3] = 255;
    }
}

void ccodecs_composite_row(const uint8_t *restrict rgba, uint8_t *restrict rgb, size_t count) {
    for (size_t i = 0; i < count; i++) {
        uint32_t a = rgba[4 * i + 3];
        // Clip art is mostly fully opaque or fully transparent: skip the arithmetic there.
        if (a == 255) {
            rgb[3 * i] = rgba[4 * i];
            rgb[3 * i + 1] = rgba[4 * i + 1];
            rgb[3 * i + 2] = rgba[4 * i + 2];
            continue;
        }
        if (a == 0) {
            rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = 255;
            continue;
        }
        rgb[3 * i] = (uint8_t)over_white(rgba[4 * i], a);
        rgb[3 * i + 1] = (uint8_t)over_white(rgba[4 * i + 1], a);
        rgb[3 * i + 2] = (uint8_t)over_white(rgba[4 * i + 2], a);
    }
}

void ccodecs_accumulate_row(const uint8_t *restrict src, int channels, size_t count, uint32_t factor,
                            uint32_t *restrict sums) {
    size_t x = 0;
    uint32_t *box = sums;
    // Whole boxes first: the inner loop has a fixed trip count and no division.
    if (channels == 4) {
        for (; x + factor <= count; x += factor, box += 3) {
            uint32_t sum[3] = { 0, 0, 0 };
            for (uint32_t k = 0; k < factor; k++) add_over_white(src + 4 * (x + k), sum);
            box[0] += sum[0]; box[1] += sum[1]; box[2] += sum[2];
        }
        for (; x < count; x++) add_over_white(src + 4 * x, box);
    } else {
        for (; x + factor <= count; x += factor, box += 3) {
            uint32_t r = 0, g = 0, b = 0;
            for (uint32_t k = 0; k < factor; k++) {
                const uint8_t *p = src + 3 * (x + k);
                r += p[0]; g += p[1]; b += p[2];
            }
            box[0] += r; box[1] += g; box[2] += b;
        }
        for (; x < count; x++) {
            const uint8_t *p = src + 3 * x;
            box[0] += p[0]; box[1] += p[1]; box[2] += p[2];
        }
    }
}

void ccodecs_accumulate_sparse(const uint8_t *restrict src, int channels, size_t count, uint32_t x_start,
                               uint32_t x_step, uint32_t factor, uint32_t *restrict sums) {
    for (size_t i = 0; i < count; i++) {
        const uint8_t *p = src + (size_t)channels * i;
        uint32_t *box = sums + 3 * ((x_start + i * x_step) / factor);
        if (channels == 4) {
            add_over_white(p, box);
        } else {
            box[0] += p[0]; box[1] += p[1]; box[2] += p[2];
        }
    }
}

void ccodecs_scatter_row(const uint8_t *restrict src, int channels, size_t count, uint32_t x_start,
                         uint32_t x_step, uint8_t *restrict rgb) {
    for (size_t i = 0; i < count; i++) {
        const uint8_t *p = src + (size_t)channels * i;
        uint8_t *q = rgb + 3 * (x_start + i * x_step);
        if (channels == 4) {
            q[0] = (uint8_t)over_white(p[0], p[3]);
            q[1] = (uint8_t)over_white(p[1], p[3]);
            q[2] = (uint8_t)over_white(p[2], p[3]);
        } else {
            q[0] = p[0]; q[1] = p[1]; q[2] = p[2];
        }
    }
}

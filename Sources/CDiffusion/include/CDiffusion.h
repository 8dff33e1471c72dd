// CDiffusion: the builtin generator's patch denoiser (PatchDenoiser) as a C kernel, so that it can
// run eight pixels at a time with AVX2 and FMA, which Swift code built for baseline x86-64 cannot.
// Its results are bit-identical to the scalar loop it replaces (the same float operations in the
// same order for every pixel, and glibc's own expf values); see patch_denoiser.c.
#ifndef CDIFFUSION_H
#define CDIFFUSION_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// Floats the kernel may read (and ignore) past the end of the reference arrays.
#define CDIFFUSION_SLACK 8

typedef struct {
    int side;              // image width and height
    int max_shift;         // candidates are every reference shifted by up to this many pixels each way
    int patch_radius;      // patches are (2 patch_radius + 1)^2, clipped at the image border
    int reference_count;
    // reference_count references one after another, each planar RGB in [-1, 1] reflect-padded by
    // max_shift: 3 planes of (side + 2 max_shift)^2 floats, then CDIFFUSION_SLACK more at the end.
    const float *references;
    // The same, each plane transposed.
    const float *transposed_references;
    const float *log_priors;   // one per reference
    float signal;              // x = signal * clean + noise
    float inverse;             // 1 / (2 noise variance)
} cdiffusion_job;

// Floats of scratch cdiffusion_denoise needs for images of this side.
size_t cdiffusion_scratch_count(int side);

// The clean image estimated from x (both planar, 3 planes of side^2). Without allow_vector, or on a
// CPU without AVX2 and FMA, it runs the portable scalar loop; both give the same bits.
void cdiffusion_denoise(const cdiffusion_job *job, const float *x, float *clean, float *scratch, bool allow_vector);

// Whether cdiffusion_denoise and cdiffusion_exp have their vector path on this machine.
bool cdiffusion_has_vector_path(void);

// expf of count values the way the vector path computes them (expf itself without allow_vector or
// the vector path), for tests that the two agree.
void cdiffusion_exp(const float *x, float *y, size_t count, bool allow_vector);

#ifdef __cplusplus
}
#endif

#endif

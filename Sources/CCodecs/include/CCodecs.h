// CCodecs: a thin C layer over libpng and libjpeg.
// Both libraries report errors with longjmp, which must never cross Swift frames,
// so every setjmp lives here and each call returns 0 on success or -1 with a message.
#ifndef CCODECS_H
#define CCODECS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CCODECS_MESSAGE_SIZE 200

// MARK: PNG reading

typedef struct ccodecs_png_reader ccodecs_png_reader;

typedef struct {
    uint32_t width;
    uint32_t height;
    int bit_depth;
    int color_type;      // PNG_COLOR_TYPE_* of the file
    int interlaced;      // 1 for Adam7
    int has_alpha;       // alpha channel or tRNS chunk
} ccodecs_png_header;

typedef struct {
    uint32_t x_start, x_step, y_start, y_step;
    uint32_t width, height;   // pixels in this pass (0 when the pass is empty)
} ccodecs_png_pass;

/// The reader borrows `data`; it must outlive the reader.
ccodecs_png_reader *ccodecs_png_reader_create(const uint8_t *data, size_t size);
void ccodecs_png_reader_destroy(ccodecs_png_reader *reader);
const char *ccodecs_png_reader_message(const ccodecs_png_reader *reader);
/// Reads the chunks up to the image data; allocates nothing proportional to the image.
int ccodecs_png_read_header(ccodecs_png_reader *reader, ccodecs_png_header *header);
/// Sets transforms so rows come out as 8-bit RGB (3) or RGBA (4); writes the channel count.
/// Interlaced images are not de-interlaced: rows come pass by pass (see ccodecs_png_pass_geometry).
int ccodecs_png_start(ccodecs_png_reader *reader, int *channels);
/// Reads the next row (of the current pass for interlaced images) into `row`.
int ccodecs_png_read_row(ccodecs_png_reader *reader, uint8_t *row);
/// Geometry of Adam7 pass `pass` (0...6) for an image of the given size.
ccodecs_png_pass ccodecs_png_pass_geometry(int pass, uint32_t width, uint32_t height);

// MARK: PNG writing

/// Encodes interleaved RGB8 as a non-interlaced PNG. On success `*out` is malloc'd (free with ccodecs_free).
int ccodecs_png_encode_rgb(const uint8_t *pixels, uint32_t width, uint32_t height, int level,
                           uint8_t **out, size_t *out_size, char *message);

// MARK: JPEG reading

typedef struct ccodecs_jpeg_reader ccodecs_jpeg_reader;

typedef struct {
    uint32_t width;
    uint32_t height;
    int components;
    int color_space;     // J_COLOR_SPACE of the file
    int progressive;
} ccodecs_jpeg_header;

ccodecs_jpeg_reader *ccodecs_jpeg_reader_create(const uint8_t *data, size_t size);
void ccodecs_jpeg_reader_destroy(ccodecs_jpeg_reader *reader);
const char *ccodecs_jpeg_reader_message(const ccodecs_jpeg_reader *reader);
/// Reads markers up to the first scan, keeping APP1 (EXIF) markers.
int ccodecs_jpeg_read_header(ccodecs_jpeg_reader *reader, ccodecs_jpeg_header *header);
/// The first APP1 marker that holds EXIF data, or NULL.
const uint8_t *ccodecs_jpeg_exif(const ccodecs_jpeg_reader *reader, size_t *size);
/// Starts decompression to RGB at scale scale_num/8 (1...8); writes the output size.
int ccodecs_jpeg_start(ccodecs_jpeg_reader *reader, int scale_num, uint32_t *width, uint32_t *height);
/// Reads up to `max_rows` RGB rows into `rows` (stride width*3); writes how many were read.
int ccodecs_jpeg_read_rows(ccodecs_jpeg_reader *reader, uint8_t *rows, uint32_t max_rows, uint32_t *rows_read);

// MARK: JPEG writing

/// Encodes interleaved RGB8 as baseline JPEG (4:2:0, no optimized tables). `*out` is malloc'd.
int ccodecs_jpeg_encode_rgb(const uint8_t *pixels, uint32_t width, uint32_t height, int quality,
                            uint8_t **out, size_t *out_size, char *message);

void ccodecs_free(void *pointer);

// MARK: Row kernels (hot per-pixel loops kept in C so they vectorize)

/// RGBA rows made opaque in place, for the other alpha modes than composite-on-white:
/// mode 1 drops alpha (keeps the stored colours, as PIL's convert('RGB')), mode 2 composites on
/// black (c*a/255, rounded); alpha becomes 255 either way, so the white compositing after is a copy.
void ccodecs_flatten_alpha_row(uint8_t *rgba, size_t count, int mode);
/// RGBA -> RGB composited on white: c*a/255 + 255-a, rounded.
void ccodecs_composite_row(const uint8_t *rgba, uint8_t *rgb, size_t count);
/// Composites (when channels is 4) and adds a row into box sums: source pixel i lands in box i/factor.
void ccodecs_accumulate_row(const uint8_t *src, int channels, size_t count, uint32_t factor, uint32_t *sums);
/// Sparse variant for interlaced passes: pass pixel i sits at x = x_start + i*x_step.
void ccodecs_accumulate_sparse(const uint8_t *src, int channels, size_t count, uint32_t x_start,
                               uint32_t x_step, uint32_t factor, uint32_t *sums);
/// Sparse copy into a full-size RGB row: pass pixel i goes to x = x_start + i*x_step.
void ccodecs_scatter_row(const uint8_t *src, int channels, size_t count, uint32_t x_start,
                         uint32_t x_step, uint8_t *rgb);

/// Box sums (RGB, `width` boxes) to rounded means (sum + count/2) / count, where every box holds
/// `full_count` pixels but the last, which holds `last_count`. Box x goes to out + x*out_step;
/// when out_step is not 3, `scratch` (width*3 bytes) is used.
void ccodecs_box_means(const uint32_t *sums, size_t width, uint32_t full_count, uint32_t last_count,
                       uint8_t *out, size_t out_step, uint8_t *scratch);
/// Copies (channels 3) or composites on white (channels 4) a row; pixel i goes to out + i*out_step.
/// `more_after`: the byte after each pixel belongs to a pixel written later (may be clobbered).
void ccodecs_store_row(const uint8_t *src, int channels, size_t count, uint8_t *out, size_t out_step,
                       int more_after);
/// Adds a row of `count` pixels into 16-bit column sums: RGB rows as 3 values per pixel, RGBA
/// rows composited on white as 4 values per pixel (the 4th is unused). Up to 257 rows fit.
void ccodecs_column_add(const uint8_t *src, int channels, size_t count, uint16_t *sums);
/// Adds groups of `factor` column sums (`channels` values per pixel) into box sums `boxes`
/// (3 per box), turns them into means of factor*rows pixels (ccodecs_box_means) and clears `sums`.
void ccodecs_column_flush(uint16_t *sums, int channels, size_t count, uint32_t factor, uint32_t rows,
                          uint32_t *boxes, uint8_t *out, size_t out_step, uint8_t *scratch);
/// Writes `rows` RGB rows of `width` pixels as the tops of `width` columns `out_stride` bytes
/// apart (pixel (x, y) to out + x*out_stride + y*3). `more_after`: the column continues below.
void ccodecs_transpose_rows(const uint8_t *src, size_t width, size_t rows, uint8_t *out, size_t out_stride,
                            int more_after);
/// Transposes `height` rows of `width` RGB pixels into `width` rows of `height` pixels.
void ccodecs_transpose_rgb(const uint8_t *src, size_t width, size_t height, uint8_t *out);

// MARK: Resampling kernels (fixed-point weights with 22 fractional bits)

/// One output row as the weighted sum of `count` input rows `stride` bytes apart; `acc` is
/// scratch of `length` elements.
void ccodecs_resample_vertical(const uint8_t *src, size_t stride, const int32_t *weights, int count,
                               size_t length, int32_t *acc, uint8_t *out);
/// One RGB row filtered horizontally: output pixel x sums counts[x] input pixels from starts[x]
/// with weights[x * kernel_size ...]; `weights4` repeats each weight four times (SIMD layout).
void ccodecs_resample_horizontal(const uint8_t *row, size_t in_width, size_t out_width,
                                 const int32_t *starts, const int32_t *counts, const int32_t *weights,
                                 const int32_t *weights4, int kernel_size, uint8_t *out);

#ifdef __cplusplus
}
#endif
#endif

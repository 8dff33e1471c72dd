// Incremental PNG reader over a memory buffer. Every libpng call that may longjmp is
// wrapped in a setjmp here, so errors reach Swift as return codes.
#include "CCodecs.h"
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

struct ccodecs_png_reader {
    png_structp png;
    png_infop info;
    jmp_buf jump;
    const uint8_t *data;
    size_t size;
    size_t offset;
    int failed;
    char message[CCODECS_MESSAGE_SIZE];
};

static void on_error(png_structp png, png_const_charp text) {
    struct ccodecs_png_reader *reader = png_get_error_ptr(png);
    snprintf(reader->message, sizeof reader->message, "%s", text);
    reader->failed = 1;
    longjmp(reader->jump, 1);
}

// Warnings (unknown chunks, bad ancillary CRCs, ...) do not stop decoding.
static void on_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static void on_read(png_structp png, png_bytep out, size_t length) {
    struct ccodecs_png_reader *reader = png_get_io_ptr(png);
    if (reader->size - reader->offset < length) {
        png_error(png, "unexpected end of data (truncated)");
    }
    memcpy(out, reader->data + reader->offset, length);
    reader->offset += length;
}

ccodecs_png_reader *ccodecs_png_reader_create(const uint8_t *data, size_t size) {
    struct ccodecs_png_reader *reader = calloc(1, sizeof *reader);
    if (reader == NULL) return NULL;
    reader->data = data;
    reader->size = size;
    reader->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, reader, on_error, on_warning);
    if (reader->png == NULL) {
        free(reader);
        return NULL;
    }
    reader->info = png_create_info_struct(reader->png);
    if (reader->info == NULL) {
        png_destroy_read_struct(&reader->png, NULL, NULL);
        free(reader);
        return NULL;
    }
    png_set_read_fn(reader->png, reader, on_read);
    return reader;
}

void ccodecs_png_reader_destroy(ccodecs_png_reader *reader) {
    if (reader == NULL) return;
    png_destroy_read_struct(&reader->png, &reader->info, NULL);
    free(reader);
}

const char *ccodecs_png_reader_message(const ccodecs_png_reader *reader) {
    return reader->message;
}

int ccodecs_png_read_header(ccodecs_png_reader *reader, ccodecs_png_header *header) {
    if (reader->failed) return -1;
    if (setjmp(reader->jump)) return -1;
    png_structp png = reader->png;
    // Image data is checked twice by default: chunk CRC-32 and zlib's Adler-32 over the same
    // bytes. The CRC (stronger, and faster in this zlib) is kept; the Adler-32 pass is skipped.
#ifdef PNG_IGNORE_ADLER32
    png_set_option(png, PNG_IGNORE_ADLER32, PNG_OPTION_ON);
#endif
    // Text, colour profiles and other metadata are never used: do not parse or store them.
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
    static const png_byte needed[] = { 't', 'R', 'N', 'S', 0 };
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_AS_DEFAULT, needed, 1);
    png_read_info(png, reader->info);
    header->width = png_get_image_width(png, reader->info);
    header->height = png_get_image_height(png, reader->info);
    header->bit_depth = png_get_bit_depth(png, reader->info);
    header->color_type = png_get_color_type(png, reader->info);
    header->interlaced = png_get_interlace_type(png, reader->info) == PNG_INTERLACE_ADAM7;
    header->has_alpha = (header->color_type & PNG_COLOR_MASK_ALPHA) != 0
        || png_get_valid(png, reader->info, PNG_INFO_tRNS) != 0;
    return 0;
}

int ccodecs_png_start(ccodecs_png_reader *reader, int *channels) {
    if (reader->failed) return -1;
    if (setjmp(reader->jump)) return -1;
    png_structp png = reader->png;
    png_infop info = reader->info;
    int color_type = png_get_color_type(png, info);
    // Palette -> RGB, grey < 8 bits -> 8 bits, tRNS -> alpha channel.
    png_set_expand(png);
    if (png_get_bit_depth(png, info) == 16) png_set_scale_16(png);
    if ((color_type & PNG_COLOR_MASK_COLOR) == 0) png_set_gray_to_rgb(png);
    // No png_set_interlace_handling: interlaced rows come out pass by pass, unexpanded,
    // so a downscaling consumer never needs the full-size image.
    png_read_update_info(png, info);
    *channels = png_get_channels(png, info);
    if ((*channels != 3 && *channels != 4) || png_get_bit_depth(png, info) != 8) {
        snprintf(reader->message, sizeof reader->message, "unexpected PNG row layout");
        reader->failed = 1;
        return -1;
    }
    return 0;
}

int ccodecs_png_read_row(ccodecs_png_reader *reader, uint8_t *row) {
    if (reader->failed) return -1;
    if (setjmp(reader->jump)) return -1;
    png_read_row(reader->png, row, NULL);
    return 0;
}

ccodecs_png_pass ccodecs_png_pass_geometry(int pass, uint32_t width, uint32_t height) {
    static const uint32_t xs[7] = { 0, 4, 0, 2, 0, 1, 0 };
    static const uint32_t xd[7] = { 8, 8, 4, 4, 2, 2, 1 };
    static const uint32_t ys[7] = { 0, 0, 4, 0, 2, 0, 1 };
    static const uint32_t yd[7] = { 8, 8, 8, 4, 4, 2, 2 };
    ccodecs_png_pass result = { 0, 1, 0, 1, 0, 0 };
    if (pass < 0 || pass > 6) return result;
    result.x_start = xs[pass];
    result.x_step = xd[pass];
    result.y_start = ys[pass];
    result.y_step = yd[pass];
    result.width = width > xs[pass] ? (width - xs[pass] + xd[pass] - 1) / xd[pass] : 0;
    result.height = height > ys[pass] ? (height - ys[pass] + yd[pass] - 1) / yd[pass] : 0;
    return result;
}

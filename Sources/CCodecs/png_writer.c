// PNG encoding of RGB8 into a growing memory buffer.
#include "CCodecs.h"
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    jmp_buf jump;
    char *message;
    uint8_t *bytes;
    size_t size;
    size_t capacity;
} png_sink;

static void on_error(png_structp png, png_const_charp text) {
    png_sink *sink = png_get_error_ptr(png);
    snprintf(sink->message, CCODECS_MESSAGE_SIZE, "%s", text);
    longjmp(sink->jump, 1);
}

static void on_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static void on_write(png_structp png, png_bytep data, size_t length) {
    png_sink *sink = png_get_io_ptr(png);
    if (sink->capacity - sink->size < length) {
        size_t capacity = sink->capacity ? sink->capacity : 4096;
        while (capacity - sink->size < length) capacity *= 2;
        uint8_t *grown = realloc(sink->bytes, capacity);
        if (grown == NULL) png_error(png, "out of memory");
        sink->bytes = grown;
        sink->capacity = capacity;
    }
    memcpy(sink->bytes + sink->size, data, length);
    sink->size += length;
}

static void on_flush(png_structp png) { (void)png; }

int ccodecs_png_encode_rgb(const uint8_t *pixels, uint32_t width, uint32_t height, int level,
                           uint8_t **out, size_t *out_size, char *message) {
    // Volatile: these are read after a longjmp back into this frame.
    png_sink *volatile sink = calloc(1, sizeof(png_sink));
    if (sink == NULL) {
        snprintf(message, CCODECS_MESSAGE_SIZE, "out of memory");
        return -1;
    }
    sink->message = message;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, sink, on_error, on_warning);
    png_infop info = png != NULL ? png_create_info_struct(png) : NULL;
    if (info == NULL) {
        png_destroy_write_struct(&png, NULL);
        free(sink);
        snprintf(message, CCODECS_MESSAGE_SIZE, "out of memory");
        return -1;
    }
    if (setjmp(sink->jump)) {
        png_destroy_write_struct(&png, &info);
        free(sink->bytes);
        free(sink);
        return -1;
    }
    png_set_write_fn(png, sink, on_write, on_flush);
    png_set_compression_level(png, level);
    png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (uint32_t y = 0; y < height; y++) {
        png_write_row(png, (png_const_bytep)(pixels + (size_t)y * width * 3));
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    *out = sink->bytes;
    *out_size = sink->size;
    free(sink);
    return 0;
}

void ccodecs_free(void *pointer) { free(pointer); }

// Baseline JPEG encoding of RGB8 into memory. Fixed settings keep output deterministic.
#include "CCodecs.h"
#include <stdio.h>
#include <jpeglib.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    struct jpeg_error_mgr errors;   // first member: the error callback casts back to this
    jmp_buf jump;
    char *message;
} jpeg_failure;

static void on_error_exit(j_common_ptr cinfo) {
    jpeg_failure *failure = (jpeg_failure *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    snprintf(failure->message, CCODECS_MESSAGE_SIZE, "%s", text);
    longjmp(failure->jump, 1);
}

static void on_emit_message(j_common_ptr cinfo, int level) {
    (void)cinfo;
    (void)level;
}

int ccodecs_jpeg_encode_rgb(const uint8_t *pixels, uint32_t width, uint32_t height, int quality,
                            uint8_t **out, size_t *out_size, char *message) {
    struct jpeg_compress_struct cinfo;
    jpeg_failure failure;
    // Volatile: read after a longjmp back into this frame.
    unsigned char *volatile buffer = NULL;
    unsigned long size = 0;
    failure.message = message;
    cinfo.err = jpeg_std_error(&failure.errors);
    failure.errors.error_exit = on_error_exit;
    failure.errors.emit_message = on_emit_message;
    if (setjmp(failure.jump)) {
        jpeg_destroy_compress(&cinfo);
        free(buffer);
        return -1;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, (unsigned char **)&buffer, &size);
    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cinfo);   // YCbCr 4:2:0, Huffman tables from the standard
    jpeg_set_quality(&cinfo, quality < 1 ? 1 : quality > 100 ? 100 : quality, TRUE);
    cinfo.optimize_coding = FALSE;
    cinfo.dct_method = JDCT_ISLOW;
    jpeg_start_compress(&cinfo, TRUE);
    size_t stride = (size_t)width * 3;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * stride);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *out = buffer;
    *out_size = size;
    return 0;
}

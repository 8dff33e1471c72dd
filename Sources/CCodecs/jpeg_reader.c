// Incremental JPEG reader over a memory buffer (libjpeg-turbo). Errors longjmp back into
// the entry point that is running, which turns them into a return code and a message.
#include "CCodecs.h"
#include <stdio.h>
#include <jpeglib.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

struct ccodecs_jpeg_reader {
    struct jpeg_decompress_struct cinfo;   // first member: callbacks cast cinfo back to the reader
    struct jpeg_error_mgr errors;
    struct jpeg_source_mgr source;
    jmp_buf jump;
    const uint8_t *data;
    size_t size;
    int failed;
    int cmyk;
    int inverted;
    uint8_t *scratch;      // CMYK rows before conversion
    size_t scratch_size;
    char message[CCODECS_MESSAGE_SIZE];
};

static void fail(struct ccodecs_jpeg_reader *reader) {
    reader->failed = 1;
    longjmp(reader->jump, 1);
}

static void on_error_exit(j_common_ptr cinfo) {
    struct ccodecs_jpeg_reader *reader = (struct ccodecs_jpeg_reader *)cinfo;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    snprintf(reader->message, sizeof reader->message, "%s", text);
    fail(reader);
}

// Warnings such as "corrupt data: premature end of data segment" are tolerated,
// like most decoders do; running out of input is an error (see on_fill).
static void on_emit_message(j_common_ptr cinfo, int level) {
    (void)cinfo;
    (void)level;
}

static void on_init_source(j_decompress_ptr cinfo) { (void)cinfo; }

// The whole buffer is handed over up front, so a refill request means the data is truncated.
static boolean on_fill(j_decompress_ptr cinfo) {
    struct ccodecs_jpeg_reader *reader = (struct ccodecs_jpeg_reader *)cinfo;
    snprintf(reader->message, sizeof reader->message, "unexpected end of data (truncated)");
    fail(reader);
    return FALSE;
}

static void on_skip(j_decompress_ptr cinfo, long count) {
    if (count <= 0) return;
    struct jpeg_source_mgr *source = cinfo->src;
    if ((size_t)count > source->bytes_in_buffer) on_fill(cinfo);
    source->next_input_byte += count;
    source->bytes_in_buffer -= (size_t)count;
}

static void on_term_source(j_decompress_ptr cinfo) { (void)cinfo; }

ccodecs_jpeg_reader *ccodecs_jpeg_reader_create(const uint8_t *data, size_t size) {
    struct ccodecs_jpeg_reader *reader = calloc(1, sizeof *reader);
    if (reader == NULL) return NULL;
    reader->data = data;
    reader->size = size;
    reader->cinfo.err = jpeg_std_error(&reader->errors);
    reader->errors.error_exit = on_error_exit;
    reader->errors.emit_message = on_emit_message;
    if (setjmp(reader->jump)) {
        jpeg_destroy_decompress(&reader->cinfo);
        free(reader);
        return NULL;
    }
    jpeg_create_decompress(&reader->cinfo);
    reader->source.init_source = on_init_source;
    reader->source.fill_input_buffer = on_fill;
    reader->source.skip_input_data = on_skip;
    reader->source.resync_to_restart = jpeg_resync_to_restart;
    reader->source.term_source = on_term_source;
    reader->source.next_input_byte = data;
    reader->source.bytes_in_buffer = size;
    reader->cinfo.src = &reader->source;
    return reader;
}

void ccodecs_jpeg_reader_destroy(ccodecs_jpeg_reader *reader) {
    if (reader == NULL) return;
    jpeg_destroy_decompress(&reader->cinfo);
    free(reader->scratch);
    free(reader);
}

const char *ccodecs_jpeg_reader_message(const ccodecs_jpeg_reader *reader) {
    return reader->message;
}

int ccodecs_jpeg_read_header(ccodecs_jpeg_reader *reader, ccodecs_jpeg_header *header) {
    if (reader->failed) return -1;
    if (setjmp(reader->jump)) return -1;
    jpeg_save_markers(&reader->cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&reader->cinfo, TRUE);
    header->width = reader->cinfo.image_width;
    header->height = reader->cinfo.image_height;
    header->components = reader->cinfo.num_components;
    header->color_space = reader->cinfo.jpeg_color_space;
    header->progressive = reader->cinfo.progressive_mode ? 1 : 0;
    return 0;
}

const uint8_t *ccodecs_jpeg_exif(const ccodecs_jpeg_reader *reader, size_t *size) {
    for (jpeg_saved_marker_ptr m = reader->cinfo.marker_list; m != NULL; m = m->next) {
        if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 && memcmp(m->data, "Exif\0\0", 6) == 0) {
            *size = m->data_length - 6;
            return m->data + 6;
        }
    }
    *size = 0;
    return NULL;
}

int ccodecs_jpeg_start(ccodecs_jpeg_reader *reader, int scale_num, uint32_t *width, uint32_t *height) {
    if (reader->failed) return -1;
    if (setjmp(reader->jump)) return -1;
    struct jpeg_decompress_struct *cinfo = &reader->cinfo;
    cinfo->scale_num = (unsigned)(scale_num < 1 ? 1 : scale_num > 8 ? 8 : scale_num);
    cinfo->scale_denom = 8;
    cinfo->dct_method = JDCT_ISLOW;
    reader->cmyk = cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK;
    // Adobe applications store CMYK inverted and say so with an APP14 marker.
    reader->inverted = reader->cmyk && cinfo->saw_Adobe_marker;
    cinfo->out_color_space = reader->cmyk ? JCS_CMYK : JCS_RGB;
    jpeg_start_decompress(cinfo);
    *width = cinfo->output_width;
    *height = cinfo->output_height;
    if (reader->cmyk) {
        reader->scratch_size = (size_t)cinfo->output_width * 4;
        reader->scratch = malloc(reader->scratch_size);
        if (reader->scratch == NULL) {
            snprintf(reader->message, sizeof reader->message, "out of memory");
            reader->failed = 1;
            return -1;
        }
    }
    return 0;
}

static inline uint8_t muldiv255(unsigned a, unsigned b) {
    unsigned t = a * b + 128;
    return (uint8_t)(((t >> 8) + t) >> 8);
}

// Same arithmetic as PIL's CMYK -> RGB: channel = (255-k) - (c*(255-k))/255.
static void cmyk_to_rgb(const uint8_t *in, uint8_t *out, size_t count, int inverted) {
    for (size_t i = 0; i < count; i++, in += 4, out += 3) {
        unsigned c = in[0], m = in[1], y = in[2], k = in[3];
        if (inverted) { c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k; }
        unsigned nk = 255 - k;
        out[0] = (uint8_t)(nk - muldiv255(c, nk));
        out[1] = (uint8_t)(nk - muldiv255(m, nk));
        out[2] = (uint8_t)(nk - muldiv255(y, nk));
    }
}

int ccodecs_jpeg_read_rows(ccodecs_jpeg_reader *reader, uint8_t *rows, uint32_t max_rows, uint32_t *rows_read) {
    *rows_read = 0;
    if (reader->failed) return -1;
    if (setjmp(reader->jump)) return -1;
    struct jpeg_decompress_struct *cinfo = &reader->cinfo;
    size_t stride = (size_t)cinfo->output_width * 3;
    uint32_t done = 0;
    while (done < max_rows && cinfo->output_scanline < cinfo->output_height) {
        if (reader->cmyk) {
            JSAMPROW row = reader->scratch;
            JDIMENSION got = jpeg_read_scanlines(cinfo, &row, 1);
            if (got == 1) {
                cmyk_to_rgb(reader->scratch, rows + done * stride, cinfo->output_width, reader->inverted);
            }
            done += got;
        } else {
            JSAMPROW pointers[16];
            uint32_t batch = max_rows - done < 16 ? max_rows - done : 16;
            for (uint32_t i = 0; i < batch; i++) pointers[i] = rows + (size_t)(done + i) * stride;
            done += jpeg_read_scanlines(cinfo, pointers, batch);
        }
        *rows_read = done;
    }
    return 0;
}

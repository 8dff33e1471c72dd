#include "CGEMM.h"

// Eight partial sums, reduced in a fixed tree: vectorizes at -O2 and gives the same bits wherever
// the operands sit in memory.
static float dot(const float *a, const float *b, long n) {
    float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        for (int l = 0; l < 8; l++) lanes[l] += a[i + l] * b[i + l];
    }
    for (; i < n; i++) lanes[i & 7] += a[i] * b[i];
    return ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
}

void cgemm_head_scores(long rows, long columns, long width, float alpha, const float *q, long ldq,
                       const float *k, long ldk, float *scores, long lds) {
    for (long i = 0; i < rows; i++) {
        const float *qi = q + i * ldq;
        float *out = scores + i * lds;
        for (long j = 0; j < columns; j++) out[j] = alpha * dot(qi, k + j * ldk, width);
    }
}

void cgemm_head_mix(long rows, long length, long width, const float *p, long ldp, const float *v, long ldv,
                    float *out, long ldo) {
    for (long i = 0; i < rows; i++) {
        float *o = out + i * ldo;
        const float *pi = p + i * ldp;
        for (long c = 0; c < width; c++) o[c] = 0;
        // Each output value sums over j in order; the inner loop runs across values and vectorizes.
        for (long j = 0; j < length; j++) {
            const float weight = pi[j];
            const float *vj = v + j * ldv;
            for (long c = 0; c < width; c++) o[c] += weight * vj[c];
        }
    }
}

#include <cblas.h>
#include <stddef.h>

// LAPACK routines that libopenblas exports (Debian builds it with LAPACK). There is no lapack.h in
// libopenblas-dev, so the Fortran prototypes are declared here; the trailing size_t arguments are the
// hidden lengths of the character arguments in gfortran's calling convention.
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
            double *work, const int *lwork, int *info, size_t jobz_len, size_t uplo_len);
void dposv_(const char *uplo, const int *n, const int *nrhs, double *a, const int *lda, double *b,
            const int *ldb, int *info, size_t uplo_len);

/* Row-major matrix products: one place that talks to CBLAS, and a plain-loop
 * reference for the tests. */
#include <cblas.h>

#include "nn/nn.h"

void sbi__gemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, double alpha,
               const double *a, int64_t lda, const double *b, int64_t ldb, double beta, double *c,
               int64_t ldc)
{
    if (m <= 0 || n <= 0) return;
    if (m == 1 && !trans_a) {
        /* A single row (one sample): dgemv avoids dgemm's packing cost. */
        if (trans_b)
            cblas_dgemv(CblasRowMajor, CblasNoTrans, (blasint)n, (blasint)k, alpha, b,
                        (blasint)ldb, a, 1, beta, c, 1);
        else
            cblas_dgemv(CblasRowMajor, CblasTrans, (blasint)k, (blasint)n, alpha, b,
                        (blasint)ldb, a, 1, beta, c, 1);
        return;
    }
    cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, (blasint)m, (blasint)n, (blasint)k, alpha, a,
                (blasint)lda, b, (blasint)ldb, beta, c, (blasint)ldc);
}

void sbi__gemm_ref(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, double alpha,
                   const double *a, int64_t lda, const double *b, int64_t ldb, double beta,
                   double *c, int64_t ldc)
{
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j = 0; j < n; j++) {
            double s = 0.0;
            for (int64_t p = 0; p < k; p++) {
                double av = trans_a ? a[p * lda + i] : a[i * lda + p];
                double bv = trans_b ? b[j * ldb + p] : b[p * ldb + j];
                s += av * bv;
            }
            /* beta == 0 overwrites, as BLAS does (c may hold garbage). */
            c[i * ldc + j] = alpha * s + (beta == 0.0 ? 0.0 : beta * c[i * ldc + j]);
        }
    }
}

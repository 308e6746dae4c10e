/* The neural-network core: dense layers on CBLAS, activations, multilayer
 * perceptrons whose parameters live in one flat array, Adam, gradient
 * clipping and a finite-difference gradient check. docs/internals-nn.md
 * describes the conventions for code that builds on it (MDN, flows).
 *
 * Conventions
 *  - Batches are row-major: X[n][in], Y[n][out].
 *  - A dense layer stores W as [out][in] (row-major, PyTorch's layout) and
 *    b as [out]; Y = X W^T + b.
 *  - Layers do not own memory: they hold offsets into the owner's flat
 *    parameter array, and the gradient array has the same layout, so
 *    grad[layer.w_off + o*in + i] is dLoss/dW[o][i].
 *  - Backward passes take the gradient of the loss with respect to the
 *    layer's output and produce gradients for the parameters (overwritten or
 *    added, see `accumulate`) and, if asked, for the input.
 *
 * Thread-safety: everything here works on caller-provided memory; functions
 * are re-entrant as long as threads do not share a workspace or an output. */
#ifndef SBI_NN_H
#define SBI_NN_H

#include <stdint.h>

#include "sbi/core.h"
#include "sbi/rng.h"

/* ---- matrix products ---------------------------------------------------- */

/* C[m][n] = alpha * op(A) op(B) + beta * C, row-major, op = transpose when
 * the flag is non-zero (CBLAS dgemm; dgemv when m == 1 and B is not
 * transposed-for-free). lda/ldb/ldc are row strides of the stored matrices. */
void sbi__gemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, double alpha,
               const double *a, int64_t lda, const double *b, int64_t ldb, double beta, double *c,
               int64_t ldc);
/* The same with plain loops: the reference the tests compare BLAS with. */
void sbi__gemm_ref(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, double alpha,
                   const double *a, int64_t lda, const double *b, int64_t ldb, double beta,
                   double *c, int64_t ldc);

/* ---- activations -------------------------------------------------------- */

/* Values pinned: saved in estimator configs of later kinds. */
typedef enum sbi__act {
    SBI__ACT_IDENTITY = 0,
    SBI__ACT_RELU = 1,
    SBI__ACT_TANH = 2
} sbi__act;

/* h = act(z) for count values; h may equal z (in place). */
void sbi__act_forward(sbi__act act, int64_t count, const double *z, double *h);
/* d *= act'(z), written in terms of the OUTPUT h = act(z) (ReLU: h > 0,
 * tanh: 1 - h^2), so pre-activations need not be kept. */
void sbi__act_backward(sbi__act act, int64_t count, const double *h, double *d);

/* ---- dense layer -------------------------------------------------------- */

typedef struct sbi__dense {
    int32_t in, out;    /* input and output widths */
    int64_t w_off;      /* offset of W[out][in] in the flat parameter array */
    int64_t b_off;      /* offset of b[out]; -1 for a layer without bias */
    sbi__act act;       /* activation applied after the layer inside an MLP */
    const double *mask; /* NULL, or [out][in] of 0/1 (MADE): effective W = W .* mask;
                           borrowed, must outlive the layer */
} sbi__dense;

/* Y[n][out] = X[n][in] W^T + b. wbuf: scratch of out*in doubles; required
 * for a masked layer, optional otherwise (with it, batches of 16+ rows run
 * the faster dgemm(N,N) on a transposed copy of W). */
void sbi__dense_forward(const sbi__dense *l, const double *params, int64_t n, const double *x,
                        double *y, double *wbuf);
/* Given dy = dLoss/dY [n][out]: dW = dy^T X (masked), db = column sums of dy,
 * written into grad at the layer's offsets (added to what is there if
 * accumulate != 0, else overwritten); dx = dy W [n][in] if dx != NULL
 * (overwritten). wbuf as for forward. */
void sbi__dense_backward(const sbi__dense *l, const double *params, int64_t n, const double *x,
                         const double *dy, double *grad, int accumulate, double *dx, double *wbuf);
/* Plain-loop references of the two (no BLAS), for tests. */
void sbi__dense_forward_ref(const sbi__dense *l, const double *params, int64_t n, const double *x,
                            double *y);
void sbi__dense_backward_ref(const sbi__dense *l, const double *params, int64_t n,
                             const double *x, const double *dy, double *grad, int accumulate,
                             double *dx);
/* PyTorch's default Linear initialisation: W and b uniform in
 * +-1/sqrt(in), W drawn first in row-major order, then b. Masked-out weights
 * are set to 0 (after drawing, so the stream does not depend on the mask). */
void sbi__dense_init_default(const sbi__dense *l, double *params, sbi_rng *rng);
/* Number of parameters of a layer: out*in (+ out with a bias). */
int64_t sbi__dense_n_params(int32_t in, int32_t out, int has_bias);

/* ---- multilayer perceptron ---------------------------------------------- */

/* A stack of dense layers, each followed by its activation. The MLP's
 * parameters occupy [param_off, param_off + n_params) of an owner's flat
 * array: per layer W then b, layer after layer. */
typedef struct sbi__mlp {
    int32_t n_layers;     /* number of dense layers */
    int32_t max_width;    /* largest layer width (input included) */
    int64_t param_off;    /* first parameter of the MLP in the flat array */
    int64_t n_params;     /* parameters of all layers */
    sbi__dense *layers;   /* n_layers layers (owned) */
    int64_t max_weights;  /* largest out*in, the size of the weight scratch */
} sbi__mlp;

/* Lay out an MLP with sizes[0] inputs and layers sizes[0]->sizes[1]->...->
 * sizes[n_sizes-1] (n_sizes >= 2), all with bias; hidden layers use `hidden`,
 * the last one `last`. Parameters start at param_off. Individual layers may
 * be changed afterwards (act, mask). SBI_EINVAL for a size < 1, SBI_ENOMEM. */
int sbi__mlp_init(sbi__mlp *m, int32_t n_sizes, const int32_t *sizes, sbi__act hidden,
                  sbi__act last, int64_t param_off);
void sbi__mlp_destroy(sbi__mlp *m);
/* Deep copy of the layout (masks stay borrowed). */
int sbi__mlp_copy(sbi__mlp *dst, const sbi__mlp *src);
static inline int32_t sbi__mlp_in(const sbi__mlp *m) { return m->layers[0].in; }
static inline int32_t sbi__mlp_out(const sbi__mlp *m) { return m->layers[m->n_layers - 1].out; }
/* Default (PyTorch) initialisation of every layer, in layer order. */
void sbi__mlp_init_params(const sbi__mlp *m, double *params, sbi_rng *rng);

/* Scratch of an MLP for batches of up to `cap` rows: the output of every
 * layer (kept for the backward pass), two gradient buffers and the weight
 * scratch (transposed or masked W). One allocation. */
typedef struct sbi__mlp_ws {
    int64_t cap;     /* rows it can hold */
    double *mem;     /* the one block */
    double **h;      /* h[l] = output of layer l (after activation) [cap][out_l] */
    double *d0, *d1; /* gradient ping-pong buffers [cap][max_width] */
    double *wbuf;    /* transposed / masked weights [max_weights] */
} sbi__mlp_ws;

/* Make ws hold `cap` rows (grows, never shrinks; keeps nothing on growth).
 * Starts from a zeroed struct. SBI_ENOMEM on failure (ws unchanged). */
int sbi__mlp_ws_reserve(sbi__mlp_ws *ws, const sbi__mlp *m, int64_t cap);
void sbi__mlp_ws_destroy(sbi__mlp_ws *ws);
/* Forward pass of n <= ws->cap rows; returns the output [n][out] (inside ws).
 * x must stay unchanged until the matching backward call. */
const double *sbi__mlp_forward(const sbi__mlp *m, const double *params, int64_t n,
                               const double *x, sbi__mlp_ws *ws);
/* Forward pass of ONE row without a workspace (no allocation; for sampling
 * and latency-critical paths): buf holds 2*max_width doubles; returns the
 * output (inside buf). Same result as sbi__mlp_forward with n = 1. */
const double *sbi__mlp_forward_one(const sbi__mlp *m, const double *params, const double *x,
                                   double *buf);
/* Backward pass after sbi__mlp_forward with the same n and x. dout =
 * dLoss/d(output) [n][out]: caller memory (not modified), or ws->d0 itself
 * (then no copy is made, and it is overwritten; never ws->d1). Writes parameter gradients into grad (same layout as
 * params; overwritten, or added if accumulate) and dLoss/dx into dx [n][in]
 * if dx != NULL. */
void sbi__mlp_backward(const sbi__mlp *m, const double *params, int64_t n, const double *x,
                       sbi__mlp_ws *ws, const double *dout, double *grad, int accumulate,
                       double *dx);

/* ---- optimisation ------------------------------------------------------- */

/* Adam with PyTorch semantics (torch.optim.Adam, no weight decay, no
 * amsgrad): m = lerp(m, g, 1-b1); v = b2 v + (1-b2) g^2;
 * p -= (lr / (1-b1^t)) * m / (sqrt(v)/sqrt(1-b2^t) + eps). */
typedef struct sbi__adam {
    int64_t n;        /* number of parameters */
    double lr, beta1, beta2, eps;
    int64_t t;        /* steps taken */
    double *m, *v;    /* first and second moments [n] (one block) */
} sbi__adam;

/* Set up for n parameters with PyTorch defaults (0.9, 0.999, 1e-8).
 * SBI_ENOMEM, SBI_EINVAL for n < 1 or lr <= 0. */
int sbi__adam_init(sbi__adam *a, int64_t n, double lr);
void sbi__adam_destroy(sbi__adam *a);
/* Zero the moments and the step count. */
void sbi__adam_reset(sbi__adam *a);
/* One step over the flat arrays: params[n] updated from grad[n]. */
void sbi__adam_step(sbi__adam *a, double *params, const double *grad);

/* L2 norm of grad[n], then, if max_norm > 0, grad *= min(1, max_norm /
 * (norm + 1e-6)) (torch.nn.utils.clip_grad_norm_). Returns the norm before
 * clipping (may be inf or NaN: the caller decides). */
double sbi__clip_grad_norm(double *grad, int64_t n, double max_norm);

/* ---- gradient check (tests) --------------------------------------------- */

/* A scalar function of a vector, for finite differences: *value = f(v).
 * Returns SBI_OK or a status. */
typedef int (*sbi__scalar_fn)(void *ctx, const double *v, double *value);

/* Compare grad[i] with the central difference (f(v+h e_i) - f(v-h e_i))/2h
 * for every i (v is perturbed and restored). The error of entry i is
 * |grad_i - fd_i| / max(1, |grad_i|, |fd_i|); returns the largest, with its
 * index in *worst (may be NULL) and the finite difference there in
 * *worst_fd (may be NULL). Returns a negative value if f fails. */
double sbi__gradcheck(sbi__scalar_fn f, void *ctx, double *v, int64_t n, const double *grad,
                      double h, int64_t *worst, double *worst_fd);

#endif /* SBI_NN_H */

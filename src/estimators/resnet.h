/* Residual conditioner network (nflows ResidualNet with context), the NSF
 * coupling conditioner:
 *   h = W_init [u, x] + b                       (no activation)
 *   per block k: t = L1(relu(L0(relu(h)))); t = t * sigmoid(C_k(x)) (GLU);
 *                h = h + t
 *   out = W_final h + b
 * L1 of each block starts uniform in +-1e-3 (nflows' zero initialisation),
 * every other layer with PyTorch's default.
 *
 * Layout in the owner's flat array from param_off: initial, then per block
 * L0, L1, C (C only if x_dim > 0), then final (W then b for each).
 *
 * Thread-safety: the layout is read-only after creation; a workspace belongs
 * to one thread. */
#ifndef SBI_ESTIMATORS_RESNET_H
#define SBI_ESTIMATORS_RESNET_H

#include <stdint.h>

#include "nn/nn.h"

typedef struct sbi__resnet {
    int32_t in, c, hidden, blocks, out; /* input, context, width, blocks, output */
    sbi__dense initial;                 /* in + c -> hidden */
    sbi__dense *l0, *l1, *lc;           /* [blocks] each (one allocation) */
    sbi__dense final;                   /* hidden -> out */
    int64_t param_off, n_params;
} sbi__resnet;

/* Activations of one forward pass (kept for the backward pass). */
typedef struct sbi__resnet_ws {
    int64_t cap;                /* rows */
    double *mem;                /* one block for everything below */
    double *inp;                /* [cap][in + c] the concatenated input */
    double *h;                  /* [blocks + 1][cap][hidden] residual stream */
    double *a0, *a1, *t2, *sg;  /* [blocks][cap][hidden] relu(h), relu(L0), L1, gate */
    double *out;                /* [cap][out] */
    double *dh, *da, *db;       /* [cap][hidden] gradient scratch */
    double *dinp;               /* [cap][in + c] */
} sbi__resnet_ws;

int sbi__resnet_init(sbi__resnet *r, int32_t in, int32_t c, int32_t hidden, int32_t blocks,
                     int32_t out, int64_t param_off);
void sbi__resnet_destroy(sbi__resnet *r);
void sbi__resnet_init_params(const sbi__resnet *r, double *params, sbi_rng *rng);
int sbi__resnet_ws_reserve(sbi__resnet_ws *ws, const sbi__resnet *r, int64_t cap);
void sbi__resnet_ws_destroy(sbi__resnet_ws *ws);

/* Output [n][out] (inside ws) for inputs u [n][in] and context x: [n][c],
 * or one row [c] used for every row if broadcast_ctx. */
const double *sbi__resnet_forward(const sbi__resnet *r, const double *params, int64_t n,
                                  const double *u, const double *x, int broadcast_ctx,
                                  sbi__resnet_ws *ws);
/* Backward after a forward with per-row context x [n][c]: dout [n][out];
 * parameter gradients into grad (overwritten), dLoss/du into du [n][in] if
 * not NULL. */
void sbi__resnet_backward(const sbi__resnet *r, const double *params, int64_t n, const double *x,
                          sbi__resnet_ws *ws, const double *dout, double *grad, double *du);

#endif /* SBI_ESTIMATORS_RESNET_H */

/* Conditional MADE (Germain et al. 2015) as nflows v0.14 builds it for MAF:
 *   h = tanh(M_in(u) + tanh(C(x)))              (M_in masked, C plain)
 *   h = tanh(M_k(h))  for k = 1..blocks          (masked feed-forward blocks)
 *   out = M_out(h)    [2d]: out[2i] = unconstrained scale, out[2i+1] = shift
 * with sequential degrees: inputs 1..d, hidden (k mod max(1,d-1)) + min(1,d-1),
 * hidden masks out_deg >= in_deg, output unit j of degree j/2 + 1 with mask
 * out_deg > in_deg. So out[2i], out[2i+1] depend on u[0..i-1] and x only.
 *
 * Layout in the owner's flat parameter array from param_off: M_in (W, b),
 * C (W, b) if x_dim > 0, then the MLP M_1..M_blocks, M_out (W, b each).
 *
 * Thread-safety: a MADE layout is read-only after creation; a workspace
 * belongs to one thread. */
#ifndef SBI_ESTIMATORS_MADE_H
#define SBI_ESTIMATORS_MADE_H

#include <stdint.h>

#include "nn/nn.h"

/* The 0/1 masks of one MADE shape (shared by all transforms of a flow). */
typedef struct sbi__made_masks {
    double *in;  /* [hidden][d] */
    double *hid; /* [hidden][hidden] */
    double *out; /* [2d][hidden] */
} sbi__made_masks;

typedef struct sbi__made {
    int32_t d, c, hidden, blocks; /* autoregressive dim, context dim, width, blocks */
    sbi__dense in;                /* masked d -> hidden */
    sbi__dense ctx;               /* c -> hidden (unused when c == 0) */
    sbi__mlp net;                 /* hidden -> ... -> 2d (masked) */
    int64_t param_off, n_params;  /* the MADE's slice of the flat array */
} sbi__made;

/* Activations of one forward pass (kept for the backward pass). */
typedef struct sbi__made_ws {
    int64_t cap;      /* rows it holds */
    sbi__mlp_ws net;  /* the blocks and the output layer */
    double *mem;      /* one block for the buffers below */
    double *h0;       /* [cap][hidden] first hidden layer (after tanh) */
    double *tc;       /* [cap][hidden] tanh(C(x)) */
    double *gh;       /* [cap][hidden] gradient scratch */
    double *wbuf;     /* [hidden*d] masked input weights */
} sbi__made_ws;

/* Build the masks for (d, hidden). SBI_ENOMEM. */
int sbi__made_masks_create(sbi__made_masks *mk, int32_t d, int32_t hidden);
void sbi__made_masks_destroy(sbi__made_masks *mk);
/* Lay out a MADE at param_off using the (borrowed) masks. SBI_EINVAL, SBI_ENOMEM. */
int sbi__made_init(sbi__made *m, int32_t d, int32_t c, int32_t hidden, int32_t blocks,
                   const sbi__made_masks *mk, int64_t param_off);
void sbi__made_destroy(sbi__made *m);
/* PyTorch default Linear init of every layer, in layout order (masked
 * weights zeroed). */
void sbi__made_init_params(const sbi__made *m, double *params, sbi_rng *rng);

int sbi__made_ws_reserve(sbi__made_ws *ws, const sbi__made *m, int64_t cap);
void sbi__made_ws_destroy(sbi__made_ws *ws);

/* ws->tc = tanh(C(x)) for n rows of x [n][c] (n <= cap; nothing when c == 0). */
void sbi__made_context(const sbi__made *m, const double *params, int64_t n, const double *x,
                       sbi__made_ws *ws);
/* The MADE output [n][2d] (inside ws) for inputs u [n][d], using the context
 * rows in ws->tc: row r uses tc row r, or row 0 for all if broadcast_ctx. */
const double *sbi__made_forward(const sbi__made *m, const double *params, int64_t n,
                                const double *u, int broadcast_ctx, sbi__made_ws *ws);
/* Backward after sbi__made_forward (per-row context from x [n][c]): dout =
 * dLoss/dout [n][2d]; writes the MADE's parameter gradients into grad (same
 * layout as params, overwritten) and dLoss/du into du [n][d] (if not NULL). */
void sbi__made_backward(const sbi__made *m, const double *params, int64_t n, const double *u,
                        const double *x, sbi__made_ws *ws, const double *dout, double *grad,
                        double *du);

#endif /* SBI_ESTIMATORS_MADE_H */

/* The HH integration kernel, compiled once per variant (HH_TAG) with its lane
 * count HH_LANES (1, 4, 8) and instruction set (see CMakeLists.txt). The step is written
 * once over GCC vector types and performs, lane by lane, exactly the
 * floating-point operations of the reference NumPy implementation (spec
 * hh-model.md A.2) in the same order, with an exp and pow that return the
 * same bits as the ones the reference used (hh_vecmath.h). Every build
 * therefore gives the same bits, and those of the reference. */
#include <stdint.h>
#include <string.h>

#include "hh_internal.h"

#ifndef HH_LANES
#error "HH_LANES must be defined"
#endif

#include "hh_vecmath.h"

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#ifndef HH_TAG
#error "HH_TAG (the kernel's name suffix) must be defined"
#endif
#define KERNEL(name) CAT(CAT(sbi_hh__, name), CAT(_, HH_TAG))

static HH_INLINE vd load(const double *p)
{
    vd v;
    memcpy(&v, p, sizeof v);
    return v;
}

static HH_INLINE void store(double *p, vd v) { memcpy(p, &v, sizeof v); }

/* efun(z) = 1 - z/2 if |z| < 1e-4 else z / (exp(z) - 1) */
static HH_INLINE vd efun(vd z)
{
    const vd r = z / (vexp(z) - 1.0);
    return vsel(VMASK(vabs(z) < 1e-4), 1.0 - z / 2.0, r);
}

/* Steady state and relaxation factor exp(-dt/tau) of a gate with rates a, b
 * (tau = 1/(a+b), q_inf = a/(a+b), as the reference computes them). */
static HH_INLINE void gate(vd a, vd b, double neg_dt, vd *q_inf, vd *decay)
{
    const vd s = a + b, tau = 1.0 / s;
    *q_inf = vdiv_recip(a, s, tau); /* = a / s */
    *decay = vexp(neg_dt / tau);
}

struct gates {
    vd m_inf, h_inf, n_inf, p_inf; /* steady states at V */
    vd m_dec, h_dec, n_dec, p_dec; /* exp(-dt/tau) at V */
};

/* Pospischil et al. 2008 kinetics at V, operation by operation as the
 * reference's alpha and beta functions. */
static HH_INLINE void gates_at(const struct hh_consts *c, vd x, struct gates *g)
{
    const double vt = c->vt, neg_dt = -c->dt;
    vd v1 = x - vt - 13.0;
    const vd am = 0.32 * efun(-0.25 * v1) / 0.25;
    v1 = x - vt - 40.0;
    const vd bm = vdiv_recip(0.28 * efun(0.2 * v1), VB(0.2), VB(c->inv_0_2)); /* / 0.2 */
    v1 = x - vt - 17.0;
    const vd ah = 0.128 * vexp(vdiv_recip(-v1, VB(18.0), VB(c->inv_18))); /* -v1 / 18 */
    v1 = x - vt - 40.0;
    const vd bh = 4.0 / (1.0 + vexp(-0.2 * v1));
    v1 = x - vt - 15.0;
    const vd an = vdiv_recip(0.032 * efun(-0.2 * v1), VB(0.2), VB(c->inv_0_2));
    v1 = x - vt - 10.0;
    const vd bn = 0.5 * vexp(vdiv_recip(-v1, VB(40.0), VB(c->inv_40))); /* -v1 / 40 */
    gate(am, bm, neg_dt, &g->m_inf, &g->m_dec);
    gate(ah, bh, neg_dt, &g->h_inf, &g->h_dec);
    gate(an, bn, neg_dt, &g->n_inf, &g->n_dec);
    /* slow non-inactivating K+ (absolute V) */
    v1 = x + 35.0;
    g->p_inf = 1.0 / (1.0 + vexp(-0.1 * v1));
    const vd tau_p = c->tau_max / (3.3 * vexp(0.05 * v1) + vexp(-0.05 * v1));
    g->p_dec = vexp(neg_dt / tau_p);
}

#ifndef HH_GROUPS
#define HH_GROUPS 1
#endif
/* Lanes per kernel call: HH_GROUPS independent vectors of HH_LANES. Two
 * groups give the out-of-order core two independent dependency chains. */
#define HH_TOTAL (HH_GROUPS * HH_LANES)

int32_t KERNEL(lanes)(void) { return HH_TOTAL; }

/* The state of one vector of simulations. */
struct state {
    vd v, m, h, n, p, gna, gk;
};

void KERNEL(init)(const struct hh_consts *c, struct hh_lanes *st)
{
    const vd v = VB(c->v0);
    struct gates g;
    gates_at(c, v, &g);
    for (int k = 0; k < HH_GROUPS; k++) {
        store(st->v + k * HH_LANES, v);
        store(st->m + k * HH_LANES, g.m_inf);
        store(st->h + k * HH_LANES, g.h_inf);
        store(st->n + k * HH_LANES, g.n_inf);
        store(st->p + k * HH_LANES, g.p_inf);
    }
}

/* One exponential-Euler step from sample i-1 to i (spec A.2), with the
 * reference's operations in the reference's order. */
static HH_INLINE void step(const struct hh_consts *c, struct state *x, int64_t i, const double *xi)
{
    const vd m3 = vpow3(x->m), n4 = vpow4(x->n);
    const vd g_na = m3 * x->gna * x->h, g_k = n4 * x->gk, g_m = c->gbar_m * x->p;
    vd tau_v_inv = g_na + g_k + c->g_leak + g_m;
    const double cur = (i - 1 >= c->i_on && i - 1 < c->i_off) ? c->amp : 0.0;
    vd drive = g_na * c->e_na + g_k * c->e_k + c->g_leak * c->e_leak + g_m * c->e_k + cur;
    if (xi) /* nois_fact * xi / dt**0.5 */
        drive = drive + vdiv_recip(c->noise_level * load(xi), VB(c->sqrt_dt), VB(c->inv_sqrt_dt));
    vd v_inf;
    if (c->c_m == 1.0) { /* x/1 and x*1 are exact: skip them */
        v_inf = drive / tau_v_inv;
    } else {
        tau_v_inv = tau_v_inv / c->c_m;
        v_inf = drive / (tau_v_inv * c->c_m);
    }
    const vd v = v_inf + (x->v - v_inf) * vexp(-c->dt * tau_v_inv);
    /* All four gates relax towards their steady state at the new V. */
    struct gates g;
    gates_at(c, v, &g);
    x->n = g.n_inf + (x->n - g.n_inf) * g.n_dec;
    x->m = g.m_inf + (x->m - g.m_inf) * g.m_dec;
    x->h = g.h_inf + (x->h - g.h_inf) * g.h_dec;
    x->p = g.p_inf + (x->p - g.p_inf) * g.p_dec;
    x->v = v;
}

void KERNEL(run)(const struct hh_consts *c, struct hh_lanes *st, int64_t first, int64_t steps,
                 const double *noise, double *out)
{
    struct state x[HH_GROUPS];
    for (int k = 0; k < HH_GROUPS; k++) {
        const int o = k * HH_LANES;
        x[k] = (struct state){load(st->v + o), load(st->m + o), load(st->h + o), load(st->n + o),
                              load(st->p + o), load(st->gna + o), load(st->gk + o)};
    }
    for (int64_t s = 0; s < steps; s++) {
        const int64_t i = first + s;
        for (int k = 0; k < HH_GROUPS; k++) {
            step(c, &x[k], i, noise ? noise + s * HH_TOTAL + k * HH_LANES : NULL);
            store(out + s * HH_TOTAL + k * HH_LANES, x[k].v);
        }
    }
    for (int k = 0; k < HH_GROUPS; k++) {
        const int o = k * HH_LANES;
        store(st->v + o, x[k].v);
        store(st->m + o, x[k].m);
        store(st->h + o, x[k].h);
        store(st->n + o, x[k].n);
        store(st->p + o, x[k].p);
    }
}

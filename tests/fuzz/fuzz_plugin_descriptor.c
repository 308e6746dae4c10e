/* Plugin descriptor validation (sbi_plugin_validate) on descriptors built
 * from the input bytes: size and ABI version, strings of any bytes and
 * lengths around the limits, dimensions around the bounds, name, unit and
 * option arrays, prior boxes and defaults from raw doubles (NaN, Inf,
 * reversed), NULL or set callbacks. The descriptor is allocated with
 * exactly `size` bytes (and every array with exactly its declared length),
 * so ASan sees any read past what a plugin promises. All-zero input decodes
 * to a valid descriptor; mutations move away from it.
 * A descriptor that validates must open as a plugin handle whose prior,
 * options and simulator all work (sbi_plugin_validate promises the loader's
 * checks, and the loader's users rely on them). */
#include <float.h>

#include "fuzz.h"
#include "sbi/plugin.h"

/* ---- reading the input ----------------------------------------------------- */

typedef struct src {
    const uint8_t *p;
    size_t n, pos;
} src;

/* Next byte; 0 once the input is used up (the valid default). */
static uint8_t byte(src *s) { return s->pos < s->n ? s->p[s->pos++] : 0; }

static uint32_t u32(src *s)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)byte(s) << (8 * i);
    return v;
}

static double f64(src *s)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)byte(s) << (8 * i);
    double d;
    memcpy(&d, &v, sizeof d);
    return d;
}

/* Every allocation of one input, freed at the end. */
typedef struct pool {
    void *items[32768];
    int n;
} pool;

static void *take(pool *pl, size_t size)
{
    if (pl->n == (int)(sizeof pl->items / sizeof *pl->items)) return NULL;
    void *p = calloc(1, size ? size : 1);
    if (p) pl->items[pl->n++] = p;
    return p;
}

/* A string: selector 0 gives `dflt`; otherwise a length (0..1275, to
 * cross the 1024-byte limit) filled with input bytes (or 'a' once the input
 * is used up). */
static const char *string(src *s, pool *pl, const char *dflt)
{
    const uint8_t sel = byte(s);
    if (sel == 0) return dflt;
    if (sel == 1) return NULL;
    size_t len = (size_t)(sel & 0x7f) * ((sel & 0x80) ? 10 : 1);
    char *str = take(pl, len + 1);
    if (!str) return dflt;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = s->pos < s->n ? byte(s) : 'a';
        str[i] = (char)(c ? c : 'z');
    }
    return str;
}

/* An array of n strings: selector 0 gives prefix<i> names, 1 NULL, else
 * each from string(). */
static const char *const *strings(src *s, pool *pl, int32_t n, const char *prefix)
{
    const uint8_t sel = byte(s);
    if (sel == 1 || n <= 0 || n > 4096) return sel == 1 ? NULL : NULL;
    const char **a = take(pl, sizeof(char *) * (size_t)n);
    if (!a) return NULL;
    for (int32_t i = 0; i < n; i++) {
        char *dflt = take(pl, 24);
        if (dflt) snprintf(dflt, 24, "%s%d", prefix, (int)i);
        a[i] = sel == 0 ? dflt : string(s, pl, dflt);
    }
    return a;
}

/* Values at the edges of the double range (raw bytes rarely hit them). */
static const double k_special[] = {0.0,     -0.0,     1.0,      -1.0,     1e308,   -1e308,
                                   DBL_MAX, -DBL_MAX, INFINITY, -INFINITY, NAN,     DBL_MIN,
                                   4.9e-324, 1e-300,  -1e300,   1e300};

/* n doubles: 0 -> low[i] = i (or high[i] = i + 1 + extra), 1 -> NULL, 2 ->
 * raw input doubles, 3 -> per element: i + base, or an edge value. */
static const double *doubles(src *s, pool *pl, int32_t n, double base, int *is_null)
{
    const uint8_t sel = byte(s) % 4;
    *is_null = sel == 1;
    if (sel == 1 || n <= 0 || n > 4096) return NULL;
    double *a = take(pl, sizeof(double) * (size_t)n);
    if (!a) return NULL;
    for (int32_t i = 0; i < n; i++) {
        if (sel == 0) {
            a[i] = (double)i + base;
        } else if (sel == 2) {
            a[i] = f64(s);
        } else {
            const uint8_t b = byte(s);
            a[i] = (b & 1) ? k_special[(b >> 1) % (sizeof k_special / sizeof *k_special)]
                           : (double)i + base;
        }
    }
    return a;
}

static int32_t dim(src *s, int32_t dflt, const int32_t *edges, int n_edges)
{
    const uint8_t sel = byte(s);
    if (sel == 0) return dflt;
    if (sel < 64) return sel;
    if (sel < 128) return edges[sel % n_edges];
    return (int32_t)u32(s);
}

/* ---- callbacks -------------------------------------------------------------- */

static int live;

static int create_fn(void **instance, const double *options)
{
    (void)options;
    *instance = malloc(16);
    if (!*instance) return 1;
    live++;
    return 0;
}

static void destroy_fn(void *instance)
{
    free(instance);
    live--;
}

static int create_null(void **instance, const double *options)
{
    (void)options;
    *instance = NULL;
    return 0;
}

static int simulate_fn(void *ud, int64_t n, int32_t td, const double *theta,
                       const uint64_t *seeds, int32_t xd, double *x, int32_t *status)
{
    (void)ud, (void)seeds, (void)status;
    for (int64_t i = 0; i < n; i++)
        for (int32_t j = 0; j < xd; j++) x[i * xd + j] = theta[i * td + j % td];
    return 0;
}

/* ---- the target -------------------------------------------------------------- */

static void use_plugin(const sbi_plugin_descriptor *d)
{
    sbi_plugin *p = NULL;
    FUZZ_CHECK(sbi_plugin_open_descriptor(&p, d) == SBI_OK);
    const char *name = NULL, *desc = NULL, *ver = NULL, *path = NULL;
    int32_t td = 0, xd = 0, nopt = -1;
    FUZZ_CHECK(sbi_plugin_info(p, &name, &desc, &ver, &path) == SBI_OK);
    FUZZ_CHECK(name && desc && ver && path && strcmp(name, d->name) == 0);
    FUZZ_CHECK(sbi_plugin_dims(p, &td, &xd) == SBI_OK && td == d->theta_dim && xd == d->x_dim);
    for (int32_t i = 0; i < td; i++) {
        const char *n = NULL, *u = NULL;
        FUZZ_CHECK(sbi_plugin_theta_name(p, i, &n, &u) == SBI_OK && n && u);
    }
    const char *xn = NULL;
    FUZZ_CHECK(sbi_plugin_x_name(p, xd - 1, &xn) == SBI_OK);
    FUZZ_CHECK(sbi_plugin_x_name(p, xd, &xn) == SBI_EINVAL);
    sbi_prior *prior = NULL;
    /* A box the validator accepted makes a prior. */
    FUZZ_CHECK(sbi_plugin_create_prior(p, &prior) == SBI_OK);
    FUZZ_CHECK(sbi_plugin_option_count(p, &nopt) == SBI_OK && nopt == d->num_options);
    for (int32_t i = 0; i < nopt; i++) {
        const char *on = NULL;
        double v = NAN;
        FUZZ_CHECK(sbi_plugin_option_name(p, i, &on) == SBI_OK && on);
        FUZZ_CHECK(sbi_plugin_get_option(p, on, &v) == SBI_OK && v == d->option_defaults[i]);
        FUZZ_CHECK(sbi_plugin_set_option(p, on, v) == SBI_OK);
    }
    sbi_simulator *sim = NULL;
    sbi_runner *r = NULL;
    sbi_dataset *ds = NULL;
    if (xd <= 4096) {
        FUZZ_CHECK(sbi_plugin_create_simulator(p, &sim) == SBI_OK);
        FUZZ_CHECK(sbi_runner_create(&r, sim) == SBI_OK);
        FUZZ_CHECK(sbi_runner_run_prior(r, prior, 3, 1, &ds) == SBI_OK);
    }
    sbi_dataset_free(ds);
    sbi_runner_free(r);
    sbi_simulator_free(sim);
    sbi_prior_free(prior);
    sbi_plugin_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static pool pl;
    src s = {data, size, 0};
    pl.n = 0;
    sbi_plugin_descriptor d;
    memset(&d, 0, sizeof d);

    /* size: 0 exact, 1 raw (below, above, huge), 2 exact + extra bytes */
    const uint8_t size_sel = byte(&s) % 3;
    uint32_t dsize = sizeof d, extra = 0;
    if (size_sel == 1) dsize = u32(&s) % 5000;
    if (size_sel == 2) extra = byte(&s) + 1u, dsize = (uint32_t)sizeof d + extra;
    const uint8_t abi_sel = byte(&s);
    d.size = dsize;
    d.abi_version = abi_sel < 200 ? SBI_PLUGIN_ABI_VERSION : u32(&s);
    d.name = string(&s, &pl, "toy");
    d.description = string(&s, &pl, "a fuzzed plugin");
    d.version = string(&s, &pl, NULL);
    static const int32_t theta_edges[] = {0, -1, 1, 1024, 1025, INT32_MIN, INT32_MAX};
    static const int32_t x_edges[] = {0, -1, 1, 4096, 4097, 1 << 24, (1 << 24) + 1, INT32_MIN};
    d.theta_dim = dim(&s, 2, theta_edges, 7);
    d.x_dim = dim(&s, 3, x_edges, 8);
    /* Arrays hold exactly the declared number of entries; a dimension out
     * of range gets no arrays (the validator must stop at the dimension). */
    const int ok_td = d.theta_dim >= 1 && d.theta_dim <= 1100;
    const int32_t td = ok_td ? d.theta_dim : 0;
    d.theta_names = ok_td ? strings(&s, &pl, td, "p") : NULL;
    d.theta_units = byte(&s) & 1 ? strings(&s, &pl, td, "u") : NULL;
    d.x_names = (d.x_dim >= 1 && d.x_dim <= 4096 && (byte(&s) & 1)) ? strings(&s, &pl, d.x_dim, "x")
                                                                     : NULL;
    int null_lo, null_hi, null_true;
    d.prior_low = doubles(&s, &pl, td, 0.0, &null_lo);
    d.prior_high = doubles(&s, &pl, td, 1.0 + (byte(&s) % 4), &null_hi);
    d.theta_true = (byte(&s) & 1) ? doubles(&s, &pl, td, 0.5, &null_true) : NULL;
    static const int32_t opt_edges[] = {0, -1, 64, 65, INT32_MIN};
    d.num_options = dim(&s, 0, opt_edges, 5);
    const int ok_opt = d.num_options >= 1 && d.num_options <= 70;
    d.option_names = ok_opt ? strings(&s, &pl, d.num_options, "o") : NULL;
    int null_def;
    d.option_defaults = ok_opt ? doubles(&s, &pl, d.num_options, 2.0, &null_def) : NULL;
    const uint8_t fns = byte(&s);
    d.simulate = (fns & 1) ? NULL : simulate_fn;
    /* create that allocates comes with destroy (else the plugin itself
     * leaks); destroy without create is the invalid combination. */
    d.create = (fns & 2) ? NULL : ((fns & 8) ? create_null : create_fn);
    d.destroy = d.create == create_fn ? destroy_fn : NULL;
    if (!d.create && (fns & 16)) d.destroy = destroy_fn;

    /* The descriptor in a block of exactly max(size, 8) bytes. */
    const size_t block = dsize > 8 ? dsize : 8;
    unsigned char *mem = malloc(block);
    if (!mem) return 0;
    memset(mem, 0, block);
    memcpy(mem, &d, block < sizeof d ? block : sizeof d);
    if (block > sizeof d)
        for (size_t i = sizeof d; i < block; i++)
            mem[i] = (s.pos < s.n && (byte(&s) & 0x80)) ? byte(&s) : 0;
    const sbi_plugin_descriptor *dp = (const sbi_plugin_descriptor *)mem;

    const int rc = sbi_plugin_validate(dp);
    if (getenv("SBI_FUZZ_VERBOSE")) /* triage: what the validator said */
        fprintf(stderr, "validate: %d %s\n", rc, rc == SBI_OK ? "" : sbi_last_error());
    FUZZ_CHECK(rc == SBI_OK || rc == SBI_EVERSION || rc == SBI_EPLUGIN);
    FUZZ_CHECK(rc == SBI_OK || strlen(sbi_last_error()) > 0);
    if (rc == SBI_OK) {
        use_plugin(dp);
        FUZZ_CHECK(live == 0);
    } else {
        sbi_plugin *p = NULL;
        FUZZ_CHECK(sbi_plugin_open_descriptor(&p, dp) == rc && p == NULL);
    }
    free(mem);
    for (int i = 0; i < pl.n; i++) free(pl.items[i]);
    return 0;
}

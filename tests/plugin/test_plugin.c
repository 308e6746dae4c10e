/* Plugins: the HH plugin loaded by path gives the numbers of the linked HH
 * model; options; the module stays loaded while simulators live; every
 * documented failure (missing file, not a plugin, other ABI version, NULL or
 * newer descriptor); and validation of each descriptor field. */
#include <dlfcn.h>

#include "sbi_test.h"
#include "core/internal.h"
#include "sbi_hh.h"

/* Is the module at path still loaded in the process? */
static int is_loaded(const char *path)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    if (!h) return 0;
    dlclose(h);
    return 1;
}

static void check_hh_against_linked(sbi_plugin *p)
{
    const char *name, *desc, *unit;
    assert_ok(sbi_plugin_info(p, &name, &desc, NULL, NULL));
    assert_string_equal(name, "hh");
    int32_t td, xd;
    assert_ok(sbi_plugin_dims(p, &td, &xd));
    assert_int_equal(td, 2);
    assert_int_equal(xd, 7);
    assert_ok(sbi_plugin_theta_name(p, 1, &name, &unit));
    assert_string_equal(name, "gbar_K");
    assert_string_equal(unit, "mS/cm^2");
    assert_ok(sbi_plugin_x_name(p, 4, &name));
    assert_string_equal(name, "stim_var");
    double lo[2], hi[2], tt[2];
    assert_ok(sbi_plugin_prior_box(p, lo, hi));
    assert_close(lo[0], 0.5, 0, 0);
    assert_close(hi[1], 15.0, 0, 0);
    assert_ok(sbi_plugin_theta_true(p, tt));
    assert_close(tt[0], 50.0, 0, 0);
    assert_close(tt[1], 5.0, 0, 0);
    /* Option defaults are the model's. */
    int32_t no;
    assert_ok(sbi_plugin_option_count(p, &no));
    assert_int_equal(no, 16);
    sbi_hh_model *m = NULL;
    assert_int_equal(sbi_hh_model_create(&m), SBI_OK);
    for (int32_t i = 0; i < no; i++) {
        const char *opt;
        double v, mv;
        assert_ok(sbi_plugin_option_name(p, i, &opt));
        assert_string_equal(opt, sbi_hh_constant_name(i + 1));
        assert_ok(sbi_plugin_get_option(p, opt, &v));
        assert_int_equal(sbi_hh_model_get(m, i + 1, &mv), SBI_OK);
        assert_close(v, mv, 0, 0);
    }
    sbi_hh_model_free(m);
    /* Same x as the linked model, bit for bit, for 20 prior draws. */
    sbi_prior *prior = NULL;
    assert_ok(sbi_plugin_create_prior(p, &prior));
    sbi_rng *rng = NULL;
    assert_ok(sbi_rng_create(&rng, 5, 0));
    double theta[20][2], xa[20][7], xb[20][7];
    uint64_t seeds[20];
    int32_t sa[20], sb[20];
    assert_ok(sbi_prior_sample(prior, rng, 20, &theta[0][0]));
    for (int i = 0; i < 20; i++) seeds[i] = sbi_seed_for_index(8, (uint64_t)i);
    theta[3][0] = -1.0; /* an invalid row is flagged the same way */
    sbi_simulator *ps = NULL, *ls = NULL;
    assert_ok(sbi_plugin_create_simulator(p, &ps));
    assert_int_equal(sbi_hh_simulator_create(&ls, NULL), SBI_OK);
    assert_ok(sbi_simulator_run(ps, 20, &theta[0][0], seeds, &xa[0][0], sa));
    assert_ok(sbi_simulator_run(ls, 20, &theta[0][0], seeds, &xb[0][0], sb));
    assert_memory_equal(sa, sb, sizeof sa);
    assert_int_equal(sa[3], SBI_ROW_FAILED);
    for (int i = 0; i < 20; i++)
        if (i != 3) assert_memory_equal(xa[i], xb[i], sizeof xa[i]);
    sbi_simulator_free(ps);
    sbi_simulator_free(ls);
    sbi_rng_free(rng);
    sbi_prior_free(prior);
}

static void test_hh_plugin(void **state)
{
    (void)state;
    /* The module, the shared library loaded as a plugin, and the descriptor
     * of the linked library all behave the same. */
    const char *paths[2] = {HH_PLUGIN, HH_SHARED};
    for (int k = 0; k < 2; k++) {
        sbi_plugin *p = NULL;
        assert_ok(sbi_plugin_load(&p, paths[k]));
        check_hh_against_linked(p);
        const char *path;
        assert_ok(sbi_plugin_info(p, NULL, NULL, NULL, &path));
        assert_string_equal(path, paths[k]);
        sbi_plugin_free(p);
    }
    sbi_plugin *p = NULL;
    assert_ok(sbi_plugin_open_descriptor(&p, sbi_hh_plugin_descriptor()));
    check_hh_against_linked(p);
    sbi_plugin_free(p);
}

static void test_hh_options(void **state)
{
    (void)state;
    sbi_plugin *p = NULL;
    assert_ok(sbi_plugin_load(&p, HH_PLUGIN));
    /* Noise off through the option: the reference's noise-free statistics
     * for theta = (50, 5) (spec table). */
    assert_ok(sbi_plugin_set_option(p, "noise", 0));
    sbi_simulator *sim = NULL;
    assert_ok(sbi_plugin_create_simulator(p, &sim));
    const double theta[2] = {50, 5};
    const double expect[7] = {5, -70.27719219831, 0.008277896456866, -56.45344851726,
                              375.1853729043,   3.703805801747, 18.32472608635};
    uint64_t seed = 1;
    double x[7];
    int32_t st;
    assert_ok(sbi_simulator_run(sim, 1, theta, &seed, x, &st));
    for (int j = 0; j < 7; j++) assert_close(x[j], expect[j], 1e-11, 0);
    /* A refused value leaves the option unchanged; unknown names fail. */
    assert_status(sbi_plugin_set_option(p, "dt", -1.0), SBI_EINVAL);
    assert_non_null(strstr(sbi_last_error(), "refused"));
    double dt;
    assert_ok(sbi_plugin_get_option(p, "dt", &dt));
    assert_close(dt, 0.01, 0, 0);
    assert_status(sbi_plugin_set_option(p, "nope", 1.0), SBI_EINVAL);
    assert_status(sbi_plugin_get_option(p, "nope", &dt), SBI_EINVAL);
    sbi_simulator_free(sim);
    sbi_plugin_free(p);
}

static void test_lifetime(void **state)
{
    (void)state;
    /* The toy plugin counts its live instances. The module stays loaded
     * while a simulator made from it lives, and unloads after the last. */
    sbi_plugin *p = NULL;
    assert_ok(sbi_plugin_load(&p, TOY_PLUGIN_1));
    void *h = dlopen(TOY_PLUGIN_1, RTLD_NOW | RTLD_NOLOAD);
    assert_non_null(h);
    int (*live)(void) = NULL;
    void *sym = dlsym(h, "toy_live_instances");
    memcpy(&live, &sym, sizeof live);
    assert_non_null(live);
    sbi_simulator *a = NULL, *b = NULL;
    assert_ok(sbi_plugin_create_simulator(p, &a));
    assert_ok(sbi_plugin_set_option(p, "scale", 2.0));
    assert_ok(sbi_plugin_create_simulator(p, &b));
    assert_int_equal(live(), 2);
    assert_status(sbi_plugin_set_option(p, "scale", -1.0), SBI_EINVAL);
    assert_int_equal(live(), 2); /* the trial instance was released */
    dlclose(h);
    sbi_plugin_free(p);
    assert_true(is_loaded(TOY_PLUGIN_1));
    /* Each simulator kept the options it was made with. */
    const double theta[2] = {0.5, 3.0};
    uint64_t seed = 1234;
    double xa[3], xb[3];
    int32_t st;
    assert_ok(sbi_simulator_run(a, 1, theta, &seed, xa, &st));
    assert_ok(sbi_simulator_run(b, 1, theta, &seed, xb, &st));
    assert_close(xa[2], 3 * 0.5 + 234, 0, 0);
    assert_close(xb[2], 2 * 3 * 0.5 + 234, 0, 0);
    sbi_simulator_free(a);
    assert_true(is_loaded(TOY_PLUGIN_1));
    sbi_simulator_free(b);
    assert_false(is_loaded(TOY_PLUGIN_1));
    /* No default observation in the toy: SBI_ESTATE; units default to "". */
    assert_ok(sbi_plugin_load(&p, TOY_PLUGIN_1));
    double tt[2];
    assert_status(sbi_plugin_theta_true(p, tt), SBI_ESTATE);
    const char *name, *unit;
    assert_ok(sbi_plugin_theta_name(p, 0, &name, &unit));
    assert_string_equal(unit, "");
    assert_status(sbi_plugin_theta_name(p, 2, &name, &unit), SBI_EINVAL);
    assert_status(sbi_plugin_x_name(p, -1, &name), SBI_EINVAL);
    sbi_plugin_free(p);
    sbi_plugin_free(NULL);
}

static void test_load_errors(void **state)
{
    (void)state;
    sbi_plugin *p = (sbi_plugin *)&p;
    assert_status(sbi_plugin_load(&p, "/nonexistent/dir/plugin.so"), SBI_EPLUGIN);
    assert_null(p);
    assert_non_null(strstr(sbi_last_error(), "/nonexistent/dir/plugin.so"));
    assert_status(sbi_plugin_load(&p, NOT_A_PLUGIN), SBI_EPLUGIN);
    assert_non_null(strstr(sbi_last_error(), "sbi_plugin_describe"));
    assert_status(sbi_plugin_load(&p, TOY_PLUGIN_2), SBI_EVERSION);
    assert_non_null(strstr(sbi_last_error(), "version 2"));
    assert_status(sbi_plugin_load(&p, TOY_PLUGIN_3), SBI_EPLUGIN);
    assert_non_null(strstr(sbi_last_error(), "NULL"));
    assert_status(sbi_plugin_load(&p, TOY_PLUGIN_4), SBI_EVERSION);
    assert_non_null(strstr(sbi_last_error(), "newer"));
    assert_null(p);
    /* Failed loads unload the module again. */
    assert_false(is_loaded(TOY_PLUGIN_2));
    assert_false(is_loaded(NOT_A_PLUGIN));
    /* A newer descriptor whose extra fields are unused loads. */
    assert_ok(sbi_plugin_load(&p, TOY_PLUGIN_5));
    sbi_plugin_free(p);
    assert_status(sbi_plugin_load(NULL, HH_PLUGIN), SBI_EINVAL);
    assert_status(sbi_plugin_load(&p, NULL), SBI_EINVAL);
    assert_int_equal(sbi_plugin_abi_version(), SBI_PLUGIN_ABI_VERSION);
}

/* ---- validation of every field ---- */

static int sim_fn(void *ud, int64_t n, int32_t td, const double *theta, const uint64_t *seeds,
                  int32_t xd, double *x, int32_t *status)
{
    (void)ud; (void)n; (void)td; (void)theta; (void)seeds; (void)xd; (void)x; (void)status;
    return 0;
}
static int create_fn(void **inst, const double *opt)
{
    (void)opt;
    *inst = NULL;
    return 0;
}
static void destroy_fn(void *inst) { (void)inst; }

static const char *const g_names[2] = {"p", "q"}, *const g_units[2] = {"mV", ""};
static const char *const g_x[1] = {"y"}, *const g_opts[2] = {"o1", "o2"};
static const double g_lo[2] = {0, 0}, g_hi[2] = {1, 1}, g_true[2] = {0.5, 1}, g_def[2] = {1, 2};

static sbi_plugin_descriptor valid(void)
{
    sbi_plugin_descriptor d = {.size = sizeof d, .abi_version = SBI_PLUGIN_ABI_VERSION,
                               .name = "ok-name_1.2", .description = "d", .version = "v",
                               .theta_dim = 2, .x_dim = 1, .theta_names = g_names,
                               .theta_units = g_units, .x_names = g_x, .prior_low = g_lo,
                               .prior_high = g_hi, .theta_true = g_true, .num_options = 2,
                               .option_names = g_opts, .option_defaults = g_def,
                               .create = create_fn, .destroy = destroy_fn, .simulate = sim_fn};
    return d;
}

static void test_validate_fields(void **state)
{
    (void)state;
    sbi_plugin_descriptor d = valid();
    assert_ok(sbi_plugin_validate(&d));
    static const char *const dup[2] = {"p", "p"}, *const comma[2] = {"p", "a,b"};
    static const char *const empty[2] = {"p", ""}, *const nul[2] = {"p", NULL};
    static const char *const empty0[1] = {""};
    static const char *const badopt[2] = {"o1", "o 2"};
    static const double nanlo[2] = {0, NAN}, rev[2] = {1, 0}, out[2] = {0.5, 2}, inf[2] = {1, INFINITY};
    char longname[80];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    /* Each mutation of one field, the status and a word of the message. */
#define CASE(expr, st, word)                                                                       \
    do {                                                                                           \
        d = valid();                                                                               \
        expr;                                                                                      \
        assert_status(sbi_plugin_validate(&d), st);                                                \
        if (!strstr(sbi_last_error(), word)) {                                                     \
            print_error("%s: message '%s' lacks '%s'\n", #expr, sbi_last_error(), word);          \
            fail();                                                                                \
        }                                                                                          \
    } while (0)
    CASE(d.abi_version = 0, SBI_EVERSION, "version");
    CASE(d.size = 8, SBI_EVERSION, "size");
    CASE(d.size = 100000, SBI_EPLUGIN, "size");
    CASE(d.name = NULL, SBI_EPLUGIN, "name");
    CASE(d.name = "", SBI_EPLUGIN, "name");
    CASE(d.name = "has space", SBI_EPLUGIN, "name");
    CASE(d.name = longname, SBI_EPLUGIN, "name");
    CASE(d.description = "line\nbreak", SBI_EPLUGIN, "description");
    CASE(d.version = "\t", SBI_EPLUGIN, "version");
    CASE(d.theta_dim = 0, SBI_EPLUGIN, "theta_dim");
    CASE(d.theta_dim = 5000, SBI_EPLUGIN, "theta_dim");
    CASE(d.x_dim = 0, SBI_EPLUGIN, "x_dim");
    CASE(d.x_dim = -3, SBI_EPLUGIN, "x_dim");
    CASE(d.theta_names = NULL, SBI_EPLUGIN, "theta_names");
    CASE(d.theta_names = nul, SBI_EPLUGIN, "theta_names[1]");
    CASE(d.theta_names = empty, SBI_EPLUGIN, "theta_names[1]");
    CASE(d.theta_names = comma, SBI_EPLUGIN, "theta_names[1]");
    CASE(d.theta_names = dup, SBI_EPLUGIN, "both");
    CASE(d.theta_units = nul, SBI_EPLUGIN, "theta_units[1]");
    CASE(d.x_names = empty0, SBI_EPLUGIN, "x_names[0]");
    CASE(d.prior_low = NULL, SBI_EPLUGIN, "prior_low");
    CASE(d.prior_high = NULL, SBI_EPLUGIN, "prior_high");
    CASE(d.prior_high = nanlo, SBI_EPLUGIN, "prior box");
    CASE(d.prior_low = rev, SBI_EPLUGIN, "prior box");
    CASE(d.prior_high = inf, SBI_EPLUGIN, "prior box");
    CASE(d.theta_true = out, SBI_EPLUGIN, "theta_true[1]");
    CASE(d.num_options = -1, SBI_EPLUGIN, "num_options");
    CASE(d.num_options = 65, SBI_EPLUGIN, "num_options");
    CASE(d.option_names = NULL, SBI_EPLUGIN, "option_names");
    CASE(d.option_defaults = NULL, SBI_EPLUGIN, "option_defaults");
    CASE(d.option_names = badopt, SBI_EPLUGIN, "option_names[1]");
    CASE(d.option_defaults = nanlo, SBI_EPLUGIN, "option_defaults[1]");
    CASE(d.option_names = dup, SBI_EPLUGIN, "both");
    CASE(d.simulate = NULL, SBI_EPLUGIN, "simulate");
    CASE(d.create = NULL, SBI_EPLUGIN, "destroy");
#undef CASE
    /* Optional fields may be absent. */
    d = valid();
    d.description = d.version = NULL;
    d.theta_units = NULL;
    d.x_names = NULL;
    d.theta_true = NULL;
    d.num_options = 0;
    d.option_names = NULL;
    d.option_defaults = NULL;
    d.create = NULL;
    d.destroy = NULL;
    assert_ok(sbi_plugin_validate(&d));
    sbi_plugin *p = NULL;
    assert_ok(sbi_plugin_open_descriptor(&p, &d));
    const char *desc, *xname;
    assert_ok(sbi_plugin_info(p, NULL, &desc, NULL, NULL));
    assert_string_equal(desc, "");
    assert_ok(sbi_plugin_x_name(p, 0, &xname));
    assert_null(xname);
    sbi_simulator *sim = NULL;
    assert_ok(sbi_plugin_create_simulator(p, &sim));
    sbi_simulator_free(sim);
    sbi_plugin_free(p);
    assert_status(sbi_plugin_validate(NULL), SBI_EINVAL);
}

/* Every allocation of a plugin handle and its simulator fails in turn
 * (SBI_FAULT_INJECTION builds). */
static int exercise_plugin(void)
{
    sbi_plugin *p = NULL;
    sbi_simulator *sim = NULL;
    sbi_prior *prior = NULL;
    const double theta[2] = {50, 5};
    uint64_t seed = 3;
    double x[7];
    int32_t st;
    int rc = sbi_plugin_open_descriptor(&p, sbi_hh_plugin_descriptor());
    if (!rc) rc = sbi_plugin_set_option(p, "noise", 0);
    if (!rc) rc = sbi_plugin_create_simulator(p, &sim);
    if (!rc) rc = sbi_plugin_create_prior(p, &prior);
    sbi_plugin_free(p);
    if (!rc) rc = sbi_simulator_run(sim, 1, theta, &seed, x, &st);
    sbi_prior_free(prior);
    sbi_simulator_free(sim);
    return rc;
}

static void test_allocation_failures(void **state)
{
    (void)state;
    int64_t k;
    for (k = 1; k < 500; k++) {
        sbi__fault_arm(k);
        const int rc = exercise_plugin();
        const int fired = sbi__fault_fired();
        sbi__fault_arm(0);
        if (!fired) {
            assert_ok(rc);
            break;
        }
        assert_true(rc == SBI_ENOMEM || rc == SBI_ESIMULATOR);
    }
    if (k == 1) print_message("(no fault injection in this build: ran once)\n");
    else print_message("%lld allocation sites failed in turn\n", (long long)(k - 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hh_plugin),
        cmocka_unit_test(test_hh_options),
        cmocka_unit_test(test_lifetime),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_validate_fields),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests_name("plugin", tests, NULL, NULL);
}

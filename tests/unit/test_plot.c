/* Plot: nice ticks and labels, line thinning keeps every extreme, histogram
 * densities, argument checks, escaping, and SVG that an XML parser accepts. */
#include <locale.h>

#include "sbi_test.h"
#include "plot/plot_internal.h"

static void test_nice_ticks(void **state)
{
    (void)state;
    double t[32], step;
    int n = sbi__nice_ticks(0, 1, 5, t, 32, &step);
    assert_int_equal(n, 6);
    assert_close(step, 0.2, 0, 1e-15);
    for (int i = 0; i < n; i++) assert_close(t[i], 0.2 * i, 0, 1e-12);
    n = sbi__nice_ticks(0.5, 80, 4, t, 32, &step);
    assert_true(step == 20);
    assert_int_equal(n, 4);
    assert_true(t[0] == 20 && t[3] == 80);
    n = sbi__nice_ticks(-80, 70, 5, t, 32, &step);
    assert_true(step == 50 || step == 25);
    for (int i = 0; i < n; i++) assert_true(t[i] >= -80 && t[i] <= 70);
    assert_true(t[0] == -75 || t[0] == -50);
    n = sbi__nice_ticks(-1e-3, 1e-3, 4, t, 32, &step);
    assert_true(step == 5e-4);
    assert_int_equal(n, 5);
    assert_true(t[2] == 0.0 && !signbit(t[2]));
    assert_int_equal(sbi__nice_ticks(1, 1, 5, t, 32, &step), 0);
    assert_int_equal(sbi__nice_ticks(0, NAN, 5, t, 32, &step), 0);
    assert_int_equal(sbi__nice_ticks(0, 1e6, 5, t, 3, &step), 3); /* capped */

    char s[64];
    sbi__tick_label(-25, 25, s, sizeof s);
    assert_string_equal(s, "\xE2\x88\x92" "25");
    sbi__tick_label(0.75, 0.25, s, sizeof s);
    assert_string_equal(s, "0.75");
    sbi__tick_label(5, 2.5, s, sizeof s);
    assert_string_equal(s, "5.0");
    sbi__tick_label(40, 20, s, sizeof s);
    assert_string_equal(s, "40");
    sbi__tick_label(2e-5, 1e-5, s, sizeof s);
    assert_string_equal(s, "2e-05");
}

/* Against a brute-force reference: every column's minimum and maximum point
 * is kept, indices stay in order, and the count is at most 4 per column. */
static void test_thinning_keeps_extremes(void **state)
{
    (void)state;
    enum { N = 200000 };
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    int64_t *keep = malloc(N * sizeof *keep);
    sbi_rng *rng;
    assert_ok(sbi_rng_create(&rng, 3, 0));
    assert_ok(sbi_rng_normal(rng, N, y));
    sbi_rng_free(rng);
    for (int i = 0; i < N; i++) x[i] = i * 0.01;
    for (int i = 1; i < N; i++) y[i] += y[i - 1] * 0.99; /* a random walk */
    y[123457] = 1e3; /* a one-sample spike */
    y[5000] = NAN;   /* a gap */
    double scale = 1000 / (N * 0.01); /* 1000 columns */
    int64_t m = sbi__plot_thin(N, x, y, 0, scale, keep);
    assert_true(m <= 4 * 1001 + 4);
    for (int64_t i = 1; i < m; i++) assert_true(keep[i] > keep[i - 1]);
    int spike = 0, nan_kept = 0;
    for (int64_t i = 0; i < m; i++) {
        spike |= keep[i] == 123457;
        nan_kept |= keep[i] == 5000;
    }
    assert_true(spike);
    assert_false(nan_kept);
    for (int c = 0; c < 1000; c++) {
        int64_t lo = -1, hi = -1;
        for (int i = 0; i < N; i++) {
            if (floor(x[i] * scale) != c || !isfinite(y[i])) continue;
            if (lo < 0 || y[i] < y[lo]) lo = i;
            if (hi < 0 || y[i] > y[hi]) hi = i;
        }
        int flo = 0, fhi = 0;
        for (int64_t i = 0; i < m; i++) {
            flo |= keep[i] == lo;
            fhi |= keep[i] == hi;
        }
        assert_true(flo); /* the NaN at 5000 splits column 25 in two runs: still kept */
        assert_true(fhi);
    }
    free(x);
    free(y);
    free(keep);
}

static void test_histogram_density(void **state)
{
    (void)state;
    sbi_plot *p;
    assert_ok(sbi_plot_create(&p, 400, 300, 1, 1));
    enum { N = 1000 };
    double v[2 * N];
    for (int i = 0; i < N; i++) {
        v[2 * i] = (i % 100) / 10.0; /* column 0: 0.0..9.9 uniform */
        v[2 * i + 1] = -1;
    }
    v[0] = NAN;
    v[2] = 50; /* outside */
    assert_ok(sbi_plot_add_histogram(p, 0, N, v, 2, 10, 0, 10, "h", NULL));
    const sbi__plot_el *e = &p->panels[0].els[0];
    assert_int_equal(e->nx, 10);
    double integral = 0;
    for (int k = 0; k < 10; k++) integral += e->z[k] * 1.0;
    assert_close(integral, 1.0, 1e-12, 0);
    /* 998 values counted; bin 0 lost two of its 100. */
    assert_close(e->z[0], 98.0 / 998.0, 1e-12, 0);
    assert_close(e->z[9], 100.0 / 998.0, 1e-12, 0);
    sbi_plot_free(p);
}

static void test_arguments(void **state)
{
    (void)state;
    sbi_plot *p = NULL;
    assert_status(sbi_plot_create(&p, 50, 300, 1, 1), SBI_EINVAL);
    assert_status(sbi_plot_create(&p, 300, 300, 0, 1), SBI_EINVAL);
    assert_status(sbi_plot_create(&p, 300, 300, 1, 17), SBI_EINVAL);
    assert_null(p);
    assert_ok(sbi_plot_create(&p, 300, 300, 2, 1));
    double x[3] = {0, 1, 2}, y[3] = {1, 2, 3};
    assert_status(sbi_plot_add_line(p, 2, 3, x, y, NULL, NULL, 1, 0), SBI_EINVAL);
    assert_status(sbi_plot_add_line(p, -1, 3, x, y, NULL, NULL, 1, 0), SBI_EINVAL);
    assert_status(sbi_plot_add_line(p, 0, 3, x, NULL, NULL, NULL, 1, 0), SBI_EINVAL);
    assert_status(sbi_plot_add_line(p, 0, -3, x, y, NULL, NULL, 1, 0), SBI_EINVAL);
    assert_status(sbi_plot_add_line(p, 0, 3, x, y, NULL, "red;fill:x", 1, 0), SBI_EINVAL);
    assert_status(sbi_plot_add_line(p, 0, 3, x, y, NULL, "#12345", 1, 0), SBI_EINVAL);
    assert_status(sbi_plot_add_line(p, 0, 3, x, y, NULL, NULL, 1, 7), SBI_EINVAL);
    assert_status(sbi_plot_add_points(p, 0, 3, NULL, y, NULL, NULL, 1, 0), SBI_EINVAL);
    assert_status(sbi_plot_add_vline(p, 0, NAN, NULL, NULL, 0), SBI_EINVAL);
    assert_status(sbi_plot_add_histogram(p, 0, 3, y, 1, 10, 1, 1, NULL, NULL), SBI_EINVAL);
    assert_status(sbi_plot_add_histogram(p, 0, 3, y, 0, 10, 0, 1, NULL, NULL), SBI_EINVAL);
    assert_status(sbi_plot_set_limits(p, 0, 2, 1, NAN, NAN), SBI_EINVAL);
    assert_status(sbi_plot_set_limits(p, 0, 0, INFINITY, NAN, NAN), SBI_EINVAL);
    assert_status(sbi_plot_set_row_weight(p, 2, 1), SBI_EINVAL);
    assert_status(sbi_plot_set_row_weight(p, 0, 0), SBI_EINVAL);
    assert_int_equal(p->panels[0].n_els, 0); /* nothing half-added */
    assert_ok(sbi_plot_add_line(p, 0, 3, NULL, y, NULL, "black", 0, SBI_PLOT_DASHED));
    assert_ok(sbi_plot_add_line(p, 1, 0, NULL, NULL, NULL, NULL, 0, 0)); /* empty is fine */
    void *buf;
    size_t len;
    assert_status(sbi_plot_render(NULL, &buf, &len), SBI_EINVAL);
    assert_status(sbi_plot_save(p, "/nonexistent-dir/x.svg"), SBI_EIO);
    sbi_plot_free(p);
    sbi_plot_free(NULL);
    double lo[2] = {0, 0}, hi[2] = {1, 1}, s[4] = {0.5, 0.5, 0.2, 0.3};
    assert_status(sbi_plot_pairplot("/tmp/x.svg", 2, 0, s, lo, hi, NULL, NULL, 0, NULL), SBI_EINVAL);
    hi[1] = 0;
    assert_status(sbi_plot_pairplot("/tmp/x.svg", 2, 2, s, lo, hi, NULL, NULL, 0, NULL), SBI_EINVAL);
    assert_non_null(strstr(sbi_last_error(), "parameter 1"));
}

static char *render(const sbi_plot *p, size_t *len)
{
    void *buf;
    assert_ok(sbi_plot_render(p, &buf, len));
    return buf;
}

/* An XML parser must accept the document; skipped without python3. */
static void check_xml(const char *path)
{
    if (system("/usr/bin/python3 -c 'import xml.etree.ElementTree' 2>/dev/null") != 0) {
        print_message("skipped the XML check: /usr/bin/python3 is absent\n");
        return;
    }
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import xml.etree.ElementTree as E; r = E.parse('%s').getroot();"
             "assert r.tag.endswith('svg'), r.tag\"", path);
    assert_int_equal(system(cmd), 0);
}

static void test_render_escapes_and_parses(void **state)
{
    (void)state;
    sbi_plot *p;
    assert_ok(sbi_plot_create(&p, 640, 400, 2, 1));
    assert_ok(sbi_plot_set_title(p, "Traces <&> \"quoted\" 'single'"));
    assert_ok(sbi_plot_set_row_weight(p, 0, 3));
    enum { N = 12001 };
    static double t[N], v[N];
    for (int i = 0; i < N; i++) {
        t[i] = i * 0.01;
        v[i] = -70 + 100 * (i % 1500 == 700) + sin(i * 0.01);
    }
    v[100] = NAN;
    assert_ok(sbi_plot_add_line(p, 0, N, t, v, "<script>alert(1)</script>", NULL, 1.2, 0));
    assert_ok(sbi_plot_add_points(p, 0, 1, t, v, "point", NULL, 5, SBI_PLOT_CROSS));
    assert_ok(sbi_plot_add_vline(p, 0, 60, "t = 60 ms", "black", SBI_PLOT_DOTTED));
    assert_ok(sbi_plot_set_labels(p, 0, "membrane potential", NULL, "voltage (mV)"));
    assert_ok(sbi_plot_add_histogram(p, 1, N, v, 1, 0, -80, 40, "µ histogram", NULL));
    assert_ok(sbi_plot_set_labels(p, 1, NULL, "voltage (mV)", "density"));
    /* A panel never touched stays blank; the figure renders in any locale. */
    const char *had = setlocale(LC_NUMERIC, NULL);
    char saved[64];
    snprintf(saved, sizeof saved, "%s", had ? had : "C");
    setlocale(LC_NUMERIC, "de_DE.UTF-8");
    size_t len;
    char *svg = render(p, &len);
    setlocale(LC_NUMERIC, saved);
    assert_int_equal(strlen(svg), len);
    assert_null(strstr(svg, "<script>"));
    assert_non_null(strstr(svg, "&lt;script&gt;"));
    assert_non_null(strstr(svg, "Traces &lt;&amp;&gt; &quot;quoted&quot; &#39;single&#39;"));
    assert_non_null(strstr(svg, "µ histogram"));
    assert_non_null(strstr(svg, "voltage (mV)"));
    assert_null(strstr(svg, "nan"));
    assert_null(strstr(svg, "inf"));
    /* Thinned: far fewer than 12001 coordinate pairs. */
    assert_true(len < 200000);
    char path[] = "/tmp/sbi-test-plot-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_ok(sbi_plot_save(p, path));
    check_xml(path);
    unlink(path);
    sbi_free(svg);
    sbi_plot_free(p);
}

static void test_pairplot_file(void **state)
{
    (void)state;
    enum { N = 5000, D = 3 };
    static double s[N * D];
    sbi_rng *rng;
    assert_ok(sbi_rng_create(&rng, 11, 0));
    assert_ok(sbi_rng_normal(rng, N * D, s));
    sbi_rng_free(rng);
    double lo[D] = {-4, -4, -4}, hi[D] = {4, 4, 4}, truth[D] = {0, 0.5, -1};
    const char *names[D] = {"a (mV)", "b", "c"};
    char path[] = "/tmp/sbi-test-pair-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_ok(sbi_plot_pairplot(path, N, D, s, lo, hi, names, truth, 0, "pairs"));
    check_xml(path);
    FILE *f = fopen(path, "r");
    static char text[1 << 21];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    assert_non_null(strstr(text, "a (mV): "));
    assert_non_null(strstr(text, "true parameters"));
    assert_non_null(strstr(text, "posterior samples (n = 5000)"));
    assert_non_null(strstr(text, "crispEdges")); /* the 2-D histograms */
    unlink(path);
    /* One dimension, no names, no truth, zero samples. */
    assert_ok(sbi_plot_pairplot(path, 0, 1, NULL, lo, hi, NULL, NULL, 10, NULL));
    check_xml(path);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nice_ticks),
        cmocka_unit_test(test_thinning_keeps_extremes),
        cmocka_unit_test(test_histogram_density),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_render_escapes_and_parses),
        cmocka_unit_test(test_pairplot_file),
    };
    return cmocka_run_group_tests_name("plot", tests, NULL, NULL);
}

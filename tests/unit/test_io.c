/* IO: CSV and .npy tables from hand-made bytes, round trips, malformed
 * inputs, atomic writes, and .npy files checked by NumPy itself. */
#include <dirent.h>
#include <locale.h>
#include <sys/stat.h>

#include "sbi_test.h"
#include "io/io_internal.h"

static sbi_table *read_text(const char *text, int expect_status)
{
    sbi_table *t = (sbi_table *)0x1;
    int rc = sbi_table_read_mem(&t, text, strlen(text), SBI_FORMAT_CSV);
    if (rc != expect_status) {
        print_error("'%s': status %d (%s), expected %d\n", text, rc, sbi_last_error(),
                    expect_status);
        fail();
    }
    if (rc != SBI_OK) assert_null(t);
    return t;
}

static void test_csv_header_and_values(void **state)
{
    (void)state;
    sbi_table *t = read_text("g_Na,g_K\n50,5\n4.5,-1e-3\r\n  7 , 0.25\n\n", SBI_OK);
    int64_t rows;
    int32_t cols, ndim, fmt;
    assert_ok(sbi_table_shape(t, &rows, &cols));
    assert_int_equal(rows, 3);
    assert_int_equal(cols, 2);
    assert_ok(sbi_table_ndim(t, &ndim));
    assert_int_equal(ndim, 2);
    assert_ok(sbi_table_format(t, &fmt));
    assert_int_equal(fmt, SBI_FORMAT_CSV);
    const char *name;
    assert_ok(sbi_table_name(t, 0, &name));
    assert_string_equal(name, "g_Na");
    assert_ok(sbi_table_name(t, 1, &name));
    assert_string_equal(name, "g_K");
    assert_status(sbi_table_name(t, 2, &name), SBI_EINVAL);
    const double *d;
    assert_ok(sbi_table_data(t, &d));
    const double expect[] = {50, 5, 4.5, -1e-3, 7, 0.25};
    for (int i = 0; i < 6; i++) assert_true(d[i] == expect[i]);
    sbi_table_free(t);
}

static void test_csv_header_variants(void **state)
{
    (void)state;
    const char *name;
    /* No header: every field of the first line is a number. */
    sbi_table *t = read_text("1,2\n3,4", SBI_OK);
    int64_t rows;
    assert_ok(sbi_table_shape(t, &rows, NULL));
    assert_int_equal(rows, 2);
    assert_ok(sbi_table_name(t, 0, &name));
    assert_null(name);
    sbi_table_free(t);
    /* numpy.savetxt(header=...) writes "# a,b"; quoted names; a UTF-8 BOM. */
    t = read_text("\xEF\xBB\xBF# a,\"b c\"\n1,2\n", SBI_OK);
    assert_ok(sbi_table_name(t, 0, &name));
    assert_string_equal(name, "a");
    assert_ok(sbi_table_name(t, 1, &name));
    assert_string_equal(name, "b c");
    sbi_table_free(t);
    /* Header only: zero rows. */
    t = read_text("a,b,c\n", SBI_OK);
    int32_t cols;
    assert_ok(sbi_table_shape(t, &rows, &cols));
    assert_int_equal(rows, 0);
    assert_int_equal(cols, 3);
    sbi_table_free(t);
}

static void test_csv_nonfinite_tokens(void **state)
{
    (void)state;
    sbi_table *t = read_text("x,y,z\nnan,inf,-inf\nNaN,+Infinity,-0\n", SBI_OK);
    const double *d;
    assert_ok(sbi_table_data(t, &d));
    assert_true(isnan(d[0]) && isinf(d[1]) && d[1] > 0 && isinf(d[2]) && d[2] < 0);
    assert_true(isnan(d[3]) && isinf(d[4]) && d[4] > 0 && d[5] == 0 && signbit(d[5]));
    sbi_table_free(t);
}

static void expect_csv_error(const char *text, const char *fragment)
{
    read_text(text, SBI_EFORMAT);
    if (!strstr(sbi_last_error(), fragment)) {
        print_error("message '%s' lacks '%s'\n", sbi_last_error(), fragment);
        fail();
    }
}

static void test_csv_malformed(void **state)
{
    (void)state;
    expect_csv_error("", "empty");
    expect_csv_error("\n  \n", "empty");
    expect_csv_error("a,b\n1,2\n3\n", "line 3 has 1 fields, expected 2");
    expect_csv_error("a,b\n1,2,3\n", "line 2 has 3 fields");
    expect_csv_error("a,b\n1,abc\n", "line 2, column 2: 'abc' is not a number");
    expect_csv_error("a,b\n1,\n", "line 2, column 2 is empty");
    expect_csv_error("a,b\n1,2x\n", "not a number");
    expect_csv_error("a,b\n0x10,2\n", "not a number");     /* no hex floats */
    expect_csv_error("a,b\nnan(1),2\n", "not a number");   /* no NaN payloads */
    expect_csv_error("a,b\n1e999,2\n", "out of the double range");
    sbi_table *t = NULL;
    assert_status(sbi_table_read_mem(&t, "a,b\n1,2\0\n", 9, SBI_FORMAT_CSV), SBI_EFORMAT);
    assert_non_null(strstr(sbi_last_error(), "NUL byte"));
    expect_csv_error("a,b\n1,2\n\"3\",4\n", "not a number");
    expect_csv_error("a,b\n1,2\n3,4\nfoo,bar\n", "line 4");
    /* A 300-byte name is over the limit. */
    char big[400];
    memset(big, 'n', 300);
    strcpy(big + 300, ",b\n1,2\n");
    expect_csv_error(big, "longer than");
    /* A 300-digit number is over the token limit. */
    char longnum[400] = "a\n";
    memset(longnum + 2, '1', 300);
    strcpy(longnum + 302, "\n");
    expect_csv_error(longnum, "not a number");
}

static void test_csv_locale_independent(void **state)
{
    (void)state;
    /* With a decimal-comma locale (if installed), reading and writing still
     * use '.'; without one the test still checks the C-locale path. */
    const char *had = setlocale(LC_NUMERIC, NULL);
    char saved[64];
    snprintf(saved, sizeof saved, "%s", had ? had : "C");
    if (!setlocale(LC_NUMERIC, "de_DE.UTF-8")) setlocale(LC_NUMERIC, "fr_FR.UTF-8");
    sbi_table *t = read_text("a\n0.5\n", SBI_OK);
    const double *d;
    assert_ok(sbi_table_data(t, &d));
    assert_true(d[0] == 0.5);
    sbi_table_free(t);
    void *buf;
    size_t len;
    double v = 2.5;
    assert_ok(sbi_table_write_mem(&buf, &len, 1, 1, &v, NULL, SBI_FORMAT_CSV));
    assert_int_equal(len, strlen("c0\n2.5\n"));
    assert_memory_equal(buf, "c0\n2.5\n", len);
    sbi_free(buf);
    setlocale(LC_NUMERIC, saved);
}

static void test_csv_round_trip_exact(void **state)
{
    (void)state;
    enum { R = 500, C = 3 };
    static double v[R * C];
    sbi_rng *rng;
    assert_ok(sbi_rng_create(&rng, 7, 0));
    assert_ok(sbi_rng_normal(rng, R * C, v));
    sbi_rng_free(rng);
    for (int i = 0; i < R * C; i++) v[i] = ldexp(v[i], (i % 41) - 20); /* many magnitudes */
    v[0] = 0.1;
    v[1] = -0.0;
    v[2] = 1e-310; /* subnormal */
    v[3] = NAN;
    v[4] = -INFINITY;
    v[5] = 1.7976931348623157e308;
    const char *names[C] = {"alpha", "beta_2", "g K"};
    void *buf;
    size_t len;
    assert_ok(sbi_table_write_mem(&buf, &len, R, C, v, names, SBI_FORMAT_CSV));
    assert_true(strncmp(buf, "alpha,beta_2,g K\n0.1,-0,1e-310\n", 31) == 0);
    sbi_table *t;
    assert_ok(sbi_table_read_mem(&t, buf, len, SBI_FORMAT_AUTO));
    sbi_free(buf);
    int64_t rows;
    int32_t cols;
    const double *d;
    assert_ok(sbi_table_shape(t, &rows, &cols));
    assert_int_equal(rows, R);
    assert_int_equal(cols, C);
    assert_ok(sbi_table_data(t, &d));
    for (int i = 0; i < R * C; i++) {
        if (isnan(v[i])) assert_true(isnan(d[i]));
        else assert_memory_equal(&d[i], &v[i], sizeof(double)); /* bit-exact, signed zero too */
    }
    const char *name;
    assert_ok(sbi_table_name(t, 2, &name));
    assert_string_equal(name, "g K");
    sbi_table_free(t);
}

static void test_write_argument_checks(void **state)
{
    (void)state;
    void *buf;
    size_t len;
    double v[2] = {1, 2};
    const char *comma[2] = {"a,b", "c"};
    const char *numeric[2] = {"a", "3.5"};
    const char *empty[2] = {"a", ""};
    const char *null_name[2] = {"a", NULL};
    assert_status(sbi_table_write_mem(&buf, &len, 1, 2, v, comma, SBI_FORMAT_CSV), SBI_EINVAL);
    assert_status(sbi_table_write_mem(&buf, &len, 1, 2, v, numeric, SBI_FORMAT_CSV), SBI_EINVAL);
    assert_status(sbi_table_write_mem(&buf, &len, 1, 2, v, empty, SBI_FORMAT_CSV), SBI_EINVAL);
    assert_status(sbi_table_write_mem(&buf, &len, 1, 2, v, null_name, SBI_FORMAT_CSV), SBI_EINVAL);
    assert_status(sbi_table_write_mem(&buf, &len, -1, 2, v, NULL, SBI_FORMAT_CSV), SBI_EINVAL);
    assert_status(sbi_table_write_mem(&buf, &len, 1, 0, v, NULL, SBI_FORMAT_CSV), SBI_EINVAL);
    assert_status(sbi_table_write_mem(&buf, &len, 1, 2, NULL, NULL, SBI_FORMAT_CSV), SBI_EINVAL);
    assert_status(sbi_table_write_mem(&buf, &len, 1, 2, v, NULL, SBI_FORMAT_AUTO), SBI_EINVAL);
    assert_status(sbi_table_write_mem(NULL, &len, 1, 2, v, NULL, SBI_FORMAT_CSV), SBI_EINVAL);
    assert_status(sbi_table_write(NULL, 1, 2, v, NULL, SBI_FORMAT_CSV), SBI_EINVAL);
    sbi_table *t;
    assert_status(sbi_table_read_mem(&t, NULL, 5, SBI_FORMAT_CSV), SBI_EINVAL);
    assert_status(sbi_table_read_mem(&t, "a", 1, 7), SBI_EINVAL);
    assert_status(sbi_table_read(&t, NULL), SBI_EINVAL);
    assert_status(sbi_table_shape(NULL, NULL, NULL), SBI_EINVAL);
    sbi_table_free(NULL);
}

/* ---- .npy ---- */

/* A hand-made .npy: preamble, header dict (padded to 64), data bytes. */
static size_t make_npy(unsigned char *out, int major, const char *dict, const void *data,
                       size_t nbytes)
{
    size_t pre = major == 1 ? 10 : 12, dl = strlen(dict);
    size_t total = (pre + dl + 1 + 63) / 64 * 64, hlen = total - pre;
    memcpy(out, "\x93NUMPY", 6);
    out[6] = (unsigned char)major;
    out[7] = 0;
    out[8] = (unsigned char)(hlen & 0xff);
    out[9] = (unsigned char)(hlen >> 8);
    if (major > 1) out[10] = out[11] = 0;
    memcpy(out + pre, dict, dl);
    memset(out + pre + dl, ' ', hlen - dl - 1);
    out[total - 1] = '\n';
    if (nbytes) memcpy(out + total, data, nbytes);
    return total + nbytes;
}

static void test_npy_hand_made(void **state)
{
    (void)state;
    unsigned char f[1024];
    const double d6[6] = {1, 2, 3, 4, 5, 6.5};
    size_t n = make_npy(f, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", d6,
                        sizeof d6);
    sbi_table *t;
    assert_ok(sbi_table_read_mem(&t, f, n, SBI_FORMAT_AUTO));
    int64_t rows;
    int32_t cols, ndim, fmt;
    const double *d;
    const char *name;
    assert_ok(sbi_table_shape(t, &rows, &cols));
    assert_ok(sbi_table_ndim(t, &ndim));
    assert_ok(sbi_table_format(t, &fmt));
    assert_int_equal(rows, 3);
    assert_int_equal(cols, 2);
    assert_int_equal(ndim, 2);
    assert_int_equal(fmt, SBI_FORMAT_NPY);
    assert_ok(sbi_table_data(t, &d));
    assert_memory_equal(d, d6, sizeof d6);
    assert_ok(sbi_table_name(t, 1, &name));
    assert_null(name);
    sbi_table_free(t);

    /* Version 2.0, float32, 1-D, keys reordered, double quotes, no trailing comma. */
    const float f4[3] = {0.5f, -2.25f, 1e-3f};
    n = make_npy(f, 2, "{\"shape\": (3,), \"descr\": \"<f4\", \"fortran_order\": False}", f4,
                 sizeof f4);
    assert_ok(sbi_table_read_mem(&t, f, n, SBI_FORMAT_NPY));
    assert_ok(sbi_table_shape(t, &rows, &cols));
    assert_ok(sbi_table_ndim(t, &ndim));
    assert_int_equal(rows, 3);
    assert_int_equal(cols, 1);
    assert_int_equal(ndim, 1);
    assert_ok(sbi_table_data(t, &d));
    for (int i = 0; i < 3; i++) assert_true(d[i] == (double)f4[i]);
    sbi_table_free(t);

    /* Zero rows; Python 2 long integers. */
    n = make_npy(f, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (0L, 4L), }", NULL, 0);
    assert_ok(sbi_table_read_mem(&t, f, n, SBI_FORMAT_AUTO));
    assert_ok(sbi_table_shape(t, &rows, &cols));
    assert_int_equal(rows, 0);
    assert_int_equal(cols, 4);
    sbi_table_free(t);
}

static void expect_npy_error(const unsigned char *f, size_t n, const char *fragment)
{
    sbi_table *t = NULL;
    int rc = sbi_table_read_mem(&t, f, n, SBI_FORMAT_AUTO);
    if (rc != SBI_EFORMAT || !strstr(sbi_last_error(), fragment)) {
        print_error("status %d, message '%s', expected EFORMAT with '%s'\n", rc, sbi_last_error(),
                    fragment);
        fail();
    }
    assert_null(t);
}

static void expect_npy_dict_error(const char *dict, size_t nbytes, const char *fragment)
{
    unsigned char f[1024];
    double zeros[16] = {0};
    size_t n = make_npy(f, 1, dict, zeros, nbytes);
    expect_npy_error(f, n, fragment);
}

static void test_npy_malformed(void **state)
{
    (void)state;
    expect_npy_dict_error("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", 16,
                          "dtype '>f8' is not supported");
    expect_npy_dict_error("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", 16,
                          "dtype '<i8'");
    expect_npy_dict_error("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,), }",
                          16, "structured");
    expect_npy_dict_error("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", 32,
                          "Fortran-order");
    expect_npy_dict_error("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 1, 1), }", 16,
                          "more than 2 dimensions");
    expect_npy_dict_error("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", 8, "0-d");
    expect_npy_dict_error("{'descr': '<f8', 'fortran_order': False, 'shape': (4, 0), }", 0,
                          "0 columns");
    expect_npy_dict_error("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", 40,
                          "truncated data");
    expect_npy_dict_error("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", 16,
                          "8 bytes after the data");
    expect_npy_dict_error("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999, 2), }",
                          16, "bad dimension");
    expect_npy_dict_error("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387903, 4), }",
                          16, "too large");
    expect_npy_dict_error("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3000000), }", 16,
                          "limit");
    expect_npy_dict_error("{'descr': '<f8', 'fortran_order': False}", 16, "lacks");
    expect_npy_dict_error("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2,)}",
                          16, "repeats");
    expect_npy_dict_error("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': 1}", 16,
                          "unknown key");
    expect_npy_dict_error("{'descr': '<f8', 'fortran_order': 0, 'shape': (2,)}", 16,
                          "True or False");
    expect_npy_dict_error("{'descr': '<f8', 'fortran_order': False, 'shape': (2 2)}", 16,
                          "malformed");
    expect_npy_dict_error("{'descr': '<f8', 'fortran_order': False, 'shape': (-2,)}", 16,
                          "bad dimension");
    expect_npy_dict_error("{'descr': '<f8' 'fortran_order': False, 'shape': (2,)}", 16,
                          "',' or '}'");
    expect_npy_dict_error("{'descr': '<f8', 'fortran_order': False, 'shape': (2,)} x", 16,
                          "text after");
    expect_npy_dict_error("['descr']", 16, "not a Python dict");
    expect_npy_dict_error("{'descr: '<f8'}", 16, "");
    expect_npy_dict_error("{'d\\escr': '<f8'}", 16, "malformed key");

    unsigned char f[1024];
    size_t n = make_npy(f, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }",
                        "\0\0\0\0\0\0\0\0", 8);
    /* Truncated at every length inside the preamble and header. */
    for (size_t k = 0; k < 64; k++) {
        sbi_table *t = NULL;
        assert_status(sbi_table_read_mem(&t, f, k, SBI_FORMAT_NPY), SBI_EFORMAT);
    }
    unsigned char g[1024];
    memcpy(g, f, n);
    g[6] = 4;
    expect_npy_error(g, n, "version 4.0");
    memcpy(g, f, n);
    g[9] = 0xff; /* header length beyond the end */
    expect_npy_error(g, n, "truncated header");
    memcpy(g, f, n);
    g[20] = 0xC3; /* a non-ASCII byte in the header */
    expect_npy_error(g, n, "non-ASCII");
    memcpy(g, f, n);
    g[6] = 2; /* version 2 reads a 4-byte length: 0x0036 + garbage bytes */
    g[10] = 0x7f;
    g[11] = 0x7f;
    expect_npy_error(g, n, "1 MiB");
}

static void test_npy_round_trip(void **state)
{
    (void)state;
    enum { R = 37, C = 3 };
    double v[R * C];
    for (int i = 0; i < R * C; i++) v[i] = sin(i) * pow(10, i % 9 - 4);
    v[5] = NAN;
    void *buf;
    size_t len;
    assert_ok(sbi_table_write_mem(&buf, &len, R, C, v, NULL, SBI_FORMAT_NPY));
    assert_int_equal(len, 128 + sizeof v); /* 64-aligned header of 128 bytes */
    assert_memory_equal(buf, "\x93NUMPY\x01\x00\x76\x00{'descr': '<f8', 'fortran_order': False, 'shape': (37, 3), }", 70);
    assert_int_equal(((char *)buf)[127], '\n');
    sbi_table *t;
    assert_ok(sbi_table_read_mem(&t, buf, len, SBI_FORMAT_AUTO));
    sbi_free(buf);
    const double *d;
    assert_ok(sbi_table_data(t, &d));
    for (int i = 0; i < R * C; i++) {
        if (i == 5) assert_true(isnan(d[i]));
        else assert_true(d[i] == v[i]);
    }
    sbi_table_free(t);
}

/* ---- files ---- */

static char g_dir[256];

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static int setup_dir(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/sbi-test-io-XXXXXX");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_files_and_numpy(void **state)
{
    (void)state;
    char csv[300], npy[300], missing[300], bad[300];
    snprintf(csv, sizeof csv, "%s/samples.csv", g_dir);
    snprintf(npy, sizeof npy, "%s/samples.npy", g_dir);
    snprintf(missing, sizeof missing, "%s/nope/x.csv", g_dir);
    snprintf(bad, sizeof bad, "%s/bad.csv", g_dir);
    double v[6] = {50, 5, 49.5, 5.25, 0.1, 1e-4};
    const char *names[2] = {"g_Na", "g_K"};
    assert_ok(sbi_table_write(csv, 3, 2, v, names, SBI_FORMAT_AUTO));
    assert_ok(sbi_table_write(npy, 3, 2, v, names, SBI_FORMAT_AUTO));
    assert_int_equal(count_entries(g_dir), 2); /* no temporary files left */
    sbi_table *t;
    assert_ok(sbi_table_read(&t, npy));
    int32_t fmt;
    assert_ok(sbi_table_format(t, &fmt));
    assert_int_equal(fmt, SBI_FORMAT_NPY);
    sbi_table_free(t);
    assert_ok(sbi_table_read(&t, csv));
    assert_ok(sbi_table_format(t, &fmt));
    assert_int_equal(fmt, SBI_FORMAT_CSV);
    sbi_table_free(t);
    /* Overwrite keeps the other file intact and leaves nothing behind. */
    assert_ok(sbi_table_write(csv, 1, 2, v, names, SBI_FORMAT_CSV));
    assert_int_equal(count_entries(g_dir), 2);

    /* Errors name the file. */
    assert_status(sbi_table_write(missing, 1, 2, v, names, SBI_FORMAT_AUTO), SBI_EIO);
    assert_non_null(strstr(sbi_last_error(), missing));
    assert_status(sbi_table_read(&t, missing), SBI_EIO);
    assert_non_null(strstr(sbi_last_error(), "No such file"));
    assert_status(sbi_table_read(&t, g_dir), SBI_EIO);
    assert_non_null(strstr(sbi_last_error(), "directory"));
    assert_status(sbi_table_write(g_dir, 1, 2, v, names, SBI_FORMAT_CSV), SBI_EIO);
    assert_int_equal(count_entries(g_dir), 2);
    FILE *f = fopen(bad, "w");
    fputs("a,b\n1,2\n3,x\n", f);
    fclose(f);
    assert_status(sbi_table_read(&t, bad), SBI_EFORMAT);
    assert_non_null(strstr(sbi_last_error(), "bad.csv: csv: line 3, column 2"));

    /* NumPy reads what we wrote, and we read what NumPy wrote. */
    if (access("/usr/bin/python3", X_OK) != 0 ||
        system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") != 0) {
        print_message("skipped the NumPy part: /usr/bin/python3 with numpy is absent\n");
        return;
    }
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import numpy as np; a = np.load('%s');"
             "assert a.shape == (3, 2) and a.dtype == np.float64, a;"
             "assert (a == np.array([[50, 5], [49.5, 5.25], [0.1, 1e-4]])).all();"
             "b = np.loadtxt('%s', delimiter=',', skiprows=1); assert b.shape == (2,) and b[0] == 50;"
             "np.save('%s/f32.npy', np.arange(6, dtype='<f4').reshape(2, 3) / 4);"
             "np.save('%s/v.npy', np.array([1.5, -2.0]));"
             "np.save('%s/fort.npy', np.asfortranarray(np.ones((2, 3))));"
             "np.save('%s/i.npy', np.arange(3))\"",
             npy, csv, g_dir, g_dir, g_dir, g_dir);
    assert_int_equal(system(cmd), 0);
    char p[300];
    const double *d;
    int64_t rows;
    int32_t cols, ndim;
    snprintf(p, sizeof p, "%s/f32.npy", g_dir);
    assert_ok(sbi_table_read(&t, p));
    assert_ok(sbi_table_shape(t, &rows, &cols));
    assert_int_equal(rows, 2);
    assert_int_equal(cols, 3);
    assert_ok(sbi_table_data(t, &d));
    for (int i = 0; i < 6; i++) assert_true(d[i] == i / 4.0);
    sbi_table_free(t);
    snprintf(p, sizeof p, "%s/v.npy", g_dir);
    assert_ok(sbi_table_read(&t, p));
    assert_ok(sbi_table_ndim(t, &ndim));
    assert_int_equal(ndim, 1);
    assert_ok(sbi_table_data(t, &d));
    assert_true(d[0] == 1.5 && d[1] == -2.0);
    sbi_table_free(t);
    snprintf(p, sizeof p, "%s/fort.npy", g_dir);
    assert_status(sbi_table_read(&t, p), SBI_EFORMAT);
    assert_non_null(strstr(sbi_last_error(), "Fortran"));
    snprintf(p, sizeof p, "%s/i.npy", g_dir);
    assert_status(sbi_table_read(&t, p), SBI_EFORMAT);
    assert_non_null(strstr(sbi_last_error(), "'<i8'"));
}

/* Deterministic garbage and mutations of valid files never crash (ASan
 * checks the reads). The fuzz targets of the reliability work go further. */
static void test_garbage_never_crashes(void **state)
{
    (void)state;
    sbi_rng *rng;
    assert_ok(sbi_rng_create(&rng, 99, 0));
    void *csv, *npy;
    size_t lc, ln;
    double v[12];
    for (int i = 0; i < 12; i++) v[i] = i * 0.37 - 1;
    assert_ok(sbi_table_write_mem(&csv, &lc, 4, 3, v, NULL, SBI_FORMAT_CSV));
    assert_ok(sbi_table_write_mem(&npy, &ln, 4, 3, v, NULL, SBI_FORMAT_NPY));
    unsigned char buf[512];
    for (int round = 0; round < 4000; round++) {
        uint64_t r[4];
        assert_ok(sbi_rng_u64(rng, 4, r));
        const unsigned char *src = (round & 1) ? npy : csv;
        size_t len = (round & 1) ? ln : lc;
        if (len > sizeof buf) len = sizeof buf;
        memcpy(buf, src, len);
        size_t cut = (size_t)(r[0] % (len + 1));
        for (int k = 0; k < 1 + (int)(r[1] % 4); k++) {
            assert_ok(sbi_rng_u64(rng, 1, r + 2));
            buf[r[2] % len] = (unsigned char)(r[2] >> 32);
        }
        /* A heap copy of exactly cut bytes, so ASan sees any over-read. */
        unsigned char *exact = malloc(cut ? cut : 1);
        memcpy(exact, buf, cut);
        sbi_table *t = NULL;
        int rc = sbi_table_read_mem(&t, exact, cut, SBI_FORMAT_AUTO);
        assert_true(rc == SBI_OK || rc == SBI_EFORMAT);
        if (rc == SBI_OK) {
            int64_t rows;
            int32_t cols;
            assert_ok(sbi_table_shape(t, &rows, &cols));
            assert_true(rows >= 0 && cols >= 1);
        } else {
            assert_null(t);
            assert_true(strlen(sbi_last_error()) > 0);
        }
        sbi_table_free(t);
        free(exact);
    }
    sbi_free(csv);
    sbi_free(npy);
    sbi_rng_free(rng);
}


/* ---- prior specifications ---- */

static void test_prior_spec(void **state)
{
    (void)state;
    sbi_prior *p = NULL;
    assert_ok(sbi_prior_parse_spec("box:0.5,1e-4:80,15", &p));
    int32_t dim, kind;
    double lo[2], hi[2];
    assert_ok(sbi_prior_dim(p, &dim));
    assert_ok(sbi_prior_kind(p, &kind));
    assert_int_equal(dim, 2);
    assert_int_equal(kind, SBI_PRIOR_BOX_UNIFORM);
    assert_ok(sbi_prior_bounds(p, lo, hi));
    assert_true(lo[0] == 0.5 && lo[1] == 1e-4 && hi[0] == 80 && hi[1] == 15);
    sbi_prior_free(p);
    assert_ok(sbi_prior_parse_spec("gaussian: 1, -2 , 3:4,0.25,9", &p));
    assert_ok(sbi_prior_dim(p, &dim));
    assert_ok(sbi_prior_kind(p, &kind));
    assert_int_equal(dim, 3);
    assert_int_equal(kind, SBI_PRIOR_GAUSSIAN);
    double m3[3], v3[3];
    assert_ok(sbi_prior_moments(p, m3, v3));
    assert_true(m3[0] == 1 && m3[1] == -2 && m3[2] == 3 && v3[0] == 4 && v3[1] == 0.25 && v3[2] == 9);
    sbi_prior_free(p);

    static const struct { const char *spec, *fragment; } bad[] = {
        {"", "not KIND:LIST:LIST"},
        {"box", "not KIND:LIST:LIST"},
        {"uniform:0:1", "unknown kind 'uniform'"},
        {"box:0,1", "high list is missing"},
        {"box:0,1:2", "2 low values but 1 high values"},
        {"box:0:1:2", "more than three"},
        {"box::1", "low list is empty"},
        {"box:0,:1,2", "low[1]='' is not a finite number"},
        {"box:0,x:1,2", "low[1]='x' is not a finite number"},
        {"box:0,nan:1,2", "low[1]='nan' is not a finite number"},
        {"box:0,inf:1,2", "not a finite number"},
        {"box:0,1e999:1,2", "not a finite number"},
        {"box:5:2", "low[0]=5 is not below high[0]=2"},
        {"box:2:2", "not below"},
        {"gaussian:0:0", "variance[0]=0 is not positive"},
        {"gaussian:0:-1", "not positive"},
        {"Box:0:1", "unknown kind"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p = (sbi_prior *)0x1;
        int rc = sbi_prior_parse_spec(bad[i].spec, &p);
        if (rc != SBI_EINVAL || p != NULL || !strstr(sbi_last_error(), bad[i].fragment)) {
            print_error("'%s': status %d, message '%s', expected '%s'\n", bad[i].spec, rc,
                        sbi_last_error(), bad[i].fragment);
            fail();
        }
    }
    assert_status(sbi_prior_parse_spec(NULL, &p), SBI_EINVAL);
    assert_status(sbi_prior_parse_spec("box:0:1", NULL), SBI_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_header_and_values),
        cmocka_unit_test(test_csv_header_variants),
        cmocka_unit_test(test_csv_nonfinite_tokens),
        cmocka_unit_test(test_csv_malformed),
        cmocka_unit_test(test_csv_locale_independent),
        cmocka_unit_test(test_csv_round_trip_exact),
        cmocka_unit_test(test_write_argument_checks),
        cmocka_unit_test(test_npy_hand_made),
        cmocka_unit_test(test_npy_malformed),
        cmocka_unit_test(test_npy_round_trip),
        cmocka_unit_test_setup_teardown(test_files_and_numpy, setup_dir, teardown_dir),
        cmocka_unit_test(test_garbage_never_crashes),
        cmocka_unit_test(test_prior_spec),
    };
    return cmocka_run_group_tests_name("io", tests, NULL, NULL);
}

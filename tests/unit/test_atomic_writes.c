/* Every file writer is atomic (issue 10, item 5): the posterior file, CSV
 * and .npy tables, figures, the pairplot and the diagnostics plots. A write
 * that fails midway -- the file-size limit (RLIMIT_FSIZE, in a child
 * process) makes write() fail with EFBIG after a few bytes, as a full disk
 * would -- returns SBI_EIO, leaves the previous file untouched under the
 * final name and no temporary file behind. Without the limit the same call
 * replaces the file with a complete one. */
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "sbi_test.h"

#define SEED_POSTERIOR "tests/fuzz/corpus/posterior/valid-mdn-box.sbi"
#define OLD_CONTENT "old content, 26 bytes....\n"

enum { W_POSTERIOR, W_CSV, W_NPY, W_PLOT, W_PAIRPLOT, W_SBC, W_COVERAGE, W_COUNT };
static const char *const k_names[W_COUNT] = {"posterior.sbi", "table.csv", "table.npy",
                                             "figure.svg", "pairplot.svg", "sbc.svg",
                                             "coverage.svg"};

/* Call writer w on path; returns its status. */
static int write_one(int w, const char *path, const sbi_posterior *post)
{
    enum { N = 200, D = 2 };
    static double data[N * D];
    static int32_t ranks[N * D];
    for (int i = 0; i < N * D; i++) {
        data[i] = sin(0.1 * i);
        ranks[i] = (i * 7) % 51;
    }
    const double low[D] = {-1, -1}, high[D] = {1, 1};
    const char *names[D] = {"a", "b"};
    switch (w) {
    case W_POSTERIOR: return sbi_posterior_save(post, path);
    case W_CSV: return sbi_table_write(path, N, D, data, names, SBI_FORMAT_AUTO);
    case W_NPY: return sbi_table_write(path, N, D, data, NULL, SBI_FORMAT_AUTO);
    case W_PLOT: {
        sbi_plot *p = NULL;
        int rc = sbi_plot_create(&p, 400, 300, 1, 1);
        if (rc == SBI_OK) rc = sbi_plot_add_line(p, 0, N, NULL, data, "line", NULL, 0, 0);
        if (rc == SBI_OK) rc = sbi_plot_save(p, path);
        sbi_plot_free(p);
        return rc;
    }
    case W_PAIRPLOT:
        return sbi_plot_pairplot(path, N, D, data, low, high, names, NULL, 10, "pairs");
    case W_SBC: return sbi_sbc_plot_svg(path, N, D, ranks, 50, 10, names);
    case W_COVERAGE: {
        const double levels[3] = {0.1, 0.5, 0.9}, cover[3] = {0.12, 0.48, 0.91};
        return sbi_coverage_plot_svg(path, 3, levels, cover, 100);
    }
    default: return SBI_EINVAL;
    }
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static long read_all(const char *path, char *buf, long cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    long n = (long)fread(buf, 1, (size_t)cap, f);
    fclose(f);
    return n;
}

/* The names in dir other than `keep`, space-separated. */
static int others_in_dir(const char *dir, const char *keep, char *list, size_t cap)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    list[0] = '\0';
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, keep))
            continue;
        size_t l = strlen(list);
        snprintf(list + l, cap - l, " %s", e->d_name);
        n++;
    }
    closedir(d);
    return n;
}

typedef struct fixture {
    char dir[128];
    sbi_posterior *post;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f) return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/sbi-atomic-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    for (int w = 0; w < W_COUNT; w++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", f->dir, k_names[w]);
        unlink(path);
    }
    rmdir(f->dir);
    sbi_posterior_free(f->post);
    free(f);
    return 0;
}

/* In a child process limited to files of 64 bytes, the write fails with
 * SBI_EIO; the old file and the folder are as they were. */
static void test_failed_write_leaves_old_file(void **state)
{
    fixture *f = *state;
    if (access(SEED_POSTERIOR, R_OK) != 0) {
        print_message("skipped: %s is absent\n", SEED_POSTERIOR);
        skip();
    }
    assert_ok(sbi_posterior_load(&f->post, SEED_POSTERIOR));
    for (int w = 0; w < W_COUNT; w++) {
        char path[256], list[1024], buf[4096];
        snprintf(path, sizeof path, "%s/%s", f->dir, k_names[w]);
        write_text(path, OLD_CONTENT);
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            signal(SIGXFSZ, SIG_IGN); /* write() then fails with EFBIG */
            struct rlimit lim = {64, 64};
            if (setrlimit(RLIMIT_FSIZE, &lim) != 0) _exit(10);
            const int rc = write_one(w, path, f->post);
            if (rc == SBI_EIO && strlen(sbi_last_error()) > 0) _exit(0);
            fprintf(stderr, "%s: status %d (%s)\n", k_names[w], rc, sbi_last_error());
            _exit(rc == SBI_OK ? 11 : 12);
        }
        int ws = 0;
        assert_int_equal(waitpid(pid, &ws, 0), pid);
        if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
            print_error("%s: a write beyond the file-size limit did not fail with SBI_EIO "
                        "(child status %d)\n", k_names[w], ws);
            fail();
        }
        const long n = read_all(path, buf, sizeof buf);
        assert_int_equal(n, (long)strlen(OLD_CONTENT));
        assert_memory_equal(buf, OLD_CONTENT, (size_t)n);
        if (others_in_dir(f->dir, k_names[w], list, sizeof list) != 0) {
            print_error("%s: a failed write left:%s\n", k_names[w], list);
            fail();
        }
        /* Without the limit the file is replaced by a complete one. */
        assert_ok(write_one(w, path, f->post));
        assert_int_equal(others_in_dir(f->dir, k_names[w], list, sizeof list), 0);
        unlink(path);
    }
}

/* What the writers wrote reads back whole. */
static void test_written_files_are_complete(void **state)
{
    fixture *f = *state;
    if (access(SEED_POSTERIOR, R_OK) != 0) skip();
    assert_ok(sbi_posterior_load(&f->post, SEED_POSTERIOR));
    char path[256], buf[1 << 16];
    snprintf(path, sizeof path, "%s/%s", f->dir, k_names[W_POSTERIOR]);
    assert_ok(write_one(W_POSTERIOR, path, f->post));
    sbi_posterior *back = NULL;
    assert_ok(sbi_posterior_load(&back, path));
    sbi_posterior_free(back);
    for (int w = W_CSV; w <= W_NPY; w++) {
        snprintf(path, sizeof path, "%s/%s", f->dir, k_names[w]);
        assert_ok(write_one(w, path, f->post));
        sbi_table *t = NULL;
        assert_ok(sbi_table_read(&t, path));
        int64_t rows;
        assert_ok(sbi_table_shape(t, &rows, NULL));
        assert_int_equal(rows, 200);
        sbi_table_free(t);
    }
    for (int w = W_PLOT; w < W_COUNT; w++) {
        snprintf(path, sizeof path, "%s/%s", f->dir, k_names[w]);
        assert_ok(write_one(w, path, f->post));
        const long n = read_all(path, buf, sizeof buf - 1);
        assert_true(n > 100);
        buf[n > 0 ? n : 0] = '\0'; /* the ternary tells -O3 that n >= 0 */
        assert_non_null(strstr(buf, "</svg>"));
    }
}

/* A writer aimed at a missing folder or at a folder fails with SBI_EIO and
 * creates nothing. */
static void test_unwritable_destinations(void **state)
{
    fixture *f = *state;
    if (access(SEED_POSTERIOR, R_OK) != 0) skip();
    assert_ok(sbi_posterior_load(&f->post, SEED_POSTERIOR));
    char path[256], list[256];
    for (int w = 0; w < W_COUNT; w++) {
        snprintf(path, sizeof path, "%s/missing/%s", f->dir, k_names[w]);
        assert_status(write_one(w, path, f->post), SBI_EIO);
        assert_int_equal(others_in_dir(f->dir, "", list, sizeof list), 0);
        /* The folder itself as the destination. */
        assert_status(write_one(w, f->dir, f->post), SBI_EIO);
        assert_int_equal(others_in_dir(f->dir, "", list, sizeof list), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_failed_write_leaves_old_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_written_files_are_complete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwritable_destinations, setup, teardown),
    };
    return cmocka_run_group_tests_name("atomic_writes", tests, NULL, NULL);
}

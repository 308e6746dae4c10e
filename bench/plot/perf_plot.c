/* The scaling figure of docs/performance.md, drawn with libsbi's own plot
 * module: time of each stage of the HH tutorial against the number of
 * simulations (log10 on both axes), with the reference package's figures,
 * and the tutorial's peak resident memory against the same axis.
 *
 * usage: perf_plot tutorial_summary.csv train.csv out.svg
 *   tutorial_summary.csv  medians per size, as bench/run_all.sh writes them
 *   train.csv             bench_train's results (optional: "-" to skip) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbi.h"
#include "sbi/io.h"

#define MAX_ROWS 64

static int column(const sbi_table *t, const char *name)
{
    int64_t rows;
    int32_t cols;
    sbi_table_shape(t, &rows, &cols);
    for (int32_t j = 0; j < cols; j++) {
        const char *nm = NULL;
        if (sbi_table_name(t, j, &nm) == SBI_OK && nm && !strcmp(nm, name)) return j;
    }
    fprintf(stderr, "perf_plot: no column '%s' in the tutorial summary\n", name);
    exit(1);
}

/* bench_train's "train,train_cpu_s_n<N>,<value>,s" lines. */
static int read_train(const char *path, double *n, double *cpu)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char line[512];
    int k = 0;
    while (fgets(line, sizeof line, f) && k < MAX_ROWS) {
        long long sims;
        double v;
        if (sscanf(line, "train,train_cpu_s_n%lld,%lf", &sims, &v) == 2 && v > 0) {
            n[k] = log10((double)sims);
            cpu[k++] = log10(v);
        }
    }
    fclose(f);
    return k;
}

static void check(int rc, const char *what)
{
    if (rc != SBI_OK) {
        fprintf(stderr, "perf_plot: %s: %s\n", what, sbi_last_error());
        exit(1);
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: perf_plot tutorial_summary.csv train.csv|- out.svg\n");
        return 2;
    }
    sbi_table *t = NULL;
    check(sbi_table_read(&t, argv[1]), argv[1]);
    int64_t rows;
    int32_t cols;
    const double *d;
    check(sbi_table_shape(t, &rows, &cols), "shape");
    check(sbi_table_data(t, &d), "data");
    if (rows < 1 || rows > MAX_ROWS) {
        fprintf(stderr, "perf_plot: %lld rows in %s\n", (long long)rows, argv[1]);
        return 1;
    }
    static const struct {
        const char *col, *label, *color;
    } stages[] = {
        {"wall_s", "tutorial, wall (2 workers)", "black"},
        {"cpu_s", "tutorial, CPU", "#7f7f7f"},
        {"cpu_simulate_s", "simulate, CPU", "#1f77b4"},
        {"cpu_train_s", "train, CPU", "#d62728"},
        {"sample_s", "sample 10 000, wall", "#2ca02c"},
        {"write_s", "write files, wall", "#9467bd"},
    };
    const int ns = (int)(sizeof stages / sizeof stages[0]);
    const int c_n = column(t, "sims"), c_rss = column(t, "max_rss_mb");
    double lx[MAX_ROWS], ly[MAX_ROWS];
    for (int64_t i = 0; i < rows; i++) lx[i] = log10(d[i * cols + c_n]);

    sbi_plot *p = NULL;
    check(sbi_plot_create(&p, 1200, 560, 1, 2), "plot");
    sbi_plot_set_title(p, "libsbi, HH tutorial: cost against the number of simulations "
                          "(log10 axes; medians of repeated runs)");
    for (int s = 0; s < ns; s++) {
        const int c = column(t, stages[s].col);
        int64_t k = 0;
        double x[MAX_ROWS];
        for (int64_t i = 0; i < rows; i++) {
            const double v = d[i * cols + c];
            if (!(v > 0)) continue;
            x[k] = lx[i];
            ly[k++] = log10(v);
        }
        check(sbi_plot_add_line(p, 0, k, x, ly, stages[s].label, stages[s].color, 1.6,
                                s == 1 ? SBI_PLOT_DASHED : SBI_PLOT_SOLID), "line");
        check(sbi_plot_add_points(p, 0, k, x, ly, NULL, stages[s].color, 4, SBI_PLOT_CIRCLE),
              "points");
    }
    double tn[MAX_ROWS], tc[MAX_ROWS];
    const int nt = strcmp(argv[2], "-") ? read_train(argv[2], tn, tc) : 0;
    if (nt > 0)
        check(sbi_plot_add_points(p, 0, nt, tn, tc, "train, CPU (bench_train)", "#d62728", 7,
                                  SBI_PLOT_PLUS), "train points");
    /* The reference package (../shared/spec/reference-figures.md): at 300
     * simulations the simulation on 2 workers (71 s) and the whole tutorial
     * (80 s), the training at 300 (2.0 s) and 2 000 (17.2 s). */
    const double rx[] = {log10(300.0), log10(300.0), log10(2000.0), log10(300.0)};
    const double ry[] = {log10(71.0), log10(2.0), log10(17.2), log10(80.0)};
    check(sbi_plot_add_points(p, 0, 4, rx, ry,
                              "reference sbi 0.27", "#ff7f0e", 7, SBI_PLOT_CROSS), "reference");
    check(sbi_plot_set_labels(p, 0, "time per stage", "log10 simulations", "log10 seconds"),
          "labels");
    check(sbi_plot_set_limits(p, 0, 0.4, 5.3, -3.5, 2.5), "limits"); /* room for the legend */
    for (int64_t i = 0; i < rows; i++) ly[i] = log10(d[i * cols + c_rss]);
    check(sbi_plot_add_line(p, 1, rows, lx, ly, "peak resident memory (time -v)", "black", 1.6,
                            SBI_PLOT_SOLID), "rss");
    check(sbi_plot_add_points(p, 1, rows, lx, ly, NULL, "black", 4, SBI_PLOT_CIRCLE), "rss");
    const double ref_x[] = {log10(300.0)}, ref_y[] = {log10(350.0)}, target_y[] = {log10(20.0)};
    check(sbi_plot_add_points(p, 1, 1, ref_x, ref_y, "reference sbi 0.27 (~350 MB)", "#ff7f0e",
                              7, SBI_PLOT_CROSS), "ref rss");
    check(sbi_plot_add_points(p, 1, 1, ref_x, target_y, "target (20 MB)", "#2ca02c", 7,
                              SBI_PLOT_PLUS), "target rss");
    check(sbi_plot_set_labels(p, 1, "peak resident memory of the whole process",
                              "log10 simulations", "log10 MB"), "labels");
    check(sbi_plot_set_limits(p, 1, 2.3, 5.3, 0.8, 2.8), "limits");
    check(sbi_plot_save(p, argv[3]), argv[3]);
    sbi_plot_free(p);
    sbi_table_free(t);
    printf("wrote %s\n", argv[3]);
    return 0;
}

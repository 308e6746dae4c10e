/* Helpers shared by the benchmark programs (header only; each program is
 * one translation unit): clocks, order statistics, the machine's load, one
 * BLAS thread, and a results file of named values (CSV and JSON).
 *
 * The machine the project builds on is shared: wall time measures the
 * neighbours too. Programs report thread or process CPU time where the work
 * runs on one thread, medians of repetitions, and ratios measured in one run
 * (which drift much less than either side). */
#ifndef SBI_BENCH_UTIL_H
#define SBI_BENCH_UTIL_H

#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static inline double bench_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
static inline double bench_wall(void) { return bench_clock(CLOCK_MONOTONIC); }
static inline double bench_thread_cpu(void) { return bench_clock(CLOCK_THREAD_CPUTIME_ID); }
static inline double bench_process_cpu(void) { return bench_clock(CLOCK_PROCESS_CPUTIME_ID); }

static inline int bench_cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v in place; returns the q-quantile (nearest rank, q in [0, 1]). */
static inline double bench_quantile(double *v, int64_t n, double q)
{
    qsort(v, (size_t)n, sizeof(double), bench_cmp_double);
    int64_t i = (int64_t)(q * (double)(n - 1) + 0.5);
    return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}
static inline double bench_median(double *v, int64_t n) { return bench_quantile(v, n, 0.5); }

/* The 1-minute load average (NaN if unknown). */
static inline double bench_loadavg(void)
{
    double l = -1.0;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1) l = -1.0;
        fclose(f);
    }
    return l;
}

/* One OpenBLAS thread unless OPENBLAS_NUM_THREADS is set (as the tutorial
 * does: the matrices are far too small for threads). */
static inline void bench_single_threaded_blas(void)
{
    if (getenv("OPENBLAS_NUM_THREADS")) return;
    void *sym = dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
    if (!sym) return;
    void (*set_threads)(int);
    memcpy(&set_threads, &sym, sizeof set_threads);
    set_threads(1);
}

/* mkdir -p; 0 on success. */
static inline int bench_mkdirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
            buf[i] = c;
        }
    }
    return 0;
}

/* ---- results: named values written as <dir>/<name>.csv and .json --------- */

#define BENCH_MAX_RESULTS 256

typedef struct bench_results {
    const char *name;
    int count;
    char key[BENCH_MAX_RESULTS][64];
    char unit[BENCH_MAX_RESULTS][16];
    double value[BENCH_MAX_RESULTS];
    double load_start;
} bench_results;

static inline void bench_results_init(bench_results *r, const char *name)
{
    memset(r, 0, sizeof *r);
    r->name = name;
    r->load_start = bench_loadavg();
}

/* key is formatted like printf (e.g. "train_s_n%d"); unit is free text. */
static inline void bench_result(bench_results *r, const char *unit, double value, const char *key,
                                ...) __attribute__((format(printf, 4, 5)));
static inline void bench_result(bench_results *r, const char *unit, double value, const char *key,
                                ...)
{
    if (r->count >= BENCH_MAX_RESULTS) return;
    va_list ap;
    va_start(ap, key);
    vsnprintf(r->key[r->count], sizeof r->key[0], key, ap);
    va_end(ap);
    snprintf(r->unit[r->count], sizeof r->unit[0], "%s", unit);
    r->value[r->count++] = value;
}

/* The results folder: --results DIR, else $SBI_BENCH_RESULTS, else the one
 * compiled in (build/bench-results). */
static inline const char *bench_results_dir(const char *opt)
{
    if (opt) return opt;
    const char *e = getenv("SBI_BENCH_RESULTS");
    if (e && *e) return e;
#ifdef SBI_BENCH_RESULTS_DIR
    return SBI_BENCH_RESULTS_DIR;
#else
    return "bench-results";
#endif
}

/* Writes both files; prints where. 0 on success. */
static inline int bench_results_write(const bench_results *r, const char *dir)
{
    if (bench_mkdirs(dir) != 0) {
        fprintf(stderr, "%s: cannot create %s: %s\n", r->name, dir, strerror(errno));
        return -1;
    }
    char path[4200];
    const double load_end = bench_loadavg();
    const char *threads = getenv("OPENBLAS_NUM_THREADS");
    time_t now = time(NULL);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", localtime(&now));
    snprintf(path, sizeof path, "%s/%s.csv", dir, r->name);
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f, "bench,key,value,unit\n");
    fprintf(f, "%s,date,0,%s\n%s,loadavg_start,%.2f,\n%s,loadavg_end,%.2f,\n", r->name, stamp,
            r->name, r->load_start, r->name, load_end);
    for (int i = 0; i < r->count; i++)
        fprintf(f, "%s,%s,%.6g,%s\n", r->name, r->key[i], r->value[i], r->unit[i]);
    fclose(f);
    snprintf(path, sizeof path, "%s/%s.json", dir, r->name);
    f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f, "{\"bench\":\"%s\",\"date\":\"%s\",\"loadavg_start\":%.2f,\"loadavg_end\":%.2f,"
               "\"openblas_num_threads\":\"%s\",\n \"results\":{",
            r->name, stamp, r->load_start, load_end, threads ? threads : "");
    for (int i = 0; i < r->count; i++) {
        fprintf(f, "%s\n  \"%s\":{\"value\":", i ? "," : "", r->key[i]);
        if (isfinite(r->value[i])) fprintf(f, "%.6g", r->value[i]);
        else fprintf(f, "null"); /* JSON has no NaN */
        fprintf(f, ",\"unit\":\"%s\"}", r->unit[i]);
    }
    fprintf(f, "}}\n");
    fclose(f);
    printf("\nresults: %s/%s.{csv,json} (load average %.1f at the start, %.1f at the end)\n", dir,
           r->name, r->load_start, load_end);
    return 0;
}

#endif /* SBI_BENCH_UTIL_H */

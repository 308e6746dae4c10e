/* Reading the sbibm CSV files: one header row, then comma-separated numbers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasks_internal.h"

void sbi_tasks_free(void *ptr) { free(ptr); }

/* Read one line of any length into *buf (grown as needed); 0 at end of file. */
static int read_line(FILE *f, char **buf, size_t *cap)
{
    size_t len = 0;
    int c;
    while ((c = fgetc(f)) != EOF) {
        if (len + 2 > *cap) {
            size_t ncap = *cap ? 2 * *cap : 256;
            char *nb = realloc(*buf, ncap);
            if (!nb) return -1;
            *buf = nb;
            *cap = ncap;
        }
        if (c == '\n') break;
        (*buf)[len++] = (char)c;
    }
    if (c == EOF && len == 0) return 0;
    if (!*buf) return 0;
    while (len > 0 && ((*buf)[len - 1] == '\r' || (*buf)[len - 1] == ' ')) len--;
    (*buf)[len] = '\0';
    return 1;
}

int sbi_tasks_read_csv(const char *path, int64_t *rows, int32_t *cols, double **data)
{
    if (!path || !rows || !cols || !data)
        return tasks_fail(SBI_EINVAL, "sbi_tasks_read_csv: NULL argument");
    *data = NULL;
    *rows = 0;
    *cols = 0;
    FILE *f = fopen(path, "r");
    if (!f) return tasks_fail(SBI_EIO, "sbi_tasks_read_csv: cannot open %s: %s", path,
                              strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    int rc = SBI_OK;
    double *d = NULL;
    int64_t n = 0, dcap = 0;
    int32_t c = 0;
    int got = read_line(f, &line, &cap);
    if (got <= 0) {
        rc = got < 0 ? tasks_fail(SBI_ENOMEM, "sbi_tasks_read_csv: out of memory")
                     : tasks_fail(SBI_EFORMAT, "sbi_tasks_read_csv: %s is empty", path);
        goto done;
    }
    c = 1;
    for (char *p = line; *p; p++) c += (*p == ',');
    while ((got = read_line(f, &line, &cap)) > 0) {
        if (line[0] == '\0') continue;
        if (n == dcap) {
            int64_t ncap = dcap ? 2 * dcap : 1024;
            double *nd = realloc(d, sizeof(double) * (size_t)ncap * (size_t)c);
            if (!nd) {
                rc = tasks_fail(SBI_ENOMEM, "sbi_tasks_read_csv: out of memory");
                goto done;
            }
            d = nd;
            dcap = ncap;
        }
        char *p = line;
        for (int32_t j = 0; j < c; j++) {
            char *end;
            d[n * c + j] = strtod(p, &end);
            int sep_ok = (j + 1 < c) ? *end == ',' : *end == '\0';
            if (end == p || !sep_ok) {
                rc = tasks_fail(SBI_EFORMAT,
                                "sbi_tasks_read_csv: %s row %lld field %d is not a number, or the "
                                "row does not have %d fields",
                                path, (long long)n + 1, (int)j + 1, (int)c);
                goto done;
            }
            p = end + (j + 1 < c);
        }
        n++;
    }
    if (got < 0) {
        rc = tasks_fail(SBI_ENOMEM, "sbi_tasks_read_csv: out of memory");
        goto done;
    }
    if (n == 0) rc = tasks_fail(SBI_EFORMAT, "sbi_tasks_read_csv: %s has no data rows", path);
done:
    free(line);
    fclose(f);
    if (rc != SBI_OK) {
        free(d);
        return rc;
    }
    *data = d;
    *rows = n;
    *cols = c;
    return SBI_OK;
}

/* Load <root>/<task>/num_observation_<num>/<file> and check its width. */
static int load_file(const char *where, const char *root, const char *task, int32_t num,
                     const char *file, int want_theta, int64_t *n, double **data)
{
    const tasks_def *t = tasks_find(task);
    if (!t) return tasks_fail(SBI_EINVAL, "%s: unknown task '%s'", where, task ? task : "(null)");
    if (!root) return tasks_fail(SBI_EINVAL, "%s: root is NULL", where);
    if (num < 1) return tasks_fail(SBI_EINVAL, "%s: num=%d must be at least 1", where, (int)num);
    char path[4096];
    int len = snprintf(path, sizeof path, "%s/%s/num_observation_%d/%s", root, t->name, (int)num,
                       file);
    if (len < 0 || (size_t)len >= sizeof path)
        return tasks_fail(SBI_EINVAL, "%s: path too long", where);
    int32_t cols = 0;
    int rc = sbi_tasks_read_csv(path, n, &cols, data);
    if (rc != SBI_OK) return rc;
    int32_t want = want_theta ? t->theta_dim : t->x_dim;
    if (cols != want) {
        free(*data);
        *data = NULL;
        return tasks_fail(SBI_EFORMAT, "%s: %s has %d columns, the task has %d", where, path,
                          (int)cols, (int)want);
    }
    return SBI_OK;
}

static int load_one_row(const char *where, const char *root, const char *task, int32_t num,
                        const char *file, int want_theta, double *out)
{
    if (!out) return tasks_fail(SBI_EINVAL, "%s: output is NULL", where);
    int64_t n = 0;
    double *d = NULL;
    int rc = load_file(where, root, task, num, file, want_theta, &n, &d);
    if (rc != SBI_OK) return rc;
    if (n != 1) {
        free(d);
        return tasks_fail(SBI_EFORMAT, "%s: %s has %lld rows, expected 1", where, file,
                          (long long)n);
    }
    int32_t dim = 0;
    sbi_tasks_dims(task, want_theta ? &dim : NULL, want_theta ? NULL : &dim);
    memcpy(out, d, sizeof(double) * (size_t)dim);
    free(d);
    return SBI_OK;
}

int sbi_tasks_load_observation(const char *root, const char *task, int32_t num, double *x)
{
    return load_one_row("sbi_tasks_load_observation", root, task, num, "observation.csv", 0, x);
}

int sbi_tasks_load_true_parameters(const char *root, const char *task, int32_t num,
                                   double *theta)
{
    return load_one_row("sbi_tasks_load_true_parameters", root, task, num,
                        "true_parameters.csv", 1, theta);
}

int sbi_tasks_load_reference_samples(const char *root, const char *task, int32_t num,
                                     int64_t *n, double **samples)
{
    if (!n || !samples)
        return tasks_fail(SBI_EINVAL, "sbi_tasks_load_reference_samples: NULL output");
    return load_file("sbi_tasks_load_reference_samples", root, task, num,
                     "reference_posterior_samples.csv", 1, n, samples);
}

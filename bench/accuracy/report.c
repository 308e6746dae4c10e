/* Results of the accuracy benchmark: per-observation CSV rows, and the
 * summary table (mean +- sd over observations per task/budget/estimator)
 * next to the published NPE scores (Lueckmann et al. 2021). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static const char *const TASKS[3] = {"gaussian_linear", "two_moons", "slcp"};
static const int64_t BUDGETS[3] = {1000, 10000, 100000};
static const char *const ESTIMATORS[3] = {"mdn", "maf", "nsf"};
/* Published mean C2ST of NPE (single round) with an NSF and with a MAF. */
static const double PUB_NSF[3][3] = {
    {0.694, 0.552, 0.506}, {0.725, 0.606, 0.542}, {0.975, 0.901, 0.831}};
static const double PUB_MAF[3][3] = {
    {0.694, 0.564, 0.513}, {0.872, 0.814, 0.770}, {0.976, 0.938, 0.869}};

#define CSV_HEADER                                                                               \
    "task,budget,estimator,observation,c2st,train_seconds,epochs,c2st_seconds,acceptance\n"

int bench_csv_append(const char *path, const bench_row *rows, int64_t n)
{
    FILE *probe = fopen(path, "r");
    int is_new = probe == NULL;
    if (probe) fclose(probe);
    FILE *f = fopen(path, "a");
    if (!f) return -1;
    if (is_new) fputs(CSV_HEADER, f);
    for (int64_t i = 0; i < n; i++) {
        const bench_row *r = &rows[i];
        fprintf(f, "%s,%lld,%s,%d,%.6f,%.3f,%lld,%.3f,%.6f\n", r->task, (long long)r->budget,
                r->estimator, (int)r->observation, r->c2st, r->train_seconds,
                (long long)r->epochs, r->c2st_seconds, r->acceptance);
    }
    return fclose(f) == 0 ? 0 : -1;
}

int bench_csv_read(const char *path, bench_row **rows, int64_t *n)
{
    *rows = NULL;
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[512];
    int64_t cap = 0;
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        bench_row r;
        memset(&r, 0, sizeof r);
        long long budget, epochs;
        int obs;
        char c2st[32];
        if (sscanf(line, "%31[^,],%lld,%7[^,],%d,%31[^,],%lf,%lld,%lf,%lf", r.task, &budget,
                   r.estimator, &obs, c2st, &r.train_seconds, &epochs, &r.c2st_seconds,
                   &r.acceptance) != 9)
            continue;
        r.budget = budget;
        r.epochs = epochs;
        r.observation = obs;
        r.c2st = strtod(c2st, NULL); /* "nan" too */
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            bench_row *nr = realloc(*rows, sizeof *nr * (size_t)cap);
            if (!nr) {
                fclose(f);
                return -1;
            }
            *rows = nr;
        }
        (*rows)[(*n)++] = r;
    }
    fclose(f);
    return 0;
}

typedef struct cell {
    int64_t count, failed; /* observations scored; with failed sampling */
    double mean, sd, train_seconds, c2st_seconds;
    int64_t epochs;
} cell;

/* Summary of one (task, budget, estimator); the last run's rows win when an
 * observation appears twice. */
static cell summarise(const bench_row *rows, int64_t n, const char *task, int64_t budget,
                      const char *est)
{
    cell c;
    memset(&c, 0, sizeof c);
    double vals[64];
    int have[64] = {0};
    for (int64_t i = 0; i < n; i++) {
        const bench_row *r = &rows[i];
        if (strcmp(r->task, task) || r->budget != budget || strcmp(r->estimator, est)) continue;
        if (r->observation < 1 || r->observation > 64) continue;
        vals[r->observation - 1] = r->c2st;
        have[r->observation - 1] = 1;
        c.train_seconds = r->train_seconds;
        c.epochs = r->epochs;
        c.c2st_seconds += r->c2st_seconds;
    }
    double s = 0, ss = 0;
    for (int o = 0; o < 64; o++) {
        if (!have[o]) continue;
        if (isnan(vals[o])) {
            c.failed++;
            continue;
        }
        c.count++;
        s += vals[o];
    }
    if (c.count == 0) return c;
    c.mean = s / (double)c.count;
    for (int o = 0; o < 64; o++)
        if (have[o] && !isnan(vals[o])) ss += (vals[o] - c.mean) * (vals[o] - c.mean);
    c.sd = c.count > 1 ? sqrt(ss / (double)(c.count - 1)) : 0.0;
    return c;
}

static void fmt_cell(char *buf, size_t len, const cell *c)
{
    if (c->count == 0 && c->failed == 0) snprintf(buf, len, "—");
    else if (c->count == 0) snprintf(buf, len, "failed");
    else if (c->count == 10 && c->failed == 0)
        snprintf(buf, len, "%.3f ± %.3f", c->mean, c->sd);
    else
        snprintf(buf, len, "%.3f ± %.3f (%lld obs%s)", c->mean, c->sd, (long long)c->count,
                 c->failed ? ", some failed" : "");
}

void bench_write_markdown(FILE *f, const bench_row *rows, int64_t n)
{
    fputs("| task | simulations | NPE-MDN (libsbi) | NPE-MAF (libsbi) | NPE-NSF (libsbi) | "
          "published NPE-NSF | published NPE-MAF | training time (s) MDN / MAF / NSF |\n",
          f);
    fputs("|---|---|---|---|---|---|---|---|\n", f);
    for (int t = 0; t < 3; t++)
        for (int b = 0; b < 3; b++) {
            char cells[3][72], times[3][32];
            cell c[3];
            int best = -1;
            for (int e = 0; e < 3; e++) {
                c[e] = summarise(rows, n, TASKS[t], BUDGETS[b], ESTIMATORS[e]);
                if (c[e].count && (best < 0 || c[e].mean < c[best].mean)) best = e;
            }
            for (int e = 0; e < 3; e++) {
                /* Bold: the cell's best estimator, if at or below the published NSF. */
                int bold = e == best && c[e].mean <= PUB_NSF[t][b];
                char text[64];
                fmt_cell(text, sizeof text, &c[e]);
                snprintf(cells[e], sizeof cells[e], bold ? "**%s**" : "%s", text);
                if (c[e].count || c[e].failed)
                    snprintf(times[e], sizeof times[e], "%.1f", c[e].train_seconds);
                else snprintf(times[e], sizeof times[e], "—");
            }
            fprintf(f, "| %s | 10^%d | %s | %s | %s | %.3f | %.3f | %s / %s / %s |\n", TASKS[t],
                    b + 3, cells[0], cells[1], cells[2], PUB_NSF[t][b], PUB_MAF[t][b], times[0],
                    times[1], times[2]);
        }
}

void bench_write_json(FILE *f, const bench_row *rows, int64_t n)
{
    fputs("{\n  \"cells\": [\n", f);
    int first = 1;
    for (int t = 0; t < 3; t++)
        for (int b = 0; b < 3; b++)
            for (int e = 0; e < 3; e++) {
                cell c = summarise(rows, n, TASKS[t], BUDGETS[b], ESTIMATORS[e]);
                if (c.count == 0 && c.failed == 0) continue;
                char mean[32] = "null", sd[32] = "null";
                if (c.count) {
                    snprintf(mean, sizeof mean, "%.4f", c.mean);
                    snprintf(sd, sizeof sd, "%.4f", c.sd);
                }
                fprintf(f,
                        "%s    {\"task\": \"%s\", \"simulations\": %lld, \"estimator\": \"%s\", "
                        "\"observations\": %lld, \"failed\": %lld, \"c2st_mean\": %s, "
                        "\"c2st_sd\": %s, \"published_npe_nsf\": %.3f, "
                        "\"published_npe_maf\": %.3f, \"train_seconds\": %.2f, \"epochs\": %lld, "
                        "\"c2st_seconds_total\": %.1f}",
                        first ? "" : ",\n", TASKS[t], (long long)BUDGETS[b], ESTIMATORS[e],
                        (long long)c.count, (long long)c.failed, mean, sd, PUB_NSF[t][b], PUB_MAF[t][b], c.train_seconds,
                        (long long)c.epochs, c.c2st_seconds);
                first = 0;
            }
    fputs("\n  ]\n}\n", f);
}

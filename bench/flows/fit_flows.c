/* Training speed against quality for the three estimators on a benchmark
 * task: simulate N rows, train with the public trainer, and report epochs,
 * wall time, time per epoch, the best validation loss and the held-out NLL
 * (mean -log q(theta | x) over 2 000 fresh simulations, no leakage
 * correction). Used to choose the flows' defaults (docs/flows.md).
 *
 * With c2st=K it also scores C2ST against the reference posterior samples of
 * observations 1..K (10 000 samples each, ../shared/data/sbibm; run from the
 * repository root) and prints the mean.
 *
 * Usage: fit_flows task N [estimators=mdn,maf,nsf] [seed=1] [key=value ...]
 *   keys: batch, lr, patience, max_epochs, hidden, transforms, bins, blocks,
 *         c2st */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sbi.h"
#include "sbi_tasks.h"
#include "../common/bench_util.h"

static int simulate(const char *task, const sbi_prior *prior, int64_t n, uint64_t seed,
                    int32_t d, int32_t xd, double *theta, double *x)
{
    sbi_rng *rng = NULL;
    if (sbi_rng_create(&rng, seed, 0) != SBI_OK) return -1;
    uint64_t *seeds = malloc(sizeof *seeds * (size_t)n);
    int32_t *status = calloc((size_t)n, sizeof *status);
    int rc = sbi_prior_sample(prior, rng, n, theta);
    for (int64_t i = 0; i < n; i++) seeds[i] = sbi_seed_for_index(seed + 17, (uint64_t)i);
    if (rc == SBI_OK) {
        if (!strcmp(task, "two_moons"))
            rc = sbi_tasks_two_moons_simulate(NULL, n, d, theta, seeds, xd, x, status);
        else if (!strcmp(task, "slcp"))
            rc = sbi_tasks_slcp_simulate(NULL, n, d, theta, seeds, xd, x, status);
        else
            rc = sbi_tasks_gaussian_linear_simulate(NULL, n, d, theta, seeds, xd, x, status);
    }
    free(seeds);
    free(status);
    sbi_rng_free(rng);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: fit_flows task N [mdn,maf,nsf] [seed] [key=value ...]\n");
        return 2;
    }
    const char *task = argv[1];
    int64_t n = atoll(argv[2]);
    const char *ests = argc > 3 ? argv[3] : "mdn,maf,nsf";
    uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 10) : 1;
    int32_t d, xd;
    sbi_prior *prior = NULL;
    if (sbi_tasks_dims(task, &d, &xd) != SBI_OK || sbi_tasks_prior_create(task, &prior) != SBI_OK) {
        fprintf(stderr, "%s\n", sbi_tasks_last_error());
        return 1;
    }
    enum { NT = 2000 };
    double *theta = malloc(sizeof(double) * (size_t)(n * d)), *x = malloc(sizeof(double) * (size_t)(n * xd));
    double *tt = malloc(sizeof(double) * NT * (size_t)d), *tx = malloc(sizeof(double) * NT * (size_t)xd);
    if (simulate(task, prior, n, seed, d, xd, theta, x) || simulate(task, prior, NT, seed + 1000, d, xd, tt, tx)) {
        fprintf(stderr, "simulation failed\n");
        return 1;
    }
    int n_c2st = 0;
    for (int a = 5; a < argc; a++)
        if (!strncmp(argv[a], "c2st=", 5)) n_c2st = atoi(argv[a] + 5);
    printf("%-10s %4s %7s %6s %9s %9s %9s %9s %7s\n", "task", "est", "N", "epochs", "train s",
           "ms/epoch", "best val", "test NLL", "C2ST");
    char list[64];
    snprintf(list, sizeof list, "%s", ests);
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        int32_t kind;
        if (sbi_estimator_from_name(tok, &kind) != SBI_OK) {
            fprintf(stderr, "unknown estimator %s\n", tok);
            return 2;
        }
        sbi_trainer *t = NULL;
        if (sbi_trainer_create(&t, prior, kind) != SBI_OK) return 1;
        for (int a = 5; a < argc; a++) {
            char key[32];
            double v;
            if (!strncmp(argv[a], "c2st=", 5)) continue;
            if (sscanf(argv[a], "%31[^=]=%lf", key, &v) != 2) continue;
            int rc = SBI_OK;
            if (!strcmp(key, "batch")) rc = sbi_trainer_set_int(t, SBI_OPT_BATCH_SIZE, (int64_t)v);
            else if (!strcmp(key, "lr")) rc = sbi_trainer_set_double(t, SBI_OPT_LEARNING_RATE, v);
            else if (!strcmp(key, "patience")) rc = sbi_trainer_set_int(t, SBI_OPT_STOP_AFTER_EPOCHS, (int64_t)v);
            else if (!strcmp(key, "max_epochs")) rc = sbi_trainer_set_int(t, SBI_OPT_MAX_EPOCHS, (int64_t)v);
            else if (!strcmp(key, "hidden")) rc = sbi_trainer_set_int(t, SBI_OPT_HIDDEN_FEATURES, (int64_t)v);
            else if (!strcmp(key, "transforms")) rc = sbi_trainer_set_int(t, SBI_OPT_NUM_TRANSFORMS, (int64_t)v);
            else if (!strcmp(key, "bins")) rc = sbi_trainer_set_int(t, SBI_OPT_NUM_BINS, (int64_t)v);
            else if (!strcmp(key, "blocks")) rc = sbi_trainer_set_int(t, SBI_OPT_HIDDEN_LAYERS, (int64_t)v);
            if (rc != SBI_OK) {
                fprintf(stderr, "%s: %s\n", argv[a], sbi_last_error());
                return 2;
            }
        }
        sbi_trainer_append(t, n, theta, xd, x);
        double t0 = bench_wall();
        int rc = sbi_trainer_train(t, seed);
        double el = bench_wall() - t0;
        if (rc != SBI_OK) {
            printf("%-10s %4s train failed: %s\n", task, tok, sbi_last_error());
            sbi_trainer_free(t);
            continue;
        }
        int64_t epochs;
        double best;
        sbi_trainer_result(t, &epochs, &best);
        sbi_posterior *p = NULL;
        sbi_trainer_build_posterior(t, &p);
        double nll = 0.0;
        for (int i = 0; i < NT; i++) {
            double lp;
            sbi_posterior_log_prob(p, NULL, tx + (size_t)i * xd, 1, tt + (size_t)i * d, &lp);
            nll -= lp / NT;
        }
        double c2 = 0.0;
        for (int o = 1; o <= n_c2st; o++) {
            enum { NS = 10000 };
            double xo[64], *ref = NULL, *smp = malloc(sizeof(double) * NS * (size_t)d), acc;
            int64_t nref = 0;
            sbi_rng *r = NULL;
            sbi_rng_create(&r, seed, (uint64_t)o);
            if (sbi_tasks_load_observation("../shared/data/sbibm", task, o, xo) != SBI_OK ||
                sbi_tasks_load_reference_samples("../shared/data/sbibm", task, o, &nref, &ref) !=
                    SBI_OK ||
                nref < NS || sbi_posterior_sample(p, r, xo, NS, smp) != SBI_OK ||
                sbi_c2st(NS, ref, NS, smp, d, 1, &acc) != SBI_OK) {
                fprintf(stderr, "c2st on observation %d failed: %s %s\n", o, sbi_last_error(),
                        sbi_tasks_last_error());
                return 1;
            }
            c2 += acc / n_c2st;
            sbi_tasks_free(ref);
            free(smp);
            sbi_rng_free(r);
        }
        printf("%-10s %4s %7lld %6lld %9.2f %9.2f %9.4f %9.4f %7.4f\n", task, tok, (long long)n,
               (long long)epochs, el, 1e3 * el / (double)epochs, best, nll, c2);
        fflush(stdout);
        sbi_posterior_free(p);
        sbi_trainer_free(t);
    }
    free(theta);
    free(x);
    free(tt);
    free(tx);
    sbi_prior_free(prior);
    return 0;
}

/* sbi check: diagnostics of a posterior (sbi/diagnostics.h).
 *   sbi check c2st  --reference FILE --samples FILE    classifier two-sample test
 *   sbi check sbc   --posterior FILE --theta FILE --x FILE   SBC and coverage */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
    fputs("usage: sbi check c2st|sbc [options]   (sbi check c2st --help, sbi check sbc --help)\n\n"
          "  c2st   classifier two-sample test between reference samples and samples to check\n"
          "         (0.5: indistinguishable, 1: separable), as the sbibm benchmark scores it\n"
          "  sbc    simulation-based calibration and expected coverage of a posterior on\n"
          "         held-out (theta, x) pairs, with uniformity tests and SVG plots\n",
          f);
}

static int check_c2st(int argc, char **argv)
{
    const char *C = "check c2st";
    cli_opt opts[] = {
        {"reference", 'r', "FILE", "reference samples (CSV with a header, or .npy); z-scoring uses them", NULL},
        {"samples", 's', "FILE", "samples to compare, same number of columns", NULL},
        {"seed", 0, "S", "seed of the folds and the classifier (default 1)", NULL},
        {"folds", 0, "K", "cross-validation folds (default 5)", NULL},
        {NULL, 0, NULL, NULL, NULL},
    };
    cli_cmd cmd = {
        .name = C,
        .usage = "--reference FILE --samples FILE [--seed S] [--folds K]",
        .summary = "C2ST accuracy between two sample sets: an MLP classifier (2 x 10*d ReLU units,\n"
                   "Adam) is trained to tell them apart under K-fold cross-validation, after\n"
                   "z-scoring with the reference's mean and sd. Prints the mean held-out\n"
                   "accuracy: 0.5 means the sets cannot be told apart. Costs minutes for\n"
                   "10 000 vs 10 000 samples in 10 dimensions.",
        .opts = opts,
        .epilog = "example:\n"
                  "  sbi check c2st -r reference_posterior_samples.csv -s samples.csv\n",
    };
    int rc = cli_parse(&cmd, argc, argv);
    if (rc == CLI_HELP) return CLI_OK;
    if (rc != CLI_OK) return rc;
    const char *ref_path = cli_get(&cmd, "reference"), *s_path = cli_get(&cmd, "samples");
    if (!ref_path || !s_path) {
        cli_error(C, "--reference and --samples are required (see sbi check c2st --help)");
        return CLI_USAGE;
    }
    uint64_t seed = 1;
    int64_t folds = 5;
    if (cli_get(&cmd, "seed") && cli_seed(C, cli_get(&cmd, "seed"), &seed) != 0) return CLI_USAGE;
    if (cli_get(&cmd, "folds") && cli_int64(C, "folds", cli_get(&cmd, "folds"), 2, 100, &folds) != 0)
        return CLI_USAGE;
    int status = CLI_FAIL;
    sbi_table *rt = NULL, *st = NULL;
    int64_t nr = 0, ns = 0;
    int32_t dr = 0, ds = 0;
    const double *r = NULL, *s = NULL;
    double *fold_acc = malloc(sizeof(double) * (size_t)folds);
    if (!fold_acc) goto done;
    if (cli_read_table(C, "--reference", ref_path, &rt, &nr, &dr, &r) != 0) goto done;
    if (cli_read_table(C, "--samples", s_path, &st, &ns, &ds, &s) != 0) goto done;
    if (dr != ds) {
        cli_error(C, "--reference has %d columns but --samples has %d", (int)dr, (int)ds);
        goto done;
    }
    double acc = NAN, t0 = cli_now();
    rc = sbi_c2st_ex(nr, r, ns, s, dr, seed, (int32_t)folds, 10000, 1, fold_acc, &acc);
    if (rc != SBI_OK) {
        cli_lib_error(C, rc, "C2ST failed");
        goto done;
    }
    printf("C2ST accuracy %.4f (%lld reference vs %lld samples, %d dimensions, %d folds:",
           acc, (long long)nr, (long long)ns, (int)dr, (int)folds);
    for (int64_t f = 0; f < folds; f++) printf(" %.4f", fold_acc[f]);
    printf("; %.1f s)\n", cli_now() - t0);
    status = CLI_OK;
done:
    free(fold_acc);
    sbi_table_free(rt);
    sbi_table_free(st);
    return status;
}

static int on_pair(void *data, int64_t done, int64_t total)
{
    cli_progress_update(data, done, total);
    return 0;
}

static int check_sbc(int argc, char **argv)
{
    const char *C = "check sbc";
    cli_opt opts[] = {
        {"posterior", 'p', "FILE", "a posterior file written by `sbi train`", NULL},
        {"theta", 't', "FILE", "test parameters drawn from the prior (not used in training)", NULL},
        {"x", 'x', "FILE", "their simulations, one row per theta row", NULL},
        {"num-samples", 'n', "L", "posterior samples per test pair (default 1000)", NULL},
        {"seed", 's', "S", "random seed (default 1)", NULL},
        {"alpha", 0, "A", "level of the uniformity tests, Bonferroni-corrected over the\n"
                          "                                 parameters (default 0.01)", NULL},
        {"bins", 0, "B", "histogram / chi-square bins (default min(20, M/5))", NULL},
        {"ranks-svg", 0, "FILE", "write the rank histograms as SVG", NULL},
        {"coverage-svg", 0, "FILE", "write the expected-coverage curve as SVG", NULL},
        {"ranks-out", 0, "FILE", "write the ranks (one column per parameter, then hpd_rank)", NULL},
        {"names", 0, "A,B,..", "parameter names for the report and plots", NULL},
        {"quiet", 'q', NULL, "no progress", NULL},
        {NULL, 0, NULL, NULL, NULL},
    };
    cli_cmd cmd = {
        .name = C,
        .usage = "--posterior FILE --theta FILE --x FILE [-n L] [--seed S] [--ranks-svg F] "
                 "[--coverage-svg F]",
        .summary = "Simulation-based calibration: for each held-out pair (theta*, x*) draw L\n"
                   "posterior samples at x* and rank theta* among them, per parameter; a\n"
                   "calibrated posterior gives uniform ranks (KS and chi-square p-values are\n"
                   "printed). Expected coverage: how often theta* lies inside the posterior's\n"
                   "highest-density region of each credibility level. Make the pairs with\n"
                   "`sbi simulate` using a seed different from the training data's.",
        .opts = opts,
        .epilog = "example:\n"
                  "  sbi check sbc -p post.sbi -t test_theta.csv -x test_x.csv -n 1000 \\\n"
                  "      --ranks-svg sbc.svg --coverage-svg coverage.svg\n",
    };
    int rc = cli_parse(&cmd, argc, argv);
    if (rc == CLI_HELP) return CLI_OK;
    if (rc != CLI_OK) return rc;
    const char *pp = cli_get(&cmd, "posterior"), *tp = cli_get(&cmd, "theta"),
               *xp = cli_get(&cmd, "x");
    if (!pp || !tp || !xp) {
        cli_error(C, "--posterior, --theta and --x are required (see sbi check sbc --help)");
        return CLI_USAGE;
    }
    int64_t L = 1000, bins = 0;
    uint64_t seed = 1;
    double alpha = 0.01;
    if (cli_get(&cmd, "num-samples") &&
        cli_int64(C, "num-samples", cli_get(&cmd, "num-samples"), 1, 1000000, &L) != 0)
        return CLI_USAGE;
    if (cli_get(&cmd, "seed") && cli_seed(C, cli_get(&cmd, "seed"), &seed) != 0) return CLI_USAGE;
    if (cli_get(&cmd, "alpha") && cli_double(C, "alpha", cli_get(&cmd, "alpha"), 1e-12, 0.5, &alpha) != 0)
        return CLI_USAGE;
    if (cli_get(&cmd, "bins") && cli_int64(C, "bins", cli_get(&cmd, "bins"), 2, 10000, &bins) != 0)
        return CLI_USAGE;
    int quiet = cli_get(&cmd, "quiet") != NULL;

    int status = CLI_FAIL;
    sbi_posterior *post = NULL;
    sbi_table *tt = NULL, *xt = NULL;
    int32_t *ranks = NULL, *hpd = NULL;
    double *pk = NULL, *pc = NULL, *table = NULL;
    char **names = NULL, **cols = NULL;
    int32_t td = 0, xd = 0, tc = 0, xc = 0;
    int64_t M = 0, mx = 0;
    const double *theta = NULL, *x = NULL;
    if ((rc = sbi_posterior_load(&post, pp)) != SBI_OK) {
        cli_lib_error(C, rc, "cannot load --posterior");
        goto done;
    }
    sbi_posterior_dims(post, &td, &xd);
    if (cli_get(&cmd, "names") && cli_split_names(cli_get(&cmd, "names"), td, &names) != 0) {
        cli_error(C, "--names does not give %d names", (int)td);
        status = CLI_USAGE;
        goto done;
    }
    if (cli_read_table(C, "--theta", tp, &tt, &M, &tc, &theta) != 0) goto done;
    if (cli_read_table(C, "--x", xp, &xt, &mx, &xc, &x) != 0) goto done;
    if (tc != td || xc != xd || mx != M) {
        cli_error(C, "--theta is %lld x %d and --x %lld x %d, but the posterior has theta of %d and x of %d",
                  (long long)M, (int)tc, (long long)mx, (int)xc, (int)td, (int)xd);
        goto done;
    }
    if (bins > L + 1) bins = L + 1;
    ranks = malloc(sizeof(int32_t) * (size_t)(M * td));
    hpd = malloc(sizeof(int32_t) * (size_t)M);
    pk = malloc(sizeof(double) * (size_t)td);
    pc = malloc(sizeof(double) * (size_t)td);
    if (!ranks || !hpd || !pk || !pc) {
        cli_error(C, "out of memory");
        goto done;
    }
    cli_progress bar;
    cli_progress_init(&bar, "sbc", quiet);
    double t0 = cli_now();
    rc = sbi_sbc_run_pairs(post, M, theta, x, L, seed, on_pair, &bar, ranks, hpd);
    if (rc != SBI_OK) {
        cli_lib_error(C, rc, "SBC failed");
        goto done;
    }
    cli_progress_done(&bar, "%lld test pairs x %lld samples in %.1f s", (long long)M,
                      (long long)L, cli_now() - t0);
    if ((rc = sbi_sbc_ks(M, td, ranks, L, NULL, pk)) != SBI_OK ||
        (rc = sbi_sbc_chi2(M, td, ranks, L, (int32_t)bins, NULL, pc)) != SBI_OK) {
        cli_lib_error(C, rc, "uniformity tests failed");
        goto done;
    }
    double level = alpha / td;
    int flagged = 0;
    printf("SBC: %lld test pairs, %lld posterior samples each; flagged when a p-value < %.3g "
           "(alpha %.3g / %d parameters)\n",
           (long long)M, (long long)L, level, alpha, (int)td);
    printf("%-16s %12s %12s  %s\n", "parameter", "KS p", "chi2 p", "");
    for (int32_t k = 0; k < td; k++) {
        char def[24];
        snprintf(def, sizeof def, "theta%d", (int)k);
        int bad = pk[k] < level || pc[k] < level;
        flagged += bad;
        printf("%-16s %12.4g %12.4g  %s\n", names ? names[k] : def, pk[k], pc[k],
               bad ? "NOT UNIFORM" : "ok");
    }
    double levels[19], cov[19];
    for (int l = 0; l < 19; l++) levels[l] = 0.05 * (l + 1);
    if ((rc = sbi_coverage_curve(M, hpd, L, 19, levels, cov)) != SBI_OK) {
        cli_lib_error(C, rc, "coverage failed");
        goto done;
    }
    printf("expected coverage (credibility level -> fraction of theta* inside the HPD region):\n"
           "  0.50 -> %.3f   0.80 -> %.3f   0.95 -> %.3f   (99%% band for %lld pairs: +-%.3f at 0.5)\n",
           cov[9], cov[15], cov[18], (long long)M, 2.576 * sqrt(0.25 / (double)M));
    printf("verdict: %s\n", flagged ? "miscalibrated (see the flagged parameters)"
                                    : "no significant miscalibration");
    const char *rs = cli_get(&cmd, "ranks-svg"), *cs = cli_get(&cmd, "coverage-svg"),
               *ro = cli_get(&cmd, "ranks-out");
    if (rs && (rc = sbi_sbc_plot_svg(rs, M, td, ranks, L, (int32_t)bins,
                                     (const char *const *)names)) != SBI_OK) {
        cli_lib_error(C, rc, "cannot write --ranks-svg");
        goto done;
    }
    double lv[21], cv[21];
    for (int l = 0; l <= 20; l++) lv[l] = 0.05 * l;
    if (cs && ((rc = sbi_coverage_curve(M, hpd, L, 21, lv, cv)) != SBI_OK ||
               (rc = sbi_coverage_plot_svg(cs, 21, lv, cv, M)) != SBI_OK)) {
        cli_lib_error(C, rc, "cannot write --coverage-svg");
        goto done;
    }
    if (ro) {
        table = malloc(sizeof(double) * (size_t)(M * (td + 1)));
        cols = calloc((size_t)td + 2, sizeof(char *));
        if (!table || !cols) goto done;
        for (int64_t i = 0; i < M; i++) {
            for (int32_t k = 0; k < td; k++) table[i * (td + 1) + k] = ranks[i * td + k];
            table[i * (td + 1) + td] = hpd[i];
        }
        for (int32_t k = 0; k <= td; k++) {
            cols[k] = malloc(64);
            if (!cols[k]) goto done;
            if (k == td) snprintf(cols[k], 64, "hpd_rank");
            else if (names) snprintf(cols[k], 64, "%s", names[k]);
            else snprintf(cols[k], 64, "theta%d", (int)k);
        }
        size_t n = strlen(ro);
        int fmt = (n > 4 && strcmp(ro + n - 4, ".npy") == 0) ? SBI_FORMAT_NPY : SBI_FORMAT_CSV;
        if ((rc = sbi_table_write(ro, M, td + 1, table, (const char *const *)cols, fmt)) != SBI_OK) {
            cli_lib_error(C, rc, "cannot write --ranks-out");
            goto done;
        }
    }
    status = CLI_OK;
done:
    if (cols)
        for (int32_t k = 0; k <= td; k++) free(cols[k]);
    free(cols);
    free(table);
    cli_free_names(names);
    free(ranks);
    free(hpd);
    free(pk);
    free(pc);
    sbi_table_free(tt);
    sbi_table_free(xt);
    sbi_posterior_free(post);
    return status;
}

int cmd_check(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    const char *s = argv[1];
    if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(s, "c2st") == 0) return check_c2st(argc - 1, argv + 1);
    if (strcmp(s, "sbc") == 0) return check_sbc(argc - 1, argv + 1);
    cli_error("check", "unknown check '%s' (c2st, sbc)", s);
    return CLI_USAGE;
}

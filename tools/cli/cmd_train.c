/* sbi train: fit a posterior to (theta, x) pairs from files. */
#include <math.h>
#include <string.h>

#include "cli.h"
#include "plugin_prior.h"
#include "train_options.h"

static const char *C = "train";

typedef struct {
    cli_progress bar;
    double last_draw;
} train_ui;

static int on_epoch(void *ud, int64_t epoch, double train_loss, double val_loss)
{
    train_ui *ui = ud;
    if (ui->bar.quiet) return 0;
    if (ui->bar.tty) {
        double t = cli_now();
        if (t - ui->last_draw < 0.05) return 0;
        ui->last_draw = t;
        fprintf(stderr, "\rtraining: epoch %lld, training loss %.4f, validation loss %.4f  ",
                (long long)epoch, train_loss, val_loss);
        fflush(stderr);
    } else if (epoch % 25 == 0) {
        fprintf(stderr, "training: epoch %lld, training loss %.4f, validation loss %.4f\n",
                (long long)epoch, train_loss, val_loss);
    }
    return 0;
}

int cmd_train(int argc, char **argv)
{
    cli_opt opts[] = {
        {"theta", 't', "FILE", "parameters, one row per simulation (CSV with header, or .npy)", NULL},
        {"x", 'x', "FILE", "simulation outputs, same rows as --theta (CSV or .npy)", NULL},
        {"prior", 'p', "SPEC", "box:LOW1,LOW2,..:HIGH1,HIGH2,.. or gaussian:MEAN1,..:VAR1,..", NULL},
        {"plugin", 0, "PATH", "take the prior from a simulator plugin instead of --prior", NULL},
        {"out", 'o', "FILE", "the posterior file to write", NULL},
        {"seed", 's', "S", "seed of the validation split, initialisation and batches (default 1)", NULL},
        CLI_TRAIN_OPTIONS,
        {"quiet", 'q', NULL, "print nothing but errors", NULL},
        {NULL, 0, NULL, NULL, NULL},
    };
    cli_cmd cmd = {
        .name = C,
        .usage = "--theta FILE --x FILE (--prior SPEC | --plugin PATH) --out FILE [options]",
        .summary = "Train a neural posterior estimator q(theta | x) on simulated pairs and write it\n"
                   "to a posterior file (for `sbi sample` and `sbi info`). Rows whose x holds NaN\n"
                   "or Inf are excluded and counted.",
        .opts = opts,
        .epilog = "examples:\n"
                  "  sbi train --theta theta.csv --x x.csv --prior box:0.5,1e-4:80,15 --out post.sbi\n"
                  "  sbi train -t theta.npy -x x.npy --plugin build/lib/libsbi_hh.so -o post.sbi -e maf\n",
    };
    int rc = cli_parse(&cmd, argc, argv);
    if (rc == CLI_HELP) return CLI_OK;
    if (rc != CLI_OK) return rc;
    const char *theta_path = cli_get(&cmd, "theta"), *x_path = cli_get(&cmd, "x"),
               *spec = cli_get(&cmd, "prior"), *plugin = cli_get(&cmd, "plugin"),
               *out = cli_get(&cmd, "out");
    if (!theta_path || !x_path || !out) {
        cli_error(C, "--theta, --x and --out are required (see sbi train --help)");
        return CLI_USAGE;
    }
    if (!spec == !plugin) {
        cli_error(C, "give exactly one of --prior SPEC and --plugin PATH");
        return CLI_USAGE;
    }
    uint64_t seed = 1;
    if (cli_get(&cmd, "seed") && cli_seed(C, cli_get(&cmd, "seed"), &seed) != 0) return CLI_USAGE;
    int32_t kind = SBI_ESTIMATOR_MDN;
    const char *est = cli_get(&cmd, "estimator");
    if (est && sbi_estimator_from_name(est, &kind) != SBI_OK) {
        cli_error(C, "--estimator '%s' is not mdn, maf or nsf", est);
        return CLI_USAGE;
    }
    int quiet = cli_get(&cmd, "quiet") != NULL;

    int status = CLI_FAIL;
    sbi_prior *prior = NULL;
    sbi_table *tt = NULL, *tx = NULL;
    sbi_trainer *trainer = NULL;
    sbi_posterior *post = NULL;
    int64_t n_theta, n_x;
    int32_t d_theta, d_x, prior_dim;
    const double *theta, *x;
    if (spec) {
        rc = sbi_prior_parse_spec(spec, &prior);
        if (rc != SBI_OK) {
            cli_error(C, "--prior: %s", sbi_last_error());
            status = CLI_USAGE;
            goto done;
        }
    } else if (cli_plugin_prior(C, plugin, &prior) != 0) {
        goto done;
    }
    sbi_prior_dim(prior, &prior_dim);
    if (cli_read_table(C, "--theta", theta_path, &tt, &n_theta, &d_theta, &theta) != 0) goto done;
    if (cli_read_table(C, "--x", x_path, &tx, &n_x, &d_x, &x) != 0) goto done;
    if (n_theta != n_x) {
        cli_error(C, "--theta has %lld rows but --x has %lld", (long long)n_theta, (long long)n_x);
        goto done;
    }
    if (d_theta != prior_dim) {
        cli_error(C, "--theta has %d columns but the prior has %d dimensions", (int)d_theta,
                  (int)prior_dim);
        goto done;
    }
    if (n_theta < 3) {
        cli_error(C, "%lld rows are too few to train on", (long long)n_theta);
        goto done;
    }
    rc = sbi_trainer_create(&trainer, prior, kind);
    if (rc != SBI_OK) {
        cli_lib_error(C, rc, "cannot create the trainer");
        goto done;
    }
    if (cli_apply_train_options(C, &cmd, trainer) != 0) {
        status = CLI_USAGE;
        goto done;
    }
    rc = sbi_trainer_append(trainer, n_theta, theta, d_x, x);
    if (rc != SBI_OK) {
        cli_lib_error(C, rc, "cannot use the data");
        goto done;
    }
    int64_t n_valid = 0, n_excluded = 0, n_train = 0, n_val = 0, epochs = 0;
    sbi_trainer_counts(trainer, &n_valid, &n_excluded, NULL, NULL);
    if (!quiet)
        fprintf(stderr, "data: %lld rows, %lld valid, %lld excluded (NaN or Inf); theta %d, x %d columns\n",
                (long long)n_theta, (long long)n_valid, (long long)n_excluded, (int)d_theta, (int)d_x);
    train_ui ui = {.last_draw = 0};
    cli_progress_init(&ui.bar, "training", quiet);
    sbi_trainer_set_progress(trainer, on_epoch, &ui);
    rc = sbi_trainer_train(trainer, seed);
    if (ui.bar.tty && !quiet) fprintf(stderr, "\r\033[K");
    if (rc != SBI_OK) {
        cli_lib_error(C, rc, "training failed");
        goto done;
    }
    double best = NAN;
    sbi_trainer_counts(trainer, NULL, NULL, &n_train, &n_val);
    sbi_trainer_result(trainer, &epochs, &best);
    int32_t n_const = 0;
    if (sbi_trainer_constant_x(trainer, &n_const, NULL) == SBI_OK && n_const > 0 && !quiet)
        fprintf(stderr, "warning: %d x column(s) are constant in the training data and carry no information\n",
                (int)n_const);
    cli_progress_done(&ui.bar, "%s, %lld epochs, %lld training + %lld validation rows, best validation loss %.4f",
                      sbi_estimator_name(kind), (long long)epochs, (long long)n_train,
                      (long long)n_val, best);
    rc = sbi_trainer_build_posterior(trainer, &post);
    if (rc == SBI_OK) rc = sbi_posterior_save(post, out);
    if (rc != SBI_OK) {
        cli_lib_error(C, rc, "cannot write the posterior");
        goto done;
    }
    if (!quiet) fprintf(stderr, "wrote %s\n", out);
    status = CLI_OK;
done:
    sbi_posterior_free(post);
    sbi_trainer_free(trainer);
    sbi_table_free(tt);
    sbi_table_free(tx);
    sbi_prior_free(prior);
    return status;
}

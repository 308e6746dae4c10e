/* Writes the posterior seeds of the fuzz corpus: tiny posteriors of each
 * estimator kind (MDN, MAF, NSF) with a box and a Gaussian prior, trained
 * for one epoch so the files stay small. Run by hand when the format
 * changes: make_seeds FOLDER. With --check FOLDER it instead verifies that
 * every file of FOLDER named valid-* loads (a CTest test), so the corpus
 * keeps covering the decoders' success paths. --checkpoints FOLDER writes
 * runner checkpoints matching fuzz_checkpoint.c's runs. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <string.h>
#include <unistd.h>

#include "checkpoint_sim.h"
#include "fuzz.h"

static int train_one(const char *dir, int32_t kind, int gaussian)
{
    enum { D = 2, XD = 3, N = 40 };
    const double low[D] = {-2, -1}, high[D] = {2, 3}, mean[D] = {0, 1}, var[D] = {1, 0.5};
    sbi_prior *prior = NULL;
    int rc = gaussian ? sbi_prior_create_gaussian_diag(&prior, D, mean, var)
                      : sbi_prior_create_box_uniform(&prior, D, low, high);
    sbi_rng *rng = NULL;
    sbi_trainer *tr = NULL;
    sbi_posterior *post = NULL;
    double theta[N * D], x[N * XD];
    if (rc == SBI_OK) rc = sbi_rng_create(&rng, 11, 0);
    if (rc == SBI_OK) rc = sbi_prior_sample(prior, rng, N, theta);
    for (int i = 0; rc == SBI_OK && i < N; i++) {
        double z[XD];
        rc = sbi_rng_normal(rng, XD, z);
        x[i * XD + 0] = theta[i * D] + 0.1 * z[0];
        x[i * XD + 1] = theta[i * D + 1] + 0.1 * z[1];
        x[i * XD + 2] = theta[i * D] * theta[i * D + 1] + 0.1 * z[2];
    }
    if (rc == SBI_OK) rc = sbi_trainer_create(&tr, prior, kind);
    if (rc == SBI_OK) rc = sbi_trainer_set_int(tr, SBI_OPT_HIDDEN_FEATURES, 4);
    if (rc == SBI_OK) rc = sbi_trainer_set_int(tr, SBI_OPT_MAX_EPOCHS, 1);
    if (rc == SBI_OK && kind == SBI_ESTIMATOR_MDN) rc = sbi_trainer_set_int(tr, SBI_OPT_NUM_COMPONENTS, 2);
    if (rc == SBI_OK && kind != SBI_ESTIMATOR_MDN) rc = sbi_trainer_set_int(tr, SBI_OPT_NUM_TRANSFORMS, 2);
    if (rc == SBI_OK && kind != SBI_ESTIMATOR_MDN) rc = sbi_trainer_set_int(tr, SBI_OPT_HIDDEN_LAYERS, 1);
    if (rc == SBI_OK && kind == SBI_ESTIMATOR_NSF) rc = sbi_trainer_set_int(tr, SBI_OPT_NUM_BINS, 3);
    if (rc == SBI_OK) rc = sbi_trainer_append(tr, N, theta, XD, x);
    if (rc == SBI_OK) rc = sbi_trainer_train(tr, 5);
    if (rc == SBI_OK) rc = sbi_trainer_build_posterior(tr, &post);
    char path[512];
    snprintf(path, sizeof path, "%s/valid-%s-%s.sbi", dir, sbi_estimator_name(kind),
             gaussian ? "gaussian" : "box");
    if (rc == SBI_OK) rc = sbi_posterior_save(post, path);
    if (rc != SBI_OK) fprintf(stderr, "make_seeds: %s: %s\n", path, sbi_last_error());
    else printf("wrote %s\n", path);
    sbi_posterior_free(post);
    sbi_trainer_free(tr);
    sbi_rng_free(rng);
    sbi_prior_free(prior);
    return rc;
}

static int check(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return 1;
    int bad = 0, n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "valid-", 6) != 0) continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        sbi_posterior *p = NULL;
        if (sbi_posterior_load(&p, path) != SBI_OK) {
            fprintf(stderr, "%s does not load: %s\n", path, sbi_last_error());
            bad = 1;
        }
        sbi_posterior_free(p);
        n++;
    }
    closedir(d);
    printf("%d valid seeds checked\n", n);
    return bad || n == 0;
}

/* A complete checkpoint of the run fuzz_checkpoint.c makes for (td, xd,
 * given, seed, n), cut to `keep` bytes when keep >= 0 (a torn tail). */
static int checkpoint_one(const char *dir, const char *name, int32_t td, int32_t xd, int given,
                          uint64_t seed, int64_t first, int64_t n, long keep)
{
    const double mean[4] = {0, 0, 0, 0}, var[4] = {1, 1, 1, 1};
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    remove(path);
    sbi_prior *prior = NULL;
    sbi_simulator *sim = NULL;
    sbi_runner *r = NULL;
    sbi_dataset *ds = NULL;
    double theta[512 * 4];
    for (int64_t i = 0; i < n * td; i++) theta[i] = sin((double)i);
    int rc = sbi_prior_create_gaussian_diag(&prior, td, mean, var);
    if (rc == SBI_OK) rc = sbi_simulator_create(&sim, td, xd, checkpoint_sim, NULL);
    if (rc == SBI_OK) rc = sbi_runner_create(&r, sim);
    if (rc == SBI_OK) rc = sbi_runner_set_chunk_size(r, 8);
    if (rc == SBI_OK) rc = sbi_runner_set_first_index(r, first);
    if (rc == SBI_OK) rc = sbi_runner_set_checkpoint(r, path);
    if (rc == SBI_OK)
        rc = given ? sbi_runner_run(r, n, theta, seed, &ds)
                   : sbi_runner_run_prior(r, prior, n, seed, &ds);
    sbi_dataset_free(ds);
    sbi_runner_free(r);
    sbi_simulator_free(sim);
    sbi_prior_free(prior);
    if (rc == SBI_OK && keep >= 0 && truncate(path, keep) != 0) rc = SBI_EIO;
    if (rc != SBI_OK) fprintf(stderr, "make_seeds: %s: %s\n", path, sbi_last_error());
    else printf("wrote %s\n", path);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--check") == 0) return check(argv[2]);
    if (argc == 3 && strcmp(argv[1], "--checkpoints") == 0) {
        int rc = checkpoint_one(argv[2], "prior-2x3.ckpt", 2, 3, 0, 1, 0, 40, -1);
        rc |= checkpoint_one(argv[2], "given-1x2.ckpt", 1, 2, 1, 5, 0, 20, -1);
        rc |= checkpoint_one(argv[2], "slice-3x1.ckpt", 3, 1, 0, 9, 100, 24, -1);
        rc |= checkpoint_one(argv[2], "torn-2x3.ckpt", 2, 3, 0, 1, 0, 40, 52 + 2 * (20 + 8 * 44 + 4) + 30);
        rc |= checkpoint_one(argv[2], "header-only.ckpt", 2, 3, 0, 1, 0, 64, 52);
        return rc != 0;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds FOLDER | make_seeds --check FOLDER\n");
        return 2;
    }
    const int32_t kinds[3] = {SBI_ESTIMATOR_MDN, SBI_ESTIMATOR_MAF, SBI_ESTIMATOR_NSF};
    int rc = 0;
    for (int k = 0; k < 3; k++)
        for (int g = 0; g < 2; g++) rc |= train_one(argv[1], kinds[k], g) != SBI_OK;
    return rc;
}

/* Estimator construction: config defaults and validation, create / clone /
 * free dispatching on the kind. Estimator kinds are registered in one place,
 * ops_for_kind() below. */
#include <math.h>
#include <string.h>

#include "core/internal.h"
#include "estimators/estimator.h"
#include "sbi/inference.h"

/* The registry of estimator kinds: the single place where an implementation
 * joins. Flows add `case SBI_ESTIMATOR_MAF: return &sbi__maf_ops;` (and NSF)
 * here, with the extern declaration in estimator.h. */
static const sbi__estimator_ops *ops_for_kind(int32_t kind)
{
    switch (kind) {
    case SBI_ESTIMATOR_MDN:
        return &sbi__mdn_ops;
    case SBI_ESTIMATOR_MAF:
        return &sbi__maf_ops;
    case SBI_ESTIMATOR_NSF:
        return &sbi__nsf_ops;
    default:
        return NULL;
    }
}

static const char *kind_name(int32_t kind)
{
    switch (kind) {
    case SBI_ESTIMATOR_MDN: return "mdn";
    case SBI_ESTIMATOR_MAF: return "maf";
    case SBI_ESTIMATOR_NSF: return "nsf";
    default: return "unknown";
    }
}

void sbi__estimator_config_default(sbi__estimator_config *cfg, int32_t kind, int32_t theta_dim,
                                   int32_t x_dim)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->kind = kind;
    cfg->theta_dim = theta_dim;
    cfg->x_dim = x_dim;
    cfg->hidden_features = 50;
    cfg->hidden_layers = 2;
    cfg->num_components = 10;
    cfg->num_transforms = 5;
    cfg->num_bins = 10;
    cfg->structure_seed = 0;
}

/* Bounds keep a config read from a file from asking for absurd memory; each
 * implementation also bounds its parameter count (SBI__ESTIMATOR_MAX_PARAMS). */
static int validate(const sbi__estimator_config *c)
{
    const char *w = "estimator config";
    SBI_CHECK_ARG(c->theta_dim >= 1 && c->theta_dim <= 100000,
                  "%s: theta_dim=%d must be in [1, 100000]", w, (int)c->theta_dim);
    SBI_CHECK_ARG(c->x_dim >= 1 && c->x_dim <= 10000000, "%s: x_dim=%d must be in [1, 1e7]", w,
                  (int)c->x_dim);
    SBI_CHECK_ARG(c->hidden_features >= 1 && c->hidden_features <= 100000,
                  "%s: hidden_features=%d must be in [1, 100000]", w, (int)c->hidden_features);
    SBI_CHECK_ARG(c->hidden_layers >= 1 && c->hidden_layers <= 1000,
                  "%s: hidden_layers=%d must be in [1, 1000]", w, (int)c->hidden_layers);
    SBI_CHECK_ARG(c->num_components >= 1 && c->num_components <= 100000,
                  "%s: num_components=%d must be in [1, 100000]", w, (int)c->num_components);
    SBI_CHECK_ARG(c->num_transforms >= 1 && c->num_transforms <= 1000,
                  "%s: num_transforms=%d must be in [1, 1000]", w, (int)c->num_transforms);
    SBI_CHECK_ARG(c->num_bins >= 2 && c->num_bins <= 100000,
                  "%s: num_bins=%d must be in [2, 100000]", w, (int)c->num_bins);
    return SBI_OK;
}

int sbi__estimator_create(const sbi__estimator_config *cfg, sbi_rng *rng, sbi__estimator **out)
{
    SBI_CHECK_PTR(out, "estimator create");
    *out = NULL;
    SBI_CHECK_PTR(cfg, "estimator create");
    const sbi__estimator_ops *ops = ops_for_kind(cfg->kind);
    if (!ops) {
        if (cfg->kind == SBI_ESTIMATOR_MAF || cfg->kind == SBI_ESTIMATOR_NSF)
            return sbi__fail(SBI_EINVAL, "estimator: %s is not available in this version",
                             kind_name(cfg->kind));
        return sbi__fail(SBI_EINVAL, "estimator: unknown kind %d", (int)cfg->kind);
    }
    SBI_TRY(validate(cfg));
    sbi__estimator *e = sbi__calloc(1, sizeof *e);
    if (!e) return sbi__oom("estimator");
    e->ops = ops;
    e->config = *cfg;
    int rc = ops->setup(e);
    if (rc != SBI_OK) {
        sbi__free(e);
        return rc;
    }
    if (e->n_params < 1 || e->n_params > SBI__ESTIMATOR_MAX_PARAMS) {
        ops->destroy(e);
        sbi__free(e);
        return sbi__fail(SBI_EINVAL, "estimator: %lld parameters (limit %lld)",
                         (long long)e->n_params, (long long)SBI__ESTIMATOR_MAX_PARAMS);
    }
    e->params = sbi__calloc((size_t)e->n_params, sizeof(double));
    if (!e->params) {
        ops->destroy(e);
        sbi__free(e);
        return sbi__oom("estimator parameters");
    }
    if (rng) {
        rc = ops->init(e, rng);
        if (rc != SBI_OK) {
            sbi__estimator_free(e);
            return rc;
        }
    }
    *out = e;
    return SBI_OK;
}

int sbi__estimator_clone(const sbi__estimator *e, sbi__estimator **out)
{
    SBI_CHECK_PTR(out, "estimator clone");
    *out = NULL;
    SBI_CHECK_PTR(e, "estimator clone");
    sbi__estimator *c = NULL;
    SBI_TRY(sbi__estimator_create(&e->config, NULL, &c));
    memcpy(c->params, e->params, sizeof(double) * (size_t)e->n_params);
    *out = c;
    return SBI_OK;
}

void sbi__estimator_free(sbi__estimator *e)
{
    if (!e) return;
    if (e->ops && e->ops->destroy) e->ops->destroy(e);
    sbi__free(e->params);
    sbi__free(e);
}

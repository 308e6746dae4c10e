/* Validation of a plugin descriptor: every field, in one function, before
 * the loader uses any of them (a fuzz target calls it on arbitrary bytes). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "plugin/plugin_internal.h"

/* Length of s if it is a NUL-terminated string shorter than max, else -1. */
static long bounded_len(const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    return n < max ? (long)n : -1;
}

/* An identifier: 1..63 characters of [A-Za-z0-9_.-]. */
static int check_ident(const char *what, const char *s)
{
    if (!s) return sbi__fail(SBI_EPLUGIN, "plugin descriptor: %s is NULL", what);
    long n = bounded_len(s, SBI_PLUGIN_MAX_NAME);
    if (n < 1)
        return sbi__fail(SBI_EPLUGIN, "plugin descriptor: %s is empty or longer than %d characters",
                         what, SBI_PLUGIN_MAX_NAME - 1);
    for (long i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '.' || c == '-';
        if (!ok)
            return sbi__fail(SBI_EPLUGIN,
                             "plugin descriptor: %s has character 0x%02x at %ld (allowed: "
                             "letters, digits, '_', '.', '-')",
                             what, c, i);
    }
    return SBI_OK;
}

/* Free text (description, version) or a label (names, units): shorter than
 * SBI_PLUGIN_MAX_TEXT bytes, no control characters; labels also no ',' or
 * '"' (they become CSV headers). */
static int check_text(const char *what, long index, const char *s, int label, int allow_empty)
{
    char where[96];
    if (index >= 0) snprintf(where, sizeof where, "%s[%ld]", what, index);
    else snprintf(where, sizeof where, "%s", what);
    if (!s) return sbi__fail(SBI_EPLUGIN, "plugin descriptor: %s is NULL", where);
    long n = bounded_len(s, SBI_PLUGIN_MAX_TEXT);
    if (n < 0)
        return sbi__fail(SBI_EPLUGIN, "plugin descriptor: %s is not a string shorter than %d bytes",
                         where, SBI_PLUGIN_MAX_TEXT);
    if (n == 0 && !allow_empty) return sbi__fail(SBI_EPLUGIN, "plugin descriptor: %s is empty", where);
    for (long i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || (label && (c == ',' || c == '"')))
            return sbi__fail(SBI_EPLUGIN, "plugin descriptor: %s has character 0x%02x at %ld", where,
                             c, i);
    }
    return SBI_OK;
}

static int check_distinct(const char *what, const char *const *names, int32_t n)
{
    for (int32_t i = 0; i < n; i++)
        for (int32_t j = 0; j < i; j++)
            if (strcmp(names[i], names[j]) == 0)
                return sbi__fail(SBI_EPLUGIN, "plugin descriptor: %s[%d] and %s[%d] are both '%s'",
                                 what, (int)j, what, (int)i, names[i]);
    return SBI_OK;
}

int sbi_plugin_validate(const sbi_plugin_descriptor *d)
{
    SBI_CHECK_PTR(d, "sbi_plugin_validate");
    /* Size and version are the first 8 bytes in every version: read them
     * before anything whose place depends on them. */
    if (d->abi_version != SBI_PLUGIN_ABI_VERSION)
        return sbi__fail(SBI_EVERSION,
                         "plugin descriptor: built for plugin ABI version %u, this libsbi "
                         "supports version %d",
                         (unsigned)d->abi_version, SBI_PLUGIN_ABI_VERSION);
    if (d->size < sizeof *d)
        return sbi__fail(SBI_EVERSION,
                         "plugin descriptor: size %u is smaller than the %zu bytes of version %d",
                         (unsigned)d->size, sizeof *d, SBI_PLUGIN_ABI_VERSION);
    if (d->size > SBI_PLUGIN_MAX_SIZE)
        return sbi__fail(SBI_EPLUGIN, "plugin descriptor: size %u is above %d bytes",
                         (unsigned)d->size, SBI_PLUGIN_MAX_SIZE);
    const unsigned char *bytes = (const unsigned char *)d;
    for (size_t i = sizeof *d; i < d->size; i++)
        if (bytes[i] != 0)
            return sbi__fail(SBI_EVERSION,
                             "plugin descriptor: byte %zu (past the fields this libsbi knows) is "
                             "set: the plugin uses a newer feature",
                             i);

    SBI_TRY(check_ident("name", d->name));
    if (d->description) SBI_TRY(check_text("description", -1, d->description, 0, 1));
    if (d->version) SBI_TRY(check_text("version", -1, d->version, 0, 1));

    if (d->theta_dim < 1 || d->theta_dim > SBI_PLUGIN_MAX_THETA_DIM)
        return sbi__fail(SBI_EPLUGIN, "plugin descriptor: theta_dim=%d is outside 1..%d",
                         (int)d->theta_dim, SBI_PLUGIN_MAX_THETA_DIM);
    if (d->x_dim < 1 || d->x_dim > SBI_PLUGIN_MAX_X_DIM)
        return sbi__fail(SBI_EPLUGIN, "plugin descriptor: x_dim=%d is outside 1..%d",
                         (int)d->x_dim, SBI_PLUGIN_MAX_X_DIM);

    if (!d->theta_names) return sbi__fail(SBI_EPLUGIN, "plugin descriptor: theta_names is NULL");
    for (int32_t i = 0; i < d->theta_dim; i++) SBI_TRY(check_text("theta_names", i, d->theta_names[i], 1, 0));
    SBI_TRY(check_distinct("theta_names", d->theta_names, d->theta_dim));
    if (d->theta_units)
        for (int32_t i = 0; i < d->theta_dim; i++)
            SBI_TRY(check_text("theta_units", i, d->theta_units[i], 1, 1));
    if (d->x_names)
        for (int32_t j = 0; j < d->x_dim; j++) SBI_TRY(check_text("x_names", j, d->x_names[j], 1, 0));

    if (!d->prior_low || !d->prior_high)
        return sbi__fail(SBI_EPLUGIN, "plugin descriptor: prior_%s is NULL",
                         d->prior_low ? "high" : "low");
    for (int32_t i = 0; i < d->theta_dim; i++) {
        const double lo = d->prior_low[i], hi = d->prior_high[i];
        if (!isfinite(lo) || !isfinite(hi) || !(lo < hi))
            return sbi__fail(SBI_EPLUGIN,
                             "plugin descriptor: prior box [%g, %g] of parameter %d is not finite "
                             "with low < high",
                             lo, hi, (int)i);
        /* As sbi_prior_create_box_uniform requires, so the prior can be made. */
        if (!isfinite(hi - lo))
            return sbi__fail(SBI_EPLUGIN,
                             "plugin descriptor: the width of the prior box [%g, %g] of parameter "
                             "%d overflows",
                             lo, hi, (int)i);
        if (d->theta_true) {
            const double t = d->theta_true[i];
            if (!(t >= lo && t <= hi))
                return sbi__fail(SBI_EPLUGIN,
                                 "plugin descriptor: theta_true[%d]=%g is outside the prior box "
                                 "[%g, %g]",
                                 (int)i, t, lo, hi);
        }
    }

    if (d->num_options < 0 || d->num_options > SBI_PLUGIN_MAX_OPTIONS)
        return sbi__fail(SBI_EPLUGIN, "plugin descriptor: num_options=%d is outside 0..%d",
                         (int)d->num_options, SBI_PLUGIN_MAX_OPTIONS);
    if (d->num_options > 0) {
        if (!d->option_names || !d->option_defaults)
            return sbi__fail(SBI_EPLUGIN, "plugin descriptor: option_%s is NULL",
                             d->option_names ? "defaults" : "names");
        for (int32_t i = 0; i < d->num_options; i++) {
            char what[32];
            snprintf(what, sizeof what, "option_names[%d]", (int)i);
            SBI_TRY(check_ident(what, d->option_names[i]));
            if (!isfinite(d->option_defaults[i]))
                return sbi__fail(SBI_EPLUGIN, "plugin descriptor: option_defaults[%d] is not finite",
                                 (int)i);
        }
        SBI_TRY(check_distinct("option_names", d->option_names, d->num_options));
    }

    if (!d->simulate) return sbi__fail(SBI_EPLUGIN, "plugin descriptor: simulate is NULL");
    if (d->destroy && !d->create)
        return sbi__fail(SBI_EPLUGIN, "plugin descriptor: destroy is set but create is NULL");
    return SBI_OK;
}

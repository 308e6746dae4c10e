/* libsbi simulator plugins: a shared object that describes a simulator so
 * that programs (the `sbi` command-line tool, bindings) can load it by path.
 *
 * THE PLUGIN CONTRACT (ABI version 1)
 * A plugin exports one function with C linkage and default visibility:
 *
 *     SBI_PLUGIN_EXPORT const sbi_plugin_descriptor *sbi_plugin_describe(void);
 *
 * It returns a pointer to a descriptor that stays valid and unchanged while
 * the module is loaded (normally a static const object). The descriptor leads
 * with its own size and ABI version, so it can grow: a later ABI adds fields
 * only at the end, and the loader
 *  - refuses abi_version != SBI_PLUGIN_ABI_VERSION (SBI_EVERSION),
 *  - refuses size < the size of the version-1 fields (SBI_EVERSION),
 *  - accepts a larger size only if every byte past the fields it knows is
 *    zero (a newer plugin that uses none of the newer features loads;
 *    one that does is refused with SBI_EVERSION),
 * then checks every field (sbi_plugin_validate) before using any of them.
 * The loader copies names, bounds and options at load time; it keeps the
 * function pointers and the module loaded for as long as the plugin handle
 * or any simulator made from it lives.
 *
 * The simulate function follows sbi_simulate_fn (sbi/simulator.h): batched,
 * row-major, seeds[i] per row, status[i] != 0 to reject a row, non-zero
 * return to stop the run. It receives the instance made by `create` as
 * user_data and must be thread-safe (the runner may call it from several
 * workers with the same instance). A plugin may link libsbi itself (the HH
 * plugin uses sbi_rng for its noise); it must not call into the program that
 * loads it.
 *
 * See docs/hh-model.md for a worked example (lib/hh/hh_plugin.c).
 *
 * Thread-safety: sbi_plugin_load and sbi_plugin_validate are thread-safe. A
 * plugin handle may be read (accessors, create_*) from several threads at
 * once; sbi_plugin_set_option must not run concurrently with other calls on
 * the same handle. Simulators made from a plugin are as thread-safe as its
 * simulate function. */
#ifndef SBI_PLUGIN_H
#define SBI_PLUGIN_H

#include "sbi/core.h"
#include "sbi/prior.h"
#include "sbi/simulator.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The plugin ABI version this libsbi understands (also sbi_plugin_abi_version()). */
enum { SBI_PLUGIN_ABI_VERSION = 1 };

/* Limits the loader enforces (also documented for plugin authors). */
enum {
    SBI_PLUGIN_MAX_NAME = 64,         /* name: 1..63 characters of [A-Za-z0-9_.-] */
    SBI_PLUGIN_MAX_TEXT = 1024,       /* description, version, names, units: < 1024 bytes */
    SBI_PLUGIN_MAX_THETA_DIM = 1024,  /* 1..1024 parameters */
    SBI_PLUGIN_MAX_X_DIM = 16777216,  /* 1..2^24 outputs */
    SBI_PLUGIN_MAX_OPTIONS = 64,      /* 0..64 numeric options */
    SBI_PLUGIN_MAX_SIZE = 4096        /* largest descriptor size accepted */
};

/* Create one simulator instance from the option values (double[num_options],
 * NULL if there are none). Return 0 and set *instance (which may be NULL), or
 * non-zero if the options are not acceptable. */
typedef int (*sbi_plugin_create_fn)(void **instance, const double *options);
/* Release an instance. */
typedef void (*sbi_plugin_destroy_fn)(void *instance);

/* The descriptor, version 1. Every pointer must stay valid while the module
 * is loaded. Strings are NUL-terminated UTF-8. */
typedef struct sbi_plugin_descriptor {
    uint32_t size;        /* sizeof(sbi_plugin_descriptor) as the plugin was built */
    uint32_t abi_version; /* SBI_PLUGIN_ABI_VERSION the plugin was built for */
    const char *name;        /* short identifier, [A-Za-z0-9_.-], 1..63 characters */
    const char *description; /* one line for humans, or NULL */
    const char *version;     /* the plugin's own version text, or NULL */
    int32_t theta_dim;       /* number of parameters, 1..1024 */
    int32_t x_dim;           /* number of outputs per simulation, 1..2^24 */
    const char *const *theta_names; /* theta_dim distinct non-empty names */
    const char *const *theta_units; /* theta_dim units ("" for none), or NULL */
    const char *const *x_names;     /* x_dim non-empty names, or NULL */
    const double *prior_low;        /* theta_dim finite lower bounds of the default */
    const double *prior_high;       /* box prior; low[i] < high[i] */
    const double *theta_true;       /* theta_dim parameters inside the box for a
                                       default observation, or NULL */
    int32_t num_options;              /* numeric options, 0..64 */
    const char *const *option_names;  /* num_options distinct names like the plugin
                                         name, or NULL when num_options is 0 */
    const double *option_defaults;    /* num_options finite values, or NULL when 0 */
    sbi_plugin_create_fn create;      /* may be NULL: instance is then NULL */
    sbi_plugin_destroy_fn destroy;    /* may be NULL; non-NULL only with create */
    sbi_simulate_fn simulate;         /* required; user_data is the instance */
} sbi_plugin_descriptor;

/* The symbol a plugin exports, and its type. */
#define SBI_PLUGIN_SYMBOL "sbi_plugin_describe"
typedef const sbi_plugin_descriptor *(*sbi_plugin_describe_fn)(void);

/* Decoration for the plugin's exported function. */
#ifndef SBI_PLUGIN_EXPORT
#  if defined(_WIN32)
#    define SBI_PLUGIN_EXPORT __declspec(dllexport)
#  elif defined(__GNUC__)
#    define SBI_PLUGIN_EXPORT __attribute__((visibility("default")))
#  else
#    define SBI_PLUGIN_EXPORT
#  endif
#endif

typedef struct sbi_plugin sbi_plugin;

/* SBI_PLUGIN_ABI_VERSION of the loaded library. */
SBI_API int32_t sbi_plugin_abi_version(void);

/* Check a descriptor the way the loader does: size and version first
 * (SBI_EVERSION), then every field (SBI_EPLUGIN, with a message naming the
 * field). Reads at most `size` bytes of the descriptor and the memory its
 * pointers reference. Errors: SBI_EINVAL (d NULL), SBI_EVERSION, SBI_EPLUGIN. */
SBI_API int sbi_plugin_validate(const sbi_plugin_descriptor *d);

/* Load a plugin module by path (dlopen; a path without '/' is searched by
 * the dynamic loader), look up sbi_plugin_describe and validate what it
 * returns. Errors: SBI_EINVAL (NULL), SBI_EPLUGIN (cannot open the file, no
 * sbi_plugin_describe symbol, NULL descriptor, an invalid field),
 * SBI_EVERSION (built for another plugin ABI), SBI_ENOMEM. On error *out is
 * NULL and the module is unloaded. */
SBI_API int sbi_plugin_load(sbi_plugin **out, const char *path);

/* A plugin handle for a descriptor already in the process (a simulator
 * linked into the program), validated as by sbi_plugin_load. The descriptor
 * and what it points to must outlive the handle and its simulators. */
SBI_API int sbi_plugin_open_descriptor(sbi_plugin **out, const sbi_plugin_descriptor *d);

/* Release the handle; the module is unloaded when the last simulator made
 * from it is freed too. Accepts NULL. */
SBI_API void sbi_plugin_free(sbi_plugin *plugin);

/* Borrowed strings, valid while the handle lives: name (never NULL),
 * description and version ("" when the plugin gives none), and the path the
 * plugin was loaded from ("" for sbi_plugin_open_descriptor). Any out-pointer
 * may be NULL. */
SBI_API int sbi_plugin_info(const sbi_plugin *plugin, const char **name,
                            const char **description, const char **version, const char **path);

/* theta_dim and x_dim (either may be NULL). */
SBI_API int sbi_plugin_dims(const sbi_plugin *plugin, int32_t *theta_dim, int32_t *x_dim);

/* Name and unit of parameter i (unit "" when none), name of output j (NULL
 * when the plugin gives no output names). Borrowed, valid while the handle
 * lives. Errors: SBI_EINVAL (index out of range, NULL). */
SBI_API int sbi_plugin_theta_name(const sbi_plugin *plugin, int32_t i, const char **name,
                                  const char **unit);
SBI_API int sbi_plugin_x_name(const sbi_plugin *plugin, int32_t j, const char **name);

/* The default prior box (double[theta_dim] each; either may be NULL). */
SBI_API int sbi_plugin_prior_box(const sbi_plugin *plugin, double *low, double *high);
/* A new box-uniform prior on that box. */
SBI_API int sbi_plugin_create_prior(const sbi_plugin *plugin, sbi_prior **out);
/* The parameters of the default observation (double[theta_dim]).
 * Errors: SBI_ESTATE if the plugin gives none. */
SBI_API int sbi_plugin_theta_true(const sbi_plugin *plugin, double *theta);

/* Options: count, name of option i (borrowed), and the current value of an
 * option by name. Errors: SBI_EINVAL (unknown name, index out of range). */
SBI_API int sbi_plugin_option_count(const sbi_plugin *plugin, int32_t *count);
SBI_API int sbi_plugin_option_name(const sbi_plugin *plugin, int32_t i, const char **name);
SBI_API int sbi_plugin_get_option(const sbi_plugin *plugin, const char *name, double *value);
/* Set an option for simulators created afterwards. The plugin checks the
 * whole set of values (by creating a trial instance); a refused value leaves
 * the option unchanged. Errors: SBI_EINVAL (unknown name, value refused). */
SBI_API int sbi_plugin_set_option(sbi_plugin *plugin, const char *name, double value);

/* A new simulator handle with the current options. It keeps the plugin
 * module loaded until freed. Errors: SBI_EPLUGIN (the plugin's create
 * failed), SBI_ENOMEM. */
SBI_API int sbi_plugin_create_simulator(const sbi_plugin *plugin, sbi_simulator **out);

#ifdef __cplusplus
}
#endif

#endif /* SBI_PLUGIN_H */

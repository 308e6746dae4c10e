/* The task table, priors and simulator handles, and the error message. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tasks_internal.h"

static const tasks_def tasks_table[] = {
    {"gaussian_linear", 10, 10, sbi_tasks_gaussian_linear_simulate},
    {"two_moons", 2, 2, sbi_tasks_two_moons_simulate},
    {"slcp", 5, 8, sbi_tasks_slcp_simulate},
};
enum { TASKS_COUNT = (int)(sizeof tasks_table / sizeof tasks_table[0]) };

static _Thread_local char tasks_message[512];

int tasks_fail(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tasks_message, sizeof tasks_message, fmt, ap);
    va_end(ap);
    return status;
}

const char *sbi_tasks_last_error(void) { return tasks_message; }

const tasks_def *tasks_find(const char *name)
{
    if (!name) return NULL;
    for (int i = 0; i < TASKS_COUNT; i++)
        if (strcmp(tasks_table[i].name, name) == 0) return &tasks_table[i];
    return NULL;
}

int32_t sbi_tasks_count(void) { return TASKS_COUNT; }

const char *sbi_tasks_name(int32_t index)
{
    return (index >= 0 && index < TASKS_COUNT) ? tasks_table[index].name : NULL;
}

static int unknown(const char *where, const char *task)
{
    return tasks_fail(SBI_EINVAL, "%s: unknown task '%s' (gaussian_linear, two_moons, slcp)",
                      where, task ? task : "(null)");
}

int sbi_tasks_dims(const char *task, int32_t *theta_dim, int32_t *x_dim)
{
    const tasks_def *t = tasks_find(task);
    if (!t) return unknown("sbi_tasks_dims", task);
    if (theta_dim) *theta_dim = t->theta_dim;
    if (x_dim) *x_dim = t->x_dim;
    return SBI_OK;
}

int sbi_tasks_prior_create(const char *task, sbi_prior **out)
{
    const tasks_def *t = tasks_find(task);
    if (!t) return unknown("sbi_tasks_prior_create", task);
    if (!out) return tasks_fail(SBI_EINVAL, "sbi_tasks_prior_create: out is NULL");
    double a[10], b[10];
    int rc;
    if (strcmp(t->name, "gaussian_linear") == 0) {
        /* N(0, 0.1 I): 0.1 is the variance. */
        for (int i = 0; i < 10; i++) a[i] = 0.0, b[i] = 0.1;
        rc = sbi_prior_create_gaussian_diag(out, 10, a, b);
    } else {
        double half = strcmp(t->name, "two_moons") == 0 ? 1.0 : 3.0;
        for (int i = 0; i < t->theta_dim; i++) a[i] = -half, b[i] = half;
        rc = sbi_prior_create_box_uniform(out, t->theta_dim, a, b);
    }
    if (rc != SBI_OK)
        return tasks_fail(rc, "sbi_tasks_prior_create: %s", sbi_last_error());
    return SBI_OK;
}

int sbi_tasks_simulator_create(const char *task, sbi_simulator **out)
{
    const tasks_def *t = tasks_find(task);
    if (!t) return unknown("sbi_tasks_simulator_create", task);
    int rc = sbi_simulator_create(out, t->theta_dim, t->x_dim, t->simulate, NULL);
    if (rc != SBI_OK)
        return tasks_fail(rc, "sbi_tasks_simulator_create: %s", sbi_last_error());
    return SBI_OK;
}

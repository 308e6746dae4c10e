/* Shared between the task files: the task table and the error message. */
#ifndef SBI_TASKS_INTERNAL_H
#define SBI_TASKS_INTERNAL_H

#include "sbi_tasks.h"

typedef struct tasks_def {
    const char *name;
    int32_t theta_dim;
    int32_t x_dim;
    sbi_simulate_fn simulate;
} tasks_def;

/* The entry for a name, or NULL. */
const tasks_def *tasks_find(const char *name);
/* Record a message as this thread's last error and return status. */
int tasks_fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* SBI_TASKS_INTERNAL_H */

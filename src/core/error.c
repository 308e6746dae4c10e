/* Status texts and the per-thread last-error message. */
#include <stdarg.h>
#include <stdio.h>

#include "core/internal.h"

static _Thread_local char t_message[512];

const char *sbi_status_string(int status)
{
    switch (status) {
    case SBI_OK: return "success";
    case SBI_EINVAL: return "invalid argument";
    case SBI_ENOMEM: return "out of memory";
    case SBI_ESIMULATOR: return "simulator failed";
    case SBI_ECANCELED: return "cancelled";
    case SBI_EFORMAT: return "bad or corrupt data format";
    case SBI_EVERSION: return "unsupported version";
    case SBI_EIO: return "input/output error";
    case SBI_ENUMERIC: return "numerical failure";
    case SBI_EBUDGET: return "budget exhausted";
    case SBI_ESTATE: return "operation not valid in the current state";
    case SBI_EPLUGIN: return "plugin could not be loaded";
    case SBI_ECALLBACK: return "user callback failed";
    default: return "unknown status";
    }
}

const char *sbi_last_error(void) { return t_message; }

void sbi_clear_error(void) { t_message[0] = '\0'; }

int sbi__fail(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t_message, sizeof t_message, fmt, ap);
    va_end(ap);
    return status;
}

int sbi__oom(const char *where)
{
    return sbi__fail(SBI_ENOMEM, "%s: out of memory", where);
}

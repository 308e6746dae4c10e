/* Progress on stderr: a bar on a terminal, a plain line every 10 % when
 * stderr is a file or a pipe (logs stay readable). */
#include <stdarg.h>
#include <unistd.h>

#include "cli.h"

void cli_progress_init(cli_progress *p, const char *label, int quiet)
{
    p->label = label;
    p->quiet = quiet;
    p->tty = isatty(STDERR_FILENO);
    p->last_decile = -1;
    p->start = cli_now();
    p->last_draw = 0;
}

void cli_progress_update(cli_progress *p, int64_t done, int64_t total)
{
    if (p->quiet || total <= 0) return;
    double frac = (double)done / (double)total;
    if (p->tty) {
        double t = cli_now();
        if (done < total && t - p->last_draw < 0.05) return; /* at most 20 redraws a second */
        p->last_draw = t;
        int w = 30, filled = (int)(frac * w);
        char bar[31];
        for (int i = 0; i < w; i++) bar[i] = i < filled ? '#' : '.';
        bar[w] = '\0';
        fprintf(stderr, "\r%s [%s] %lld/%lld  %.1f s", p->label, bar, (long long)done,
                (long long)total, cli_now() - p->start);
        fflush(stderr);
    } else {
        int decile = (int)(frac * 10);
        if (decile > p->last_decile) {
            p->last_decile = decile;
            fprintf(stderr, "%s: %lld/%lld (%.1f s)\n", p->label, (long long)done, (long long)total,
                    cli_now() - p->start);
        }
    }
}

void cli_progress_done(cli_progress *p, const char *fmt, ...)
{
    if (p->quiet) return;
    if (p->tty) fprintf(stderr, "\r\033[K");
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", p->label);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (%.2f s)\n", cli_now() - p->start);
    va_end(ap);
}

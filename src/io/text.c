/* Byte buffer and number text in the C locale, independent of the process
 * locale (a program that calls setlocale(LC_ALL, "") in a country with a
 * decimal comma must still read and write "0.5"). */
#include <errno.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "io/io_internal.h"

void sbi__buf_append(sbi__buf *b, const void *src, size_t n)
{
    if (b->failed || n == 0) return;
    if (n > SIZE_MAX - b->len - 1) {
        b->failed = 1;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) {
            if (cap > SIZE_MAX / 2) {
                cap = b->len + n + 1;
                break;
            }
            cap *= 2;
        }
        char *p = sbi__realloc(b->data, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, src, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void sbi__buf_puts(sbi__buf *b, const char *s) { sbi__buf_append(b, s, strlen(s)); }
void sbi__buf_putc(sbi__buf *b, char c) { sbi__buf_append(b, &c, 1); }

void sbi__buf_free(sbi__buf *b)
{
    sbi__free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

void sbi__buf_put_double(sbi__buf *b, double v)
{
    char s[40];
    if (isnan(v)) {
        sbi__buf_puts(b, "nan");
        return;
    }
    if (isinf(v)) {
        sbi__buf_puts(b, v > 0 ? "inf" : "-inf");
        return;
    }
    /* Shortest of 15, 16, 17 significant digits that reads back exactly
     * (subnormals carry fewer digits: search those from 1). */
    for (int prec = (v != 0 && fabs(v) < DBL_MIN) ? 1 : 15; prec <= 17; prec++) {
        snprintf(s, sizeof s, "%.*g", prec, v);
        if (prec == 17 || strtod(s, NULL) == v) break;
    }
    sbi__buf_puts(b, s);
}

static pthread_once_t g_locale_once = PTHREAD_ONCE_INIT;
static locale_t g_c_locale;

static void make_c_locale(void) { g_c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0); }

void *sbi__c_locale_begin(void)
{
    pthread_once(&g_locale_once, make_c_locale);
    if (!g_c_locale) return NULL; /* cannot happen for "C"; then keep the current one */
    return (void *)uselocale(g_c_locale);
}

void sbi__c_locale_end(void *token)
{
    if (token) uselocale((locale_t)token);
}

static int lower_eq(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);
    if (len != n) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != word[i]) return 0;
    }
    return 1;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

int sbi__parse_number(const char *s, size_t len, double *v)
{
    if (len == 0 || len > SBI__IO_MAX_NUMBER) return -1;
    size_t i = 0;
    int neg = 0;
    if (s[0] == '+' || s[0] == '-') {
        neg = s[0] == '-';
        i = 1;
    }
    if (lower_eq(s + i, len - i, "nan")) {
        *v = NAN;
        return 0;
    }
    if (lower_eq(s + i, len - i, "inf") || lower_eq(s + i, len - i, "infinity")) {
        *v = neg ? -INFINITY : INFINITY;
        return 0;
    }
    /* digits [. digits] | . digits, then [eE [sign] digits]: checked here so
     * that strtod never sees hex floats, "nan(...)" or trailing text. */
    size_t int_digits = 0, frac_digits = 0;
    while (i < len && is_digit(s[i])) i++, int_digits++;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && is_digit(s[i])) i++, frac_digits++;
    }
    if (int_digits + frac_digits == 0) return -1;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) i++;
        size_t exp_digits = 0;
        while (i < len && is_digit(s[i])) i++, exp_digits++;
        if (exp_digits == 0) return -1;
    }
    if (i != len) return -1;
    char tmp[SBI__IO_MAX_NUMBER + 1];
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    errno = 0;
    double d = strtod(tmp, NULL);
    if (errno == ERANGE && isinf(d)) return -2;
    *v = d;
    return 0;
}

/* NumPy .npy: magic "\x93NUMPY", version, header length, a Python dict
 * literal {'descr': '<f8', 'fortran_order': False, 'shape': (r, c), } padded
 * with spaces to a multiple of 64 bytes and ended by '\n', then the data.
 * The header parser accepts exactly that grammar (keys in any order, either
 * quote, optional trailing commas, Python 2 "3L" integers) and nothing else. */
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "io/io_internal.h"

#define NPY_MAX_HEADER (1u << 20)

typedef struct {
    const char *s;
    size_t len, pos;
} cursor;

static void skip_ws(cursor *c)
{
    while (c->pos < c->len &&
           (c->s[c->pos] == ' ' || c->s[c->pos] == '\t' || c->s[c->pos] == '\n' ||
            c->s[c->pos] == '\r'))
        c->pos++;
}

static int accept(cursor *c, char ch)
{
    skip_ws(c);
    if (c->pos < c->len && c->s[c->pos] == ch) {
        c->pos++;
        return 1;
    }
    return 0;
}

/* A quoted string without escapes into dst (cap bytes); 0 on success. */
static int parse_string(cursor *c, char *dst, size_t cap)
{
    skip_ws(c);
    if (c->pos >= c->len) return -1;
    char q = c->s[c->pos];
    if (q != '\'' && q != '"') return -1;
    size_t start = ++c->pos, n = 0;
    while (c->pos < c->len && c->s[c->pos] != q) {
        if (c->s[c->pos] == '\\') return -1;
        c->pos++;
        n++;
    }
    if (c->pos >= c->len || n + 1 > cap) return -1;
    memcpy(dst, c->s + start, n);
    dst[n] = '\0';
    c->pos++;
    return 0;
}

static int parse_word(cursor *c, const char *word)
{
    skip_ws(c);
    size_t n = strlen(word);
    if (c->len - c->pos >= n && memcmp(c->s + c->pos, word, n) == 0) {
        c->pos += n;
        return 1;
    }
    return 0;
}

/* A non-negative integer below 2^62 (with an optional Python 2 'L'). */
static int parse_dim(cursor *c, int64_t *v)
{
    skip_ws(c);
    int64_t x = 0;
    size_t digits = 0;
    while (c->pos < c->len && c->s[c->pos] >= '0' && c->s[c->pos] <= '9') {
        if (x > ((int64_t)1 << 62) / 10) return -1;
        x = x * 10 + (c->s[c->pos] - '0');
        c->pos++;
        digits++;
    }
    if (digits == 0) return -1;
    if (c->pos < c->len && c->s[c->pos] == 'L') c->pos++;
    *v = x;
    return 0;
}

static int bad(const char *what) { return sbi__fail(SBI_EFORMAT, "npy: %s", what); }

static uint64_t rd_le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

int sbi__npy_parse(sbi_table **out, const unsigned char *buf, size_t len)
{
    if (len < 10 || memcmp(buf, "\x93NUMPY", 6) != 0)
        return bad("not a .npy file (the magic string \\x93NUMPY is missing)");
    int major = buf[6], minor = buf[7];
    if (major < 1 || major > 3 || minor != 0)
        return sbi__fail(SBI_EFORMAT, "npy: format version %d.%d is not supported (1.0-3.0)",
                         major, minor);
    size_t hstart = major == 1 ? 10 : 12;
    if (len < hstart) return bad("truncated header");
    uint64_t hlen = rd_le(buf + 8, major == 1 ? 2 : 4);
    if (hlen > NPY_MAX_HEADER) return bad("header length is larger than 1 MiB");
    if (hlen > len - hstart) return bad("truncated header");
    cursor c = {(const char *)buf + hstart, (size_t)hlen, 0};
    for (size_t i = 0; i < c.len; i++) {
        unsigned char ch = (unsigned char)c.s[i];
        if (ch == 0 || ch >= 0x80) return bad("header holds a non-ASCII byte");
    }

    char descr[32] = "";
    int have_descr = 0, have_fortran = 0, have_shape = 0, fortran = 0, ndim = 0;
    int64_t shape[2] = {0, 0};
    if (!accept(&c, '{')) return bad("header is not a Python dict");
    while (!accept(&c, '}')) {
        char key[32];
        if (parse_string(&c, key, sizeof key) != 0) return bad("header has a malformed key");
        if (!accept(&c, ':')) return bad("header: ':' expected after a key");
        if (strcmp(key, "descr") == 0) {
            if (have_descr) return bad("header repeats 'descr'");
            skip_ws(&c);
            if (c.pos < c.len && c.s[c.pos] == '[')
                return bad("structured dtypes are not supported (need '<f8' or '<f4')");
            if (parse_string(&c, descr, sizeof descr) != 0)
                return bad("header has a malformed 'descr'");
            have_descr = 1;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (have_fortran) return bad("header repeats 'fortran_order'");
            if (parse_word(&c, "True")) fortran = 1;
            else if (parse_word(&c, "False")) fortran = 0;
            else return bad("header: 'fortran_order' is not True or False");
            have_fortran = 1;
        } else if (strcmp(key, "shape") == 0) {
            if (have_shape) return bad("header repeats 'shape'");
            if (!accept(&c, '(')) return bad("header: 'shape' is not a tuple");
            while (!accept(&c, ')')) {
                int64_t d;
                if (parse_dim(&c, &d) != 0) return bad("header: 'shape' holds a bad dimension");
                if (ndim < 2) shape[ndim] = d;
                if (ndim < 3) ndim++;
                if (accept(&c, ')')) break;
                if (!accept(&c, ',')) return bad("header: 'shape' tuple is malformed");
            }
            have_shape = 1;
        } else {
            return bad("header has an unknown key");
        }
        if (accept(&c, '}')) break;
        if (!accept(&c, ',')) return bad("header: ',' or '}' expected");
    }
    skip_ws(&c);
    if (c.pos != c.len) return bad("header has text after the dict");
    if (!have_descr || !have_fortran || !have_shape)
        return bad("header lacks one of 'descr', 'fortran_order', 'shape'");

    size_t item;
    if (strcmp(descr, "<f8") == 0) item = 8;
    else if (strcmp(descr, "<f4") == 0) item = 4;
    else
        return sbi__fail(SBI_EFORMAT,
                         "npy: dtype '%s' is not supported (need little-endian float64 '<f8' "
                         "or float32 '<f4')", descr);
    if (ndim == 0) return bad("0-d arrays (scalars) are not supported (need 1-D or 2-D)");
    if (ndim > 2) return bad("arrays with more than 2 dimensions are not supported");
    if (fortran && ndim == 2)
        return bad("Fortran-order (column-major) arrays are not supported; save a C-order array");
    int64_t rows = shape[0], cols = ndim == 2 ? shape[1] : 1;
    if (cols == 0) return bad("arrays with 0 columns are not supported");
    if (cols > SBI_IO_MAX_COLS)
        return sbi__fail(SBI_EFORMAT, "npy: %lld columns is more than the limit of %d",
                         (long long)cols, SBI_IO_MAX_COLS);
    size_t avail = len - hstart - (size_t)hlen;
    if ((uint64_t)rows > SIZE_MAX / (uint64_t)cols / sizeof(double))
        return bad("shape is too large");
    size_t count = (size_t)rows * (size_t)cols;
    if (count > avail / item || count * item != avail) {
        if (avail / item < count)
            return sbi__fail(SBI_EFORMAT, "npy: truncated data: shape needs %llu bytes, found %llu",
                             (unsigned long long)count * item, (unsigned long long)avail);
        return sbi__fail(SBI_EFORMAT, "npy: %llu bytes after the data of the given shape",
                         (unsigned long long)(avail - count * item));
    }
    sbi_table *t = NULL;
    SBI_TRY(sbi__table_new(&t, rows, (int32_t)cols, ndim, SBI_FORMAT_NPY));
    const unsigned char *p = buf + hstart + hlen;
    for (size_t i = 0; i < count; i++, p += item) {
        uint64_t bits = rd_le(p, (int)item);
        if (item == 8) {
            memcpy(&t->data[i], &bits, 8);
        } else {
            uint32_t b32 = (uint32_t)bits;
            float f;
            memcpy(&f, &b32, 4);
            t->data[i] = (double)f;
        }
    }
    *out = t;
    return SBI_OK;
}

int sbi__npy_format(sbi__buf *b, int64_t rows, int32_t cols, const double *data)
{
    char dict[128];
    int n = snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (%lld, %d), }",
                     (long long)rows, (int)cols);
    /* 10-byte preamble + dict + spaces + '\n' is a multiple of 64 bytes. */
    size_t total = 10 + (size_t)n + 1;
    size_t padded = (total + 63) / 64 * 64;
    size_t hlen = padded - 10;
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hlen & 0xff),
                             (unsigned char)(hlen >> 8)};
    sbi__buf_append(b, pre, sizeof pre);
    sbi__buf_append(b, dict, (size_t)n);
    for (size_t i = 10 + (size_t)n; i + 1 < padded; i++) sbi__buf_putc(b, ' ');
    sbi__buf_putc(b, '\n');
    size_t count = (size_t)rows * (size_t)cols;
    unsigned char le[8];
    for (size_t i = 0; i < count && !b->failed; i++) {
        uint64_t bits;
        memcpy(&bits, &data[i], 8);
        for (int k = 0; k < 8; k++) le[k] = (unsigned char)(bits >> (8 * k));
        sbi__buf_append(b, le, 8);
    }
    return b->failed ? sbi__oom("npy") : SBI_OK;
}

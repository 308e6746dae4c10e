/* Tables read with shape checks, and comma-separated name lists. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_read_table(const char *cmd, const char *what, const char *path, sbi_table **out,
                   int64_t *rows, int32_t *cols, const double **data)
{
    int rc = sbi_table_read(out, path);
    if (rc != SBI_OK) {
        cli_lib_error(cmd, rc, "cannot read %s", what);
        return -1;
    }
    sbi_table_shape(*out, rows, cols);
    sbi_table_data(*out, data);
    return 0;
}

int cli_split_names(const char *s, int32_t n, char ***names)
{
    *names = NULL;
    int32_t count = 1;
    for (const char *p = s; *p; p++) count += (*p == ',');
    if (count != n) return -1;
    char **v = malloc(sizeof(char *) * (size_t)(n + 1));
    char *copy = strdup(s);
    if (!v || !copy) {
        free(v);
        free(copy);
        return -1;
    }
    v[0] = copy;
    int32_t k = 1;
    for (char *p = copy; *p; p++)
        if (*p == ',') {
            *p = '\0';
            v[k++] = p + 1;
        }
    v[n] = NULL;
    *names = v;
    return 0;
}

void cli_free_names(char **names)
{
    if (!names) return;
    free(names[0]);
    free(names);
}

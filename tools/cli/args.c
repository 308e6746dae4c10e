/* Option parsing and --help text for the subcommands. Accepts "--name
 * VALUE", "--name=VALUE", "-n VALUE"; "--" ends the options. */
#include <string.h>

#include "cli.h"

const char *cli_get(const cli_cmd *cmd, const char *name)
{
    for (const cli_opt *o = cmd->opts; o->name; o++)
        if (strcmp(o->name, name) == 0) return o->value;
    return NULL;
}

void cli_print_help(const cli_cmd *cmd, FILE *f)
{
    fprintf(f, "usage: sbi %s %s\n\n%s\n\noptions:\n", cmd->name, cmd->usage, cmd->summary);
    for (const cli_opt *o = cmd->opts; o->name; o++) {
        char head[64];
        if (o->short_name)
            snprintf(head, sizeof head, "-%c, --%s%s%s", o->short_name, o->name,
                     o->metavar ? " " : "", o->metavar ? o->metavar : "");
        else
            snprintf(head, sizeof head, "    --%s%s%s", o->name, o->metavar ? " " : "",
                     o->metavar ? o->metavar : "");
        fprintf(f, "  %-30s %s\n", head, o->help);
    }
    fprintf(f, "  %-30s %s\n", "-h, --help", "show this help and exit");
    if (cmd->epilog) fprintf(f, "\n%s", cmd->epilog);
}

static cli_opt *find(cli_cmd *cmd, const char *name, size_t len, char short_name)
{
    for (cli_opt *o = cmd->opts; o->name; o++) {
        if (short_name ? o->short_name == short_name
                       : (strlen(o->name) == len && strncmp(o->name, name, len) == 0))
            return o;
    }
    return NULL;
}

int cli_parse(cli_cmd *cmd, int argc, char **argv)
{
    int only_positional = 0;
    cmd->n_positional = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_positional || a[0] != '-' || a[1] == '\0') {
            if (cmd->n_positional >= cmd->max_positional || cmd->n_positional >= 4) {
                cli_error(cmd->name, "unexpected argument '%s' (see sbi %s --help)", a, cmd->name);
                return CLI_USAGE;
            }
            cmd->positional[cmd->n_positional++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_positional = 1;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            cli_print_help(cmd, stdout);
            return CLI_HELP;
        }
        cli_opt *o;
        const char *inline_value = NULL;
        if (a[1] == '-') {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            o = find(cmd, name, len, 0);
            if (eq) inline_value = eq + 1;
        } else {
            o = a[2] == '\0' ? find(cmd, NULL, 0, a[1]) : NULL;
        }
        if (!o) {
            cli_error(cmd->name, "unknown option '%s' (see sbi %s --help)", a, cmd->name);
            return CLI_USAGE;
        }
        if (o->value) {
            cli_error(cmd->name, "option --%s is given twice", o->name);
            return CLI_USAGE;
        }
        if (!o->metavar) {
            if (inline_value) {
                cli_error(cmd->name, "option --%s takes no value", o->name);
                return CLI_USAGE;
            }
            o->value = "1";
        } else if (inline_value) {
            o->value = inline_value;
        } else if (i + 1 < argc) {
            o->value = argv[++i];
        } else {
            cli_error(cmd->name, "option --%s needs a value (%s)", o->name, o->metavar);
            return CLI_USAGE;
        }
    }
    return CLI_OK;
}

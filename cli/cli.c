/* SPDX-License-Identifier: MIT */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"

static const char *name = "sis";

void cli_set_name(const char *n) {
        name = n;
}

const char *cli_name(void) {
        return name;
}

int cli_failv(int code, const char *fmt, va_list ap) {
        fprintf(stderr, "%s: ", name);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        return code;
}

int cli_fail(int code, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        code = cli_failv(code, fmt, ap);
        va_end(ap);
        return code;
}

int cli_usage_error(const char *fmt, ...) {
        va_list ap;

        fprintf(stderr, "%s: ", name);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs(" (see --help)\n", stderr);
        return EXIT_USAGE;
}

void cli_step(const char *fmt, ...) {
        va_list ap;

        fputs(isatty(STDERR_FILENO) ? "\033[1m==>\033[0m " : "==> ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

int cli_write_output(const char *output, const char *text) {
        int k;

        if (!text)
                return cli_fail(EXIT_USAGE, "out of memory rendering the report");
        if (output) {
                k = write_file_atomic(output, text, strlen(text), 0644);
                if (k < 0)
                        return cli_fail(EXIT_USAGE, "--output %s: %s", output, strerror(-k));
        } else if (fputs(text, stdout) == EOF || fflush(stdout) == EOF)
                return cli_fail(EXIT_USAGE, "writing the report: %s", strerror(errno));
        return 0;
}

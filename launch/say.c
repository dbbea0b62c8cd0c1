/* SPDX-License-Identifier: MIT */
#include "say.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

void launch_step(const char *fmt, ...) {
        va_list ap;
        fputs(isatty(STDERR_FILENO) ? "\033[1m==>\033[0m " : "==> ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

int launch_fail(int code, const char *fmt, ...) {
        va_list ap;
        fputs("sis-launch: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return code;
}

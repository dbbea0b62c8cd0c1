/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

/* Run argv (a path or a name looked up in PATH) in dir with extra environment entries (NULL
 * terminated "K=V"), stdout and stderr appended to log_fd. on_line, when set, sees each output
 * line (for progress). Returns the exit status (0..255), 128+signal, or -errno. */
typedef void (*exec_line_fn)(void *userdata, const char *line);
int exec_logged(const char *dir, char *const argv[], char *const env[], int log_fd, exec_line_fn on_line, void *userdata);

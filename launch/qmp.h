/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * QEMU's machine protocol (QMP) over the UNIX socket in the VM's jail: one JSON object per line.
 * The server greets, we negotiate capabilities, then each command gets exactly one "return" or
 * "error" (asynchronous "event" lines in between are skipped). A descriptor can ride along with a
 * command (SCM_RIGHTS), which is how `getfd` hands QEMU a migration file it cannot open itself.
 */
#include <json-c/json.h>

#include "jailfs.h"

struct qmp;

/* Connect to peer's socket with jail_connect() (retrying while it is not there or not listening
 * yet, until timeout_ms) and negotiate. 0, or -errno with *ret_error: -EPERM at once, never
 * retried, for a symlink, a non-socket or a peer that is not the VM's VMM. */
int qmp_open(const struct vm_peer *peer, long timeout_ms, struct qmp **ret, char **ret_error);
/* The same on a connected socket, which becomes the connection's (closed on failure too). */
int qmp_attach(int fd, long timeout_ms, struct qmp **ret, char **ret_error);
/* Run one command. args may be NULL; pass_fd >= 0 is sent along. *ret_return (may be NULL) gets
 * the "return" value. -EIO with the server's error description in *ret_error; -ETIMEDOUT. */
int qmp_call(struct qmp *q, const char *command, json_object *args, int pass_fd, json_object **ret_return,
             char **ret_error);
void qmp_close(struct qmp *q);
/* Hand fd to QEMU (getfd) and start a migration through it: command is "migrate" (the state
 * goes out into fd) or "migrate-incoming" (it comes in from fd). 0, or -errno with *ret_error. */
int qmp_migrate_fd(struct qmp *q, const char *command, int fd, char **ret_error);
/* Poll query-migrate until the migration (outgoing or incoming) completes: 0; -EIO when it fails
 * or is cancelled (QEMU's error-desc in *ret_error), or takes longer than timeout_ms. */
int qmp_wait_migration(struct qmp *q, long timeout_ms, char **ret_error);

/* "running", "paused", "postmigrate", "inmigrate", ... of query-status; NULL when it cannot be
 * asked. One connection per question: for the watchdog, stop and list. */
char *qmp_status(const struct vm_peer *peer, long timeout_ms);
/* Open, run one command without arguments, close. 0 or -errno. */
int qmp_oneshot(const struct vm_peer *peer, const char *command, long timeout_ms, char **ret_error);

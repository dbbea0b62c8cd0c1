/* SPDX-License-Identifier: MIT */
/* libFuzzer target: what a (compromised) QEMU can say on its QMP socket. The input is the server's
 * side of a socketpair, then EOF: the greeting, the capabilities answer, a query-status, a
 * migration poll. Nothing may crash, hang or leak, whatever the lines are. */
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "qmp.h"
#include "util.h"

static void fuzz_one(char *s, const uint8_t *data, size_t size) {
        struct qmp *q = NULL;
        json_object *r = NULL;
        char *err = NULL;
        int sv[2];

        (void) s;
        /* more than a socket buffer would block the write: inputs are a few KiB */
        if (size > 65536 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return;
        if (write(sv[1], data, size) != (ssize_t) size) {
                close(sv[0]);
                close(sv[1]);
                return;
        }
        shutdown(sv[1], SHUT_WR);
        if (qmp_attach(sv[0], 1000, &q, &err) >= 0) {
                if (qmp_call(q, "query-status", NULL, -1, &r, &err) >= 0)
                        json_object_put(r);
                free(err);
                err = NULL;
                (void) qmp_wait_migration(q, -1, &err); /* one poll, no waiting */
                qmp_close(q);
        }
        free(err);
        close(sv[1]);
}

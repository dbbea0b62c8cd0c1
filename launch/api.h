/* SPDX-License-Identifier: MIT */
#pragma once
/* Firecracker's HTTP API over its UNIX socket in the VM's jail, with libcurl on a socket that
 * jail_connect() opened (no symlink followed) and whose peer it checked to be the VM's VMM. */
#include <json-c/json.h>
#include <stdbool.h>

#include "jailfs.h"

struct fc_reply {
        long status; /* HTTP status; 0 when nothing answered */
        char *body;  /* the response body (GET), or NULL */
        char *fault; /* fault_message of an error response, or NULL */
};

/* One request to peer's socket. Idempotent ones (GET, and PUT/PATCH of configuration) are retried
 * while the socket is not there yet or refuses (jail_connect's -ENOENT, -ECONNREFUSED), until
 * timeout_ms; actions are sent once. 0 on a 2xx answer; -EIO with reply->fault (or a transport
 * message in *ret_error) otherwise; -ETIMEDOUT; jail_connect's -errno and message when it fails
 * for good: -EPERM at once, never retried, when the socket is a symlink or not a socket, or its
 * peer is not the VM's VMM. */
int fc_api_call(const struct vm_peer *peer, const char *method, const char *path, json_object *body, bool idempotent,
                long timeout_ms, struct fc_reply *reply, char **ret_error);
void fc_reply_done(struct fc_reply *r);

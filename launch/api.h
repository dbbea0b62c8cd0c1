/* SPDX-License-Identifier: MIT */
#pragma once
/* Firecracker's HTTP API over its UNIX socket, with libcurl (CURLOPT_UNIX_SOCKET_PATH). */
#include <json-c/json.h>
#include <stdbool.h>

struct fc_reply {
        long status;            /* HTTP status; 0 when nothing answered */
        char *body;             /* the response body (GET), or NULL */
        char *fault;            /* fault_message of an error response, or NULL */
};

/* One request. Idempotent ones (GET, and PUT/PATCH of configuration) are retried while the socket
 * is not there yet or refuses, until timeout_ms; actions are sent once. 0 on a 2xx answer; -EIO
 * with reply->fault (or a transport message in *ret_error) otherwise; -ETIMEDOUT. */
int fc_api_call(const char *socket_path, const char *method, const char *path, json_object *body, bool idempotent,
                long timeout_ms, struct fc_reply *reply, char **ret_error);
void fc_reply_done(struct fc_reply *r);

/* SPDX-License-Identifier: MIT */
#include "api.h"

#include <curl/curl.h>
#include <time.h>

#include "json.h"
#include "util.h"

#define MAX_REPLY (1 << 20)

static size_t on_body(char *p, size_t size, size_t n, void *ud) {
        struct sbuf *b = ud;
        if (b->len + size * n > MAX_REPLY)
                return 0;
        sbuf_putn(b, p, size * n);
        return size * n;
}

static long now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void fc_reply_done(struct fc_reply *r) {
        free(r->body);
        free(r->fault);
        *r = (struct fc_reply) {};
}

int fc_api_call(const char *socket_path, const char *method, const char *path, json_object *body, bool idempotent,
                long timeout_ms, struct fc_reply *reply, char **ret_error) {
        _cleanup_free_ char *url = strdup_printf("http://localhost%s", path);
        const char *payload = body ? json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN) : NULL;
        long deadline = now_ms() + timeout_ms, wait = 5;
        struct curl_slist *hdr = NULL;
        CURLcode rc;
        CURL *c;

        *reply = (struct fc_reply) {};
        if (!url)
                return -ENOMEM;
        c = curl_easy_init();
        if (!c)
                return set_error(ret_error, -ENOMEM, "libcurl cannot start");
        hdr = curl_slist_append(hdr, "Accept: application/json");
        if (payload)
                hdr = curl_slist_append(hdr, "Content-Type: application/json");
        hdr = curl_slist_append(hdr, "Expect:"); /* no 100-continue round trip */
        curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, socket_path);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
        if (payload) {
                curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload);
                curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long) strlen(payload));
        }
        for (;;) {
                struct sbuf b = {};
                long left = deadline - now_ms();
                if (left <= 0) {
                        curl_slist_free_all(hdr);
                        curl_easy_cleanup(c);
                        return set_error(ret_error, -ETIMEDOUT, "%s %s: no answer from %s within %ld ms", method, path,
                                         socket_path, timeout_ms);
                }
                curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, left);
                curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
                curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
                rc = curl_easy_perform(c);
                if (rc == CURLE_COULDNT_CONNECT && idempotent) {
                        /* the VMM is still starting: the socket is not there or not listening yet */
                        sbuf_done(&b);
                        struct timespec ts = { 0, MIN(wait, MAX(left, 1)) * 1000000 };
                        nanosleep(&ts, NULL);
                        wait = MIN(wait * 2, 100);
                        continue;
                }
                if (rc != CURLE_OK) {
                        sbuf_done(&b);
                        curl_slist_free_all(hdr);
                        curl_easy_cleanup(c);
                        return set_error(ret_error, rc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -EIO, "%s %s via %s: %s",
                                         method, path, socket_path, curl_easy_strerror(rc));
                }
                curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply->status);
                reply->body = sbuf_steal(&b);
                break;
        }
        curl_slist_free_all(hdr);
        curl_easy_cleanup(c);
        if (reply->status >= 200 && reply->status < 300)
                return 0;
        /* errors carry {"fault_message": "..."} */
        if (reply->body && *reply->body) {
                json_object *j = json_tokener_parse(reply->body), *fm;
                if (j && json_object_object_get_ex(j, "fault_message", &fm) && json_object_is_type(fm, json_type_string))
                        reply->fault = strdup(json_object_get_string(fm));
                json_object_put(j);
        }
        return set_error(ret_error, -EIO, "%s %s: HTTP %ld: %s", method, path, reply->status,
                         reply->fault ? reply->fault : "(no fault_message)");
}

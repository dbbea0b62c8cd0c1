/* SPDX-License-Identifier: MIT */
#include "json.h"

#include <errno.h>
#include <string.h>

#include "util.h"

char *json_text(json_object *o) {
        const char *s = json_object_to_json_string_ext(
                o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
        return s ? strdup_printf("%s\n", s) : NULL;
}

int json_parse_strict(const char *text, size_t len, json_object **ret, const char **ret_why) {
        json_tokener *tok;
        json_object *o;
        enum json_tokener_error jerr;
        size_t end;

        if (strlen(text) != len) {
                *ret_why = "a NUL byte";
                return -EBADMSG;
        }
        tok = json_tokener_new_ex(64);
        if (!tok)
                return -ENOMEM;
        o = json_tokener_parse_ex(tok, text, (int) len);
        jerr = json_tokener_get_error(tok);
        end = json_tokener_get_parse_end(tok);
        json_tokener_free(tok);
        if (jerr == json_tokener_success && o && text[end + strspn(text + end, " \t\r\n")] != '\0')
                jerr = json_tokener_error_parse_unexpected; /* something after the value */
        if (jerr != json_tokener_success || !o) {
                json_object_put(o);
                *ret_why = jerr == json_tokener_success ? "empty"
                        : jerr == json_tokener_continue ? "truncated"
                                                        : json_tokener_error_desc(jerr);
                return -EBADMSG;
        }
        *ret = o;
        return 0;
}

const char *json_str(json_object *o, const char *key) {
        json_object *v;
        return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
                ? json_object_get_string(v)
                : NULL;
}

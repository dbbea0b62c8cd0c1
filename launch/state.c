/* SPDX-License-Identifier: MIT */
#include "state.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "fileio.h"
#include "json.h"
#include "util.h"

char *vm_dir(const char *run_dir, const char *id) {
        return strdup_printf("%s/vms/%s", run_dir, id);
}

int vm_state_write(const char *run_dir, const char *id, json_object *state) {
        _cleanup_free_ char *p = strdup_printf("%s/vms/%s/state.json", run_dir, id), *text = NULL;

        if (!p)
                return -ENOMEM;
        text = strdup_printf("%s\n", json_object_to_json_string_ext(state, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                                  JSON_C_TO_STRING_NOSLASHESCAPE));
        return text ? write_file_atomic(p, text, strlen(text), 0600) : -ENOMEM;
}

int vm_state_read(const char *run_dir, const char *id, json_object **ret) {
        _cleanup_free_ char *p = strdup_printf("%s/vms/%s/state.json", run_dir, id), *text = NULL;
        size_t len;
        int k;

        if (!p)
                return -ENOMEM;
        k = read_file_capped(p, 1 << 20, &text, &len);
        if (k < 0)
                return k;
        *ret = json_tokener_parse(text);
        return *ret ? 0 : -EBADMSG;
}

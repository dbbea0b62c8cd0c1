/* SPDX-License-Identifier: MIT */
#include "state.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "fileio.h"
#include "json.h"
#include "util.h"

int lease_take(const char *run_dir, const char *kind, uint32_t min, uint32_t max, const char *owner, uint32_t *ret) {
        _cleanup_free_ char *dir = strdup_printf("%s/leases/%s", run_dir, kind), *line = strdup_printf("%s\n", owner);

        if (!dir || !line)
                return -ENOMEM;
        if (mkdir_parents(dir, 0755) < 0)
                return -errno;
        for (uint64_t n = min; n <= max; n++) {
                _cleanup_free_ char *p = strdup_printf("%s/%llu", dir, (unsigned long long) n);
                int fd;
                if (!p)
                        return -ENOMEM;
                fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
                if (fd < 0) {
                        if (errno == EEXIST)
                                continue;
                        return -errno;
                }
                if (write(fd, line, strlen(line)) != (ssize_t) strlen(line) || fsync(fd) < 0) {
                        int e = -errno;
                        close(fd);
                        unlink(p);
                        return e ? e : -EIO;
                }
                close(fd);
                *ret = (uint32_t) n;
                return 0;
        }
        return -EUSERS;
}

int lease_release(const char *run_dir, const char *kind, const char *owner) {
        _cleanup_free_ char *dir = strdup_printf("%s/leases/%s", run_dir, kind);
        DIR *d;
        struct dirent *de;
        int n = 0;

        if (!dir)
                return -ENOMEM;
        d = opendir(dir);
        if (!d)
                return errno == ENOENT ? 0 : -errno;
        while ((de = readdir(d))) {
                _cleanup_free_ char *p = strdup_printf("%s/%s", dir, de->d_name), *text = NULL;
                if (de->d_name[0] == '.' || !p)
                        continue;
                if (read_file_capped(p, 256, &text, NULL) < 0)
                        continue;
                strstrip(text);
                if (streq(text, owner) && unlink(p) == 0)
                        n++;
        }
        closedir(d);
        return n;
}

int lease_count(const char *run_dir, const char *kind) {
        _cleanup_free_ char *dir = strdup_printf("%s/leases/%s", run_dir, kind);
        DIR *d = dir ? opendir(dir) : NULL;
        struct dirent *de;
        int n = 0;

        if (!d)
                return 0;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n;
}

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

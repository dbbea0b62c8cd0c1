/* SPDX-License-Identifier: MIT */
#include "registry.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <net/if.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "fileio.h"
#include "json.h"
#include "net.h"
#include "util.h"

/* --- trusted directories ------------------------------------------------------------------- */

static int component_trusted(const char *path, bool last, char **ret_error) {
        struct stat st;

        if (lstat(path, &st) < 0)
                return errno == ENOENT ? -ENOENT : set_error(ret_error, -errno, "%s: %s", path, strerror(errno));
        if (S_ISLNK(st.st_mode)) {
                if (st.st_uid != 0)
                        return set_error(ret_error, -EPERM, "%s is a symlink owned by uid %u, not root", path,
                                         (unsigned) st.st_uid);
                return 0; /* root's link: where it leads is checked on the resolved path */
        }
        if (!S_ISDIR(st.st_mode))
                return set_error(ret_error, -EPERM, "%s is not a directory", path);
        if (st.st_uid != 0)
                return set_error(ret_error, -EPERM, "%s belongs to uid %u, not root", path, (unsigned) st.st_uid);
        /* a root-owned sticky directory (/tmp) lets nobody else rename or remove root's entries */
        if ((st.st_mode & (S_IWGRP | S_IWOTH)) && (last || !(st.st_mode & S_ISVTX)))
                return set_error(ret_error, -EPERM, "%s is writable by %s (mode %04o)", path,
                                 st.st_mode & S_IWOTH ? "others" : "its group", (unsigned) (st.st_mode & 07777));
        return 0;
}

/* path does not exist: root will make it, so nobody else may make it first, and in a directory
 * anyone can write to (a sticky one included) anyone can. Its parent is looked at where it leads
 * (root's symlinks only reach here). */
static int missing_trusted(const char *path, char **ret_error) {
        const char *slash = strrchr(path, '/');
        _cleanup_free_ char *parent = slash == path ? strdup("/") : strndup(path, (size_t) (slash - path));
        struct stat st;

        if (!parent)
                return -ENOMEM;
        if (stat(parent, &st) < 0)
                return set_error(ret_error, -errno, "%s: %s", parent, strerror(errno));
        if (st.st_mode & (S_IWGRP | S_IWOTH))
                return set_error(ret_error, -EPERM,
                                 "%s does not exist, and %s is writable by %s (mode %04o): make it first", path, parent,
                                 st.st_mode & S_IWOTH ? "others" : "its group", (unsigned) (st.st_mode & 07777));
        return 0;
}

/* Each existing prefix of path, root first, as given (no resolution). */
static int walk_trusted(const char *path, char **ret_error) {
        _cleanup_free_ char *p = strdup(path);
        int k;

        if (!p)
                return -ENOMEM;
        if (p[0] != '/')
                return set_error(ret_error, -EINVAL, "%s is not an absolute path", path);
        for (char *s = p + 1;; s++) {
                if (*s != '/' && *s)
                        continue;
                char c = *s;
                *s = '\0';
                k = component_trusted(p, c == '\0', ret_error);
                if (k == -ENOENT)
                        return missing_trusted(p, ret_error); /* the rest will be made, there */
                if (k < 0)
                        return k;
                if (!c)
                        return 0;
                *s = '/';
        }
}

int dir_trusted(const char *path, char **ret_error) {
        _cleanup_free_ char *real = NULL;
        int k = walk_trusted("/", ret_error);

        if (k >= 0)
                k = walk_trusted(path, ret_error);
        if (k < 0)
                return k;
        /* and where root's symlinks lead, the same way */
        real = realpath(path, NULL);
        if (!real)
                return errno == ENOENT ? 0 : set_error(ret_error, -errno, "%s: %s", path, strerror(errno));
        return streq(real, path) ? 0 : walk_trusted(real, ret_error);
}

/* --- the registry ---------------------------------------------------------------------------- */

static const char *reg_dir = REGISTRY_DIR;

void reg_use_dir(const char *dir) {
        reg_dir = dir ? dir : REGISTRY_DIR;
}

static int reg_lock(void) {
        int fd, k;
        char *err = NULL;

        _cleanup_free_ char *lock = strdup_printf("%s/lock", reg_dir);

        if (!lock)
                return -ENOMEM;
        if (mkdir_parents(reg_dir, 0700) < 0)
                return -errno;
        k = dir_trusted(reg_dir, &err);
        free(err);
        if (k < 0)
                return k;
        fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        while (flock(fd, LOCK_EX) < 0)
                if (errno != EINTR) {
                        k = -errno;
                        close(fd);
                        return k;
                }
        return fd;
}

static void reg_unlock(int fd) {
        if (fd >= 0)
                close(fd); /* and with it the lock */
}

static char *entry_path(const char *id) {
        return vm_id_ok(id) ? strdup_printf("%s/%s.json", reg_dir, id) : NULL;
}

static int entry_write(const struct reg_vm *vm) {
        _cleanup_free_ char *p = entry_path(vm->id), *text = NULL;
        json_object *o = json_object_new_object();

        if (!p || !o) {
                json_object_put(o);
                return -ENOMEM;
        }
        json_object_object_add(o, "id", json_object_new_string(vm->id));
        json_object_object_add(o, "backend", json_object_new_string(vm->backend));
        json_object_object_add(o, "run_dir", json_object_new_string(strempty(vm->run_dir)));
        json_object_object_add(o, "chroot_base", json_object_new_string(strempty(vm->chroot_base)));
        json_object_object_add(o, "uid", json_object_new_int64(vm->uid));
        json_object_object_add(o, "slot", json_object_new_int(vm->slot));
        json_object_object_add(o, "net_base", json_object_new_int64(vm->net_base));
        json_object_object_add(o, "made", json_object_new_int((int) vm->made));
        json_object_object_add(o, "vmm", json_object_new_int(vm->vmm));
        json_object_object_add(o, "vmm_start", json_object_new_int64((int64_t) vm->vmm_start));
        json_object_object_add(o, "monitor", json_object_new_int(vm->monitor));
        json_object_object_add(o, "monitor_start", json_object_new_int64((int64_t) vm->monitor_start));
        json_object_object_add(o, "snapshot_tmp", json_object_new_string(strempty(vm->snapshot_tmp)));
        text = json_text(o);
        json_object_put(o);
        return text ? write_file_atomic(p, text, strlen(text), 0600) : -ENOMEM;
}

static int64_t jint(json_object *o, const char *key) {
        json_object *v;
        return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static const char *jstring(json_object *o, const char *key) {
        json_object *v;
        return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
                ? json_object_get_string(v)
                : "";
}

static int entry_read(const char *id, struct reg_vm *ret) {
        _cleanup_free_ char *p = entry_path(id), *text = NULL;
        json_object *o = NULL;
        size_t len;
        int k;

        if (!p)
                return -EINVAL;
        k = read_file_capped(p, 64 << 10, &text, &len);
        if (k < 0)
                return k;
        if (json_parse_strict(text, len, &o, NULL) < 0 || !json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                return -EBADMSG;
        }
        *ret = (struct reg_vm) { .uid = (uint32_t) jint(o, "uid"),
                                 .slot = (int) jint(o, "slot"),
                                 .net_base = (uint32_t) jint(o, "net_base"),
                                 .made = (unsigned) jint(o, "made"),
                                 .vmm = (pid_t) jint(o, "vmm"),
                                 .vmm_start = (unsigned long long) jint(o, "vmm_start"),
                                 .monitor = (pid_t) jint(o, "monitor"),
                                 .monitor_start = (unsigned long long) jint(o, "monitor_start") };
        snprintf(ret->id, sizeof(ret->id), "%s", jstring(o, "id"));
        snprintf(ret->backend, sizeof(ret->backend), "%s", jstring(o, "backend"));
        ret->run_dir = strdup(jstring(o, "run_dir"));
        ret->chroot_base = strdup(jstring(o, "chroot_base"));
        if (*jstring(o, "snapshot_tmp"))
                ret->snapshot_tmp = strdup(jstring(o, "snapshot_tmp"));
        json_object_put(o);
        if (!ret->run_dir || !ret->chroot_base) {
                reg_vm_done(ret);
                return -ENOMEM;
        }
        return streq(ret->id, id) ? 0 : (reg_vm_done(ret), -EBADMSG);
}

void reg_vm_done(struct reg_vm *vm) {
        free(vm->run_dir);
        free(vm->chroot_base);
        free(vm->snapshot_tmp);
        vm->run_dir = vm->chroot_base = vm->snapshot_tmp = NULL;
}

static int list_locked(char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        DIR *d = opendir(reg_dir);
        struct dirent *de;

        if (!d)
                return errno == ENOENT ? (*ret = NULL, 0) : -errno;
        while ((de = readdir(d))) {
                size_t n = strlen(de->d_name);
                if (n > 5 && streq(de->d_name + n - 5, ".json")) {
                        _cleanup_free_ char *id = strndup(de->d_name, n - 5);
                        if (!id || (vm_id_ok(id) && strv_extend(&l, id) < 0)) {
                                closedir(d);
                                return -ENOMEM;
                        }
                }
        }
        closedir(d);
        strv_sort(l);
        *ret = TAKE_PTR(l);
        return 0;
}

int reg_list(char ***ret) {
        int fd = reg_lock(), k;
        if (fd < 0)
                return fd;
        k = list_locked(ret);
        reg_unlock(fd);
        return k;
}

/* A process that has exited and waits to be reaped (state Z or X): it holds a pid and nothing
 * else, and a new VM's uid has nothing to fear from it. Its parent may be slow to reap it (init
 * reaps a daemonized VMM's), so it must not keep the uid. */
static bool proc_exited(int dirfd, const char *pid) {
        char path[64], buf[512];
        ssize_t n;
        const char *c;
        _cleanup_close_ int fd = -1;

        if (snprintf_ok(path, sizeof(path), "%s/stat", pid) < 0 || (fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC)) < 0)
                return true; /* gone already */
        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return true;
        buf[n] = '\0';
        /* "pid (comm) S ...": the comm may hold anything, the state follows its last ')' */
        c = strrchr(buf, ')');
        return c && c[1] == ' ' && (c[2] == 'Z' || c[2] == 'X');
}

/* The uids in [min, max] that running processes have (a uid an older launcher or an operator
 * uses is not free; one that only an exited, unreaped process has is): one pass over /proc,
 * whatever the range. */
static int proc_uids_in(uint32_t min, uint32_t max, uint32_t **ret, size_t *ret_n) {
        DIR *d = opendir("/proc");
        struct dirent *de;
        uint32_t *u = NULL;
        size_t n = 0, cap = 0;

        *ret = NULL;
        *ret_n = 0;
        if (!d)
                return 0;
        while ((de = readdir(d))) {
                struct stat st;
                if (de->d_name[0] < '1' || de->d_name[0] > '9' || fstatat(dirfd(d), de->d_name, &st, 0) < 0 ||
                    st.st_uid < min || st.st_uid > max || proc_exited(dirfd(d), de->d_name))
                        continue;
                if (n == cap) {
                        uint32_t *m = realloc(u, (cap = cap ? cap * 2 : 16) * sizeof(*u));
                        if (!m) {
                                free(u);
                                closedir(d);
                                return -ENOMEM;
                        }
                        u = m;
                }
                u[n++] = (uint32_t) st.st_uid;
        }
        closedir(d);
        *ret = u;
        *ret_n = n;
        return 0;
}

static uint32_t slot_base(const char *pool, unsigned slot) {
        struct vm_net n;
        struct in_addr a;
        if (net_plan(pool, slot, "x", &n) < 0 || inet_pton(AF_INET, n.host_ip, &a) != 1)
                return 0;
        return ntohl(a.s_addr) - 1;
}

int reg_claim(const struct reg_claim *c, struct reg_vm *ret, char **ret_error) {
        _cleanup_strv_free_ char **ids = NULL;
        struct reg_vm *all = NULL;
        _cleanup_free_ uint32_t *busy = NULL;
        size_t n = 0, nbusy = 0;
        int fd, k;

        if (!vm_id_ok(c->id))
                return set_error(ret_error, -EINVAL, "'%s' is not a VM name", c->id);
        fd = reg_lock();
        if (fd < 0)
                return set_error(ret_error, fd, "%s: %s", reg_dir, strerror(-fd));
        k = list_locked(&ids);
        if (k < 0)
                goto out;
        n = strv_length(ids);
        all = calloc(n ? n : 1, sizeof(*all));
        if (!all) {
                k = -ENOMEM;
                goto out;
        }
        for (size_t i = 0; i < n; i++) {
                if (entry_read(ids[i], &all[i]) < 0) {
                        /* unreadable: its uid and slot are unknown, so nothing is handed out */
                        k = set_error(ret_error, -EBADMSG, "%s/%s.json: unreadable: refusing to allocate", reg_dir,
                                      ids[i]);
                        goto out;
                }
                if (streq(ids[i], c->id)) {
                        k = set_error(ret_error, -EEXIST,
                                      "a VM named %s exists already (run dir %s; sis-launch clean %s)", c->id,
                                      all[i].run_dir, c->id);
                        goto out;
                }
        }
        *ret = (struct reg_vm) { .slot = -1 };
        snprintf(ret->id, sizeof(ret->id), "%s", c->id);
        snprintf(ret->backend, sizeof(ret->backend), "%s", c->backend);
        k = proc_uids_in(c->uid_min, c->uid_max, &busy, &nbusy);
        if (k < 0)
                goto out;
        k = -EUSERS;
        for (uint64_t u = c->uid_min; u <= c->uid_max; u++) {
                bool used = false;
                for (size_t i = 0; i < n && !used; i++)
                        used = all[i].uid == u;
                for (size_t i = 0; i < nbusy && !used; i++)
                        used = busy[i] == u;
                if (!used) {
                        ret->uid = (uint32_t) u;
                        k = 0;
                        break;
                }
        }
        if (k < 0) {
                k = set_error(ret_error, k, "no free uid in %u-%u", (unsigned) c->uid_min, (unsigned) c->uid_max);
                goto out;
        }
        if (c->net_pool) {
                unsigned slots;
                k = net_pool_slots(c->net_pool, &slots);
                for (unsigned s = 0; k >= 0 && s < slots; s++) {
                        uint32_t base = slot_base(c->net_pool, s);
                        char ifn[IF_NAMESIZE + 8];
                        bool used = false;
                        for (size_t i = 0; i < n && !used; i++)
                                used = all[i].slot == (int) s || (all[i].slot >= 0 && all[i].net_base == base);
                        snprintf(ifn, sizeof(ifn), "sisv%u", s);
                        if (used || if_nametoindex(ifn) > 0) /* an interface of that name is someone's */
                                continue;
                        ret->slot = (int) s;
                        ret->net_base = base;
                        break;
                }
                if (k < 0 || ret->slot < 0) {
                        k = set_error(ret_error, -EUSERS, "no free /30 in --net-pool %s", c->net_pool);
                        goto out;
                }
        }
        ret->run_dir = strdup(c->run_dir);
        ret->chroot_base = strdup(c->chroot_base);
        if (!ret->run_dir || !ret->chroot_base) {
                reg_vm_done(ret);
                k = -ENOMEM;
                goto out;
        }
        k = entry_write(ret);
        if (k < 0) {
                reg_vm_done(ret);
                k = set_error(ret_error, k, "%s/%s.json: %s", reg_dir, c->id, strerror(-k));
        }
out:
        for (size_t i = 0; all && i < n; i++)
                reg_vm_done(&all[i]);
        free(all);
        reg_unlock(fd);
        return k;
}

int reg_save(const struct reg_vm *vm) {
        struct reg_vm now = {};
        int fd = reg_lock(), k;

        if (fd < 0)
                return fd;
        /* the entry as it is: gone (clean dropped it: its uid and slot may be another VM's now), or
         * another claim of the name, is never written over */
        k = entry_read(vm->id, &now);
        if (k >= 0 && (now.uid != vm->uid || now.slot != vm->slot || !streq(now.backend, vm->backend)))
                k = -ESTALE;
        if (k >= 0)
                k = entry_write(vm);
        reg_vm_done(&now);
        reg_unlock(fd);
        return k;
}

int reg_update(const char *id, int (*fn)(struct reg_vm *vm, void *ud), void *ud) {
        struct reg_vm vm = {};
        int fd = reg_lock(), k;

        if (fd < 0)
                return fd;
        k = entry_read(id, &vm);
        if (k >= 0)
                k = fn(&vm, ud);
        if (k >= 0)
                k = entry_write(&vm);
        reg_vm_done(&vm);
        reg_unlock(fd);
        return k;
}

int reg_mark(struct reg_vm *vm, unsigned bit) {
        vm->made |= bit;
        return reg_save(vm);
}

int reg_unmark(struct reg_vm *vm, unsigned bit) {
        vm->made &= ~bit;
        return reg_save(vm);
}

int reg_load(const char *id, struct reg_vm *ret) {
        int fd = reg_lock(), k;
        if (fd < 0)
                return fd;
        k = entry_read(id, ret);
        reg_unlock(fd);
        return k;
}

int reg_drop(const char *id) {
        _cleanup_free_ char *p = entry_path(id);
        int fd, k = 0;

        if (!p)
                return -EINVAL;
        fd = reg_lock();
        if (fd < 0)
                return fd;
        if (unlink(p) < 0 && errno != ENOENT)
                k = -errno;
        {
                /* and what a writer killed between its temp file and the rename left */
                _cleanup_free_ char *prefix = strdup_printf("%s.json.tmp", id);
                DIR *d = prefix ? opendir(reg_dir) : NULL;
                struct dirent *de;
                while (d && (de = readdir(d)))
                        if (startswith(de->d_name, prefix))
                                (void) unlinkat(dirfd(d), de->d_name, 0);
                if (d)
                        closedir(d);
        }
        reg_unlock(fd);
        return k;
}

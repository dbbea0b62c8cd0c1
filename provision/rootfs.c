/* SPDX-License-Identifier: MIT */
/*
 * sis-provision rootfs: recipe -> base tree -> packages -> the SIS settings -> ext4, no root.
 *
 *   alpine: the pinned minirootfs (sha256, and its .asc with gpgme) unpacked into a work
 *           directory; its own apk run inside a user namespace (chroot, signatures on) against
 *           the recipe's repositories or a local one; owners and modes then come from apk's
 *           installed database, not from the disk (where everything belongs to the builder).
 *   debian: mmdebstrap writes a tarball (its own user namespace when not root), cached under a
 *           key that includes the archive's InRelease: same archive state, same tarball.
 *   then:   passwd/group/shadow, subuid/subgid, newuidmap setuid, containers.conf/storage.conf,
 *           fstab (/ read-only), runlevel links, inittab without gettys -- written by us into
 *           the in-memory tree -- and the tree streamed into mke2fs -d - (image.c);
 *           then a dm-verity hash tree appended to the image (verity.c), its root hash in the
 *           manifest: the guest's kernel checks every block of / against it.
 * The output directory (rootfs.ext4, sbom.cdx.json, manifest.json, SHA256SUMS) is published by
 * one rename.
 */
#include "rootfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>

#include "common.h"
#include "dump.h"
#include "exec.h"
#include "fetch.h"
#include "fileio.h"
#include "hash.h"
#include "image.h"
#include "recipe.h"
#include "sbom.h"
#include "tree.h"
#include "util.h"
#include "verity.h"

#define MANIFEST_VERSION 1
#define MAX_TEXT (4u << 20)

static const char *const rootfs_outputs[] = { "rootfs.ext4", "sbom.cdx.json", NULL };
static const char *const rootfs_published[] = { "rootfs.ext4", "sbom.cdx.json", "manifest.json", "SHA256SUMS", NULL };

struct build {
        const struct rootfs_opts *o;
        struct recipe r;
        enum distro d;
        const struct recipe_flavour *f;
        char *cache, *work, *base_path;
        char base_sha256[SHA256_HEX];
        char recipe_sha256[SHA256_HEX];
        char *archive_state;    /* debian: the InRelease sha256 the base was built from */
        int64_t epoch;
        json_object *packages;
        bool signature_checked;
};

#define STEP(b, ...) provision_step((b)->o->progress, __VA_ARGS__)

/* --- recipe identity ---------------------------------------------------------------------- */

static int hash_overlay_one(struct sha256_ctx *c, const char *root, const char *rel);

/* sha256 over every recipe file read and every overlay file (path, mode, contents). */
static int recipe_hash(struct build *b) {
        struct sha256_ctx *c;
        int k = sha256_begin(&c);

        for (size_t i = 0; k >= 0 && b->r.files[i]; i++) {
                _cleanup_free_ char *text = NULL;
                k = read_file_capped(b->r.files[i], 1 << 20, &text, NULL);
                if (k >= 0)
                        k = sha256_add(c, text, strlen(text) + 1);
        }
        for (size_t i = 0; k >= 0 && b->r.overlays && b->r.overlays[i]; i++) {
                _cleanup_free_ char *root = strdup_printf("%s/overlay/%s", b->o->recipes, b->r.overlays[i]);
                k = root ? hash_overlay_one(c, root, "") : -ENOMEM;
        }
        if (k < 0)
                return k;
        return sha256_end(c, b->recipe_sha256);
}

/* --- overlays ----------------------------------------------------------------------------- */

/* Walk an overlay directory in sorted order; for each file call fn. */
typedef int (*overlay_fn)(void *ud, const char *root, const char *rel, const struct stat *st);

static int overlay_walk(const char *root, const char *rel, overlay_fn fn, void *ud) {
        _cleanup_free_ char *dir = strdup_printf("%s/%s", root, rel);
        struct dirent **names = NULL;
        int n, k = 0;

        if (!dir)
                return -ENOMEM;
        n = scandir(dir, &names, NULL, alphasort);
        if (n < 0)
                return -errno;
        for (int i = 0; i < n; i++) {
                const char *nm = names[i]->d_name;
                _cleanup_free_ char *r = NULL, *p = NULL;
                struct stat st;
                if (k < 0 || streq(nm, ".") || streq(nm, "..")) {
                        free(names[i]);
                        continue;
                }
                r = *rel ? strdup_printf("%s/%s", rel, nm) : strdup(nm);
                p = strdup_printf("%s/%s", root, r ? r : "");
                if (!r || !p || lstat(p, &st) < 0)
                        k = -errno ? -errno : -ENOMEM;
                else {
                        k = fn(ud, root, r, &st);
                        if (k >= 0 && S_ISDIR(st.st_mode))
                                k = overlay_walk(root, r, fn, ud);
                }
                free(names[i]);
        }
        free(names);
        return k;
}

static int hash_one(void *ud, const char *root, const char *rel, const struct stat *st) {
        struct sha256_ctx *c = ud;
        _cleanup_free_ char *line = strdup_printf("%s %o\n", rel, (unsigned) st->st_mode), *p = strdup_printf("%s/%s", root, rel);
        char hex[SHA256_HEX] = "";
        int k;

        if (!line || !p)
                return -ENOMEM;
        k = sha256_add(c, line, strlen(line));
        if (k >= 0 && S_ISREG(st->st_mode) && (k = sha256_file(p, hex)) >= 0)
                k = sha256_add(c, hex, strlen(hex));
        return k;
}

static int hash_overlay_one(struct sha256_ctx *c, const char *root, const char *rel) {
        return overlay_walk(root, rel, hash_one, c);
}

static int copy_one(void *ud, const char *root, const char *rel, const struct stat *st) {
        struct tree *t = ud;
        _cleanup_free_ char *p = strdup_printf("%s/%s", root, rel), *text = NULL;
        size_t len;
        int k;

        if (!p)
                return -ENOMEM;
        if (S_ISDIR(st->st_mode))
                return tree_find(t, rel) ? 0 : tree_put_dir(t, rel, 0755, 0, 0);
        if (S_ISLNK(st->st_mode)) {
                char buf[4096];
                ssize_t n = readlink(p, buf, sizeof(buf) - 1);
                if (n < 0)
                        return -errno;
                buf[n] = '\0';
                return tree_put_symlink(t, rel, buf);
        }
        if (!S_ISREG(st->st_mode))
                return -EINVAL;
        k = read_file_capped(p, MAX_TEXT, &text, &len);
        if (k < 0)
                return k;
        /* overlay files are root's: executable or not, never setuid */
        return tree_put_file(t, rel, text, len, st->st_mode & 0111 ? 0755 : 0644, 0, 0);
}

/* --- small text helpers -------------------------------------------------------------------- */

static int read_tree_text(struct tree *t, const char *path, char **ret) {
        struct tree_entry *e = tree_find(t, path);
        if (!e || !S_ISREG(e->mode)) {
                *ret = strdup("");
                return *ret ? 0 : -ENOMEM;
        }
        return tree_read(t, e, MAX_TEXT, ret, NULL);
}

/* Rewrite a colon-separated database (passwd, group, shadow...): drop the lines whose first field
 * is name (or whose third field is id, when id is set), lock root's password when lock_root, then
 * append line. Keeps the file's mode and owner. */
static int edit_db(struct tree *t, const char *path, const char *name, const char *id, bool lock_root, const char *line) {
        _cleanup_free_ char *old = NULL;
        struct tree_entry *e = tree_find(t, path);
        mode_t perm = e ? e->mode & 07777 : 0644;
        uid_t uid = e ? e->uid : 0;
        gid_t gid = e ? e->gid : 0;
        struct sbuf out = {};
        const char *p;
        int k = read_tree_text(t, path, &old);

        if (k < 0)
                return k;
        for (p = old; *p;) {
                size_t len = strcspn(p, "\n");
                _cleanup_free_ char *l = strndup(p, len);
                p += len + (p[len] == '\n');
                if (!l)
                        return -ENOMEM;
                if (!*l)
                        continue;
                {
                        /* field 1 is the name, field 3 the numeric id */
                        size_t l0 = strcspn(l, ":"), nf = 0;
                        const char *f2 = NULL;
                        for (const char *c = l; *c; c++)
                                if (*c == ':' && ++nf == 2)
                                        f2 = c + 1;
                        if (l0 == strlen(name) && strncmp(l, name, l0) == 0)
                                continue;
                        if (id && f2 && strncmp(f2, id, strlen(id)) == 0 && (f2[strlen(id)] == ':' || f2[strlen(id)] == '\0'))
                                continue;
                        if (lock_root && l0 == 4 && strncmp(l, "root", 4) == 0) {
                                const char *rest = strchr(l + 5, ':');
                                sbuf_printf(&out, "root:*%s\n", rest ? rest : "");
                                continue;
                        }
                }
                sbuf_printf(&out, "%s\n", l);
        }
        sbuf_puts(&out, line);
        {
                _cleanup_free_ char *text = sbuf_steal(&out);
                if (!text)
                        return -ENOMEM;
                return tree_put_file(t, path, text, strlen(text), perm, uid, gid);
        }
}

static int put_text(struct tree *t, const char *path, mode_t perm, const char *text) {
        return tree_put_file(t, path, text, strlen(text), perm, 0, 0);
}

/* --- the SIS settings --------------------------------------------------------------------- */

static int sis_settings(struct build *b, struct tree *t, char **err) {
        const struct recipe *r = &b->r;
        _cleanup_free_ char *home = strdup_printf("/home/%s", r->user), *pw = NULL, *gr = NULL, *sh = NULL, *gs = NULL,
                            *sub = NULL, *uidstr = strdup_printf("%u", r->uid), *gidstr = strdup_printf("%u", r->gid),
                            *storage = NULL, *containers = NULL, *fstab = NULL, *inittab = NULL, *hostname = NULL;
        const char *shell = b->d == DISTRO_ALPINE ? "/bin/sh" : "/bin/sh";
        int k;

        if (!home || !uidstr || !gidstr)
                return -ENOMEM;
        /* first what the recipe drops (caches, logs); the mount points below come back */
        for (char **p = b->f->remove; p && *p; p++)
                (void) tree_remove(t, *p);
        /* the user: fixed ids, no password, written by us (adduser stamps today's date) */
        pw = strdup_printf("%s:x:%u:%u:SIS session:%s:%s\n", r->user, r->uid, r->gid, home, shell);
        gr = strdup_printf("%s:x:%u:\n", r->user, r->gid);
        sh = strdup_printf("%s:!::0:99999:7:::\n", r->user);
        gs = strdup_printf("%s:!::\n", r->user);
        sub = strdup_printf("%s:%u:%u\n", r->user, r->subid_start, r->subid_count);
        if (!pw || !gr || !sh || !gs || !sub)
                return -ENOMEM;
        if ((k = edit_db(t, "etc/passwd", r->user, uidstr, false, pw)) < 0 ||
            (k = edit_db(t, "etc/group", r->user, gidstr, false, gr)) < 0 ||
            (k = edit_db(t, "etc/shadow", r->user, NULL, true, sh)) < 0)
                return set_error(err, k, "cannot write the user into /etc: %s", strerror(-k));
        if (tree_find(t, "etc/gshadow") && (k = edit_db(t, "etc/gshadow", r->user, NULL, false, gs)) < 0)
                return k;
        if ((k = put_text(t, "etc/subuid", 0644, sub)) < 0 || (k = put_text(t, "etc/subgid", 0644, sub)) < 0)
                return k;

        /* new[ug]idmap: setuid root, whatever the package manager left on disk */
        for (int i = 0; i < 2; i++) {
                const char *names[] = { "usr/bin/newuidmap", "usr/bin/newgidmap" };
                struct tree_entry *e = tree_find(t, names[i]);
                if (!e || !S_ISREG(e->mode))
                        return set_error(err, -ENOENT, "the packages installed no /%s (Alpine: shadow-uidmap; Debian: uidmap)",
                                         names[i]);
                e->mode = S_IFREG | 04755;
                e->uid = e->gid = 0;
        }

        /* rootless Podman under OpenRC: no systemd, so cgroupfs and a file event log; storage on the
         * home disk (the default path is already under $HOME, said explicitly here) */
        storage = strdup_printf("# Written by sis-provision: rootless storage lives on the home disk (%s).\n"
                                "[storage]\n"
                                "driver = \"overlay\"\n"
                                "rootless_storage_path = \"%s/.local/share/containers/storage\"\n"
                                "\n"
                                "[storage.options.overlay]\n"
                                "mount_program = \"/usr/bin/fuse-overlayfs\"\n",
                                home, home);
        containers = strdup_printf("# Written by sis-provision: rootless Podman under OpenRC (no systemd).\n"
                                   "[containers]\n"
                                   "cgroupns = \"private\"\n"
                                   "\n"
                                   "[engine]\n"
                                   "cgroup_manager = \"cgroupfs\"\n"
                                   "events_logger = \"file\"\n"
                                   "runtime = \"crun\"\n");
        if (!storage || !containers)
                return -ENOMEM;
        if ((k = put_text(t, "etc/containers/storage.conf", 0644, storage)) < 0 ||
            (k = put_text(t, "etc/containers/containers.conf", 0644, containers)) < 0)
                return k;

        /* / read-only, the home disk, tmpfs for everything that must be written */
        fstab = strdup_printf("# Written by sis-provision. / is shared by every VM and never written.\n"
                              "LABEL=rootfs\t/\text4\tro,noatime\t0 0\n"
                              "LABEL=home\t%s\text4\trw,nosuid,nodev,noatime\t0 2\n"
                              "tmpfs\t/tmp\ttmpfs\tnosuid,nodev,mode=1777\t0 0\n"
                              "tmpfs\t/run\ttmpfs\tnosuid,nodev,mode=0755\t0 0\n"
                              "tmpfs\t/var/tmp\ttmpfs\tnosuid,nodev,mode=1777\t0 0\n"
                              "tmpfs\t/var/log\ttmpfs\tnosuid,nodev,mode=0755\t0 0\n",
                              home);
        if (!fstab || (k = put_text(t, "etc/fstab", 0644, fstab)) < 0)
                return -ENOMEM;
        if ((k = tree_put_dir(t, home, 0700, r->uid, r->gid)) < 0 || (k = tree_put_dir(t, "tmp", 01777, 0, 0)) < 0 ||
            (k = tree_put_dir(t, "var/tmp", 01777, 0, 0)) < 0 || (k = tree_put_dir(t, "run", 0755, 0, 0)) < 0 ||
            (k = tree_put_dir(t, "var/log", 0755, 0, 0)) < 0)
                return set_error(err, k, "cannot create the mount points: %s", strerror(-k));
        /* Debian's bootclean (checkroot-bootclean.sh, before mountall.sh) writes /tmp/.clean on the
         * read-only root and fails, taking mountall.sh down with it, unless /tmp says it is a tmpfs */
        if (b->d == DISTRO_DEBIAN && (k = put_text(t, "tmp/.tmpfs", 0644, "")) < 0)
                return k;

        /* the network comes from the kernel's ip= argument; so do the name servers */
        (void) tree_remove(t, "etc/resolv.conf");
        if ((k = tree_put_symlink(t, "etc/resolv.conf", "/proc/net/pnp")) < 0)
                return k;
        hostname = strdup_printf("%s\n", r->hostname ? r->hostname : "sis");
        if (!hostname || (k = put_text(t, "etc/hostname", 0644, hostname)) < 0)
                return -ENOMEM;

        /* no getty unless the recipe asks for a console */
        {
                _cleanup_free_ char *old = NULL;
                struct sbuf sb = {};
                k = read_tree_text(t, "etc/inittab", &old);
                if (k < 0)
                        return k;
                for (const char *p = old; *p;) {
                        size_t len = strcspn(p, "\n");
                        _cleanup_free_ char *l = strndup(p, len);
                        p += len + (p[len] == '\n');
                        if (l && !strstr(l, "getty"))
                                sbuf_printf(&sb, "%s\n", l);
                }
                if (r->console) {
                        if (b->d == DISTRO_ALPINE)
                                sbuf_printf(&sb, "%s::respawn:/sbin/getty -L 115200 %s vt100\n", r->console, r->console);
                        else
                                sbuf_printf(&sb, "S0:2345:respawn:/sbin/getty -L %s 115200 vt100\n", r->console);
                }
                inittab = sbuf_steal(&sb);
                if (!inittab || (k = put_text(t, "etc/inittab", 0644, inittab)) < 0)
                        return -ENOMEM;
        }

        /* OpenRC runlevels: plain symlinks, as rc-update would make them; the recipe's lists are the
         * whole truth (what package scripts added is dropped) */
        for (int rl = 0; rl < _RL_MAX; rl++) {
                _cleanup_free_ char *dir = strdup_printf("etc/runlevels/%s", runlevel_names[rl]);
                if (!dir || (k = tree_remove(t, dir)) < 0 || (k = tree_put_dir(t, dir, 0755, 0, 0)) < 0)
                        return -ENOMEM;
                for (char **s = b->f->runlevels[rl]; s && *s; s++) {
                        _cleanup_free_ char *svc = strdup_printf("etc/init.d/%s", *s), *link = strdup_printf("%s/%s", dir, *s),
                                            *target = strdup_printf("/etc/init.d/%s", *s);
                        struct tree_entry *e;
                        if (!svc || !link || !target)
                                return -ENOMEM;
                        e = tree_find(t, svc);
                        if (!e || !S_ISREG(e->mode))
                                return set_error(err, -ENOENT, "runlevel %s: no service /%s in the tree (recipe %s)",
                                                 runlevel_names[rl], svc, r->name);
                        if ((k = tree_put_symlink(t, link, target)) < 0)
                                return k;
                }
        }
        return 0;
}

/* --- package lists for the manifest ------------------------------------------------------- */

static int cmp_pkg(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* "name version" lines from dpkg's status or apk's installed database. */
static json_object *package_list(struct tree *t, enum distro d) {
        _cleanup_free_ char *text = NULL, *name = NULL;
        _cleanup_strv_free_ char **list = NULL;
        bool installed = d == DISTRO_ALPINE;
        json_object *arr;

        if (read_tree_text(t, d == DISTRO_ALPINE ? "lib/apk/db/installed" : "var/lib/dpkg/status", &text) < 0)
                return NULL;
        for (const char *p = text; *p;) {
                size_t len = strcspn(p, "\n");
                _cleanup_free_ char *l = strndup(p, len);
                p += len + (p[len] == '\n');
                if (!l)
                        return NULL;
                if (d == DISTRO_ALPINE) {
                        if (startswith(l, "P:")) {
                                free(name);
                                name = strdup(l + 2);
                        } else if (startswith(l, "V:") && name)
                                (void) strv_push(&list, strdup_printf("%s %s", name, l + 2));
                } else {
                        if (startswith(l, "Package: ")) {
                                free(name);
                                name = strdup(l + 9);
                                installed = false;
                        } else if (startswith(l, "Status: "))
                                installed = streq(l + 8, "install ok installed");
                        else if (startswith(l, "Version: ") && name && installed)
                                (void) strv_push(&list, strdup_printf("%s %s", name, l + 9));
                }
        }
        if (list)
                qsort(list, strv_length(list), sizeof(char *), cmp_pkg);
        arr = json_object_new_array();
        for (size_t i = 0; list && list[i]; i++) {
                json_object *o = json_object_new_object();
                char *sp = strchr(list[i], ' ');
                *sp = '\0';
                json_object_object_add(o, "name", json_object_new_string(list[i]));
                json_object_object_add(o, "version", json_object_new_string(sp + 1));
                json_object_array_add(arr, o);
        }
        return arr;
}

/* --- alpine ------------------------------------------------------------------------------- */

/* apk's installed database records each file's owner and mode ("a:uid:gid:mode" after "R:name",
 * "M:" after "F:dir"): the truth, since on disk everything belongs to the builder. */
static int apply_apk_db(struct tree *t) {
        _cleanup_free_ char *text = NULL, *dir = NULL, *file = NULL;
        int k = read_tree_text(t, "lib/apk/db/installed", &text);

        if (k < 0)
                return k;
        for (const char *p = text; *p;) {
                size_t len = strcspn(p, "\n");
                _cleanup_free_ char *l = strndup(p, len);
                unsigned u, g, m;
                p += len + (p[len] == '\n');
                if (!l)
                        return -ENOMEM;
                if (startswith(l, "F:")) {
                        free(dir);
                        dir = strdup(l + 2);
                } else if (startswith(l, "R:")) {
                        free(file);
                        file = dir && *dir ? strdup_printf("%s/%s", dir, l + 2) : strdup(l + 2);
                } else if ((startswith(l, "a:") || startswith(l, "M:")) && sscanf(l + 2, "%u:%u:%o", &u, &g, &m) == 3) {
                        struct tree_entry *e = tree_find(t, l[0] == 'a' ? strempty(file) : strempty(dir));
                        if (e && !S_ISLNK(e->mode)) {
                                e->uid = u;
                                e->gid = g;
                                e->mode = (e->mode & S_IFMT) | (m & 07777);
                        }
                } else if (!*l) {
                        free(dir);
                        free(file);
                        dir = file = NULL;
                }
        }
        return 0;
}

static int write_proc(const char *path, const char *text) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t) strlen(text))
                return -errno;
        return 0;
}

static int bind_dev(const char *root, const char *name) {
        _cleanup_free_ char *host = strdup_printf("/dev/%s", name), *inside = strdup_printf("%s/dev/%s", root, name);
        int fd;
        if (!host || !inside)
                return -ENOMEM;
        fd = open(inside, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        close(fd);
        return mount(host, inside, NULL, MS_BIND, NULL) < 0 ? -errno : 0;
}

/* In a child: a user namespace where the builder is root (only the builder's own ids are mapped),
 * a mount namespace with /dev and /tmp as private tmpfs, then chroot into the tree and exec argv. */
static _Noreturn void apk_child(const char *root, const char *repo, char *const argv[], int log_fd) {
        uid_t uid = geteuid();
        gid_t gid = getegid();
        _cleanup_free_ char *um = strdup_printf("0 %u 1\n", (unsigned) uid), *gm = strdup_printf("0 %u 1\n", (unsigned) gid),
                            *dev = strdup_printf("%s/dev", root), *tmp = strdup_printf("%s/tmp", root),
                            *repo_in = strdup_printf("%s/tmp/sis-repo", root);
        char *envp[] = { (char *) "PATH=/usr/sbin:/usr/bin:/sbin:/bin", (char *) "HOME=/root", (char *) "LC_ALL=C", NULL };
        const char *failed = NULL;

        if (dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0)
                _exit(127);
        if (!um || !gm || !dev || !tmp || !repo_in)
                _exit(127);
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
                failed = "unshare(CLONE_NEWUSER|CLONE_NEWNS)";
        else if (write_proc("/proc/self/uid_map", um) < 0 || write_proc("/proc/self/setgroups", "deny") < 0 ||
                 write_proc("/proc/self/gid_map", gm) < 0)
                failed = "writing the id maps";
        else if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                failed = "making mounts private";
        else if (mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755") < 0 ||
                 mount("tmpfs", tmp, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
                failed = "mounting tmpfs on /dev and /tmp";
        else if (bind_dev(root, "null") < 0 || bind_dev(root, "zero") < 0 || bind_dev(root, "urandom") < 0 ||
                 bind_dev(root, "random") < 0)
                failed = "binding /dev/null, zero, random and urandom";
        else if (repo && (mkdir(repo_in, 0755) < 0 || mount(repo, repo_in, NULL, MS_BIND | MS_RDONLY, NULL) < 0))
                failed = "binding the local repository";
        else if (chroot(root) < 0 || chdir("/") < 0)
                failed = "chroot into the tree";
        if (failed) {
                dprintf(2, "sis-provision: %s: %s\n", failed, strerror(errno));
                _exit(126);
        }
        execve(argv[0], argv, envp);
        dprintf(2, "sis-provision: cannot run %s in the tree: %s\n", argv[0], strerror(errno));
        _exit(127);
}

static int run_apk(struct build *b, struct tree *t, char **err) {
        _cleanup_free_ char *logp = strdup_printf("%s/apk.log", b->work), *repos = NULL, *reposf = NULL;
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_close_ int log = -1;
        struct stat st;
        struct sbuf sb = {};
        pid_t pid;
        int status, k;

        if (!logp)
                return -ENOMEM;
        if (b->o->repo) {
                if (stat(b->o->repo, &st) < 0 || !S_ISDIR(st.st_mode))
                        return set_error(err, -ENOENT, "--repo %s: not a directory", b->o->repo);
                sbuf_puts(&sb, "/tmp/sis-repo\n");
        } else if (b->o->offline)
                return set_error(err, -ENETUNREACH, "--offline: the Alpine packages need --repo DIR (a local repository)");
        else
                for (char **r = b->f->repositories; *r; r++)
                        sbuf_printf(&sb, "%s\n", *r);
        repos = sbuf_steal(&sb);
        /* the repositories file lives in the work dir, outside the tree, and is read through /proc:
         * no: apk runs chrooted, so it goes next to the keys, and is removed from the image after */
        reposf = strdup_printf("%s/tree/etc/apk/repositories.sis", b->work);
        if (!repos || !reposf)
                return -ENOMEM;
        k = write_file_atomic(reposf, repos, strlen(repos), 0644);
        if (k < 0)
                return set_error(err, k, "%s: %s", reposf, strerror(-k));
        /* signatures stay on: no --allow-untrusted, keys from the minirootfs's /etc/apk/keys */
        if (strv_extend(&argv, "/sbin/apk") < 0 || strv_extend(&argv, "add") < 0 || strv_extend(&argv, "--no-progress") < 0 ||
            strv_extend(&argv, "--no-cache") < 0 || strv_extend(&argv, "--repositories-file") < 0 ||
            strv_extend(&argv, "/etc/apk/repositories.sis") < 0 || strv_extend(&argv, "--keys-dir") < 0 ||
            strv_extend(&argv, "/etc/apk/keys") < 0 || (b->o->offline && strv_extend(&argv, "--no-network") < 0))
                return -ENOMEM;
        for (char **p = b->f->packages; *p; p++)
                if (strv_extend(&argv, *p) < 0)
                        return -ENOMEM;
        log = open(logp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (log < 0)
                return set_error(err, -errno, "%s: %s", logp, strerror(errno));
        {
                _cleanup_free_ char *root = strdup_printf("%s/tree", b->work);
                if (!root)
                        return -ENOMEM;
                pid = fork();
                if (pid < 0)
                        return -errno;
                if (pid == 0)
                        apk_child(root, b->o->repo, argv, log);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                _cleanup_free_ char *text = NULL;
                (void) read_file_capped(logp, 1 << 20, &text, NULL);
                if (text) {
                        /* the last line says what went wrong */
                        size_t n = strlen(text);
                        while (n > 0 && text[n - 1] == '\n')
                                text[--n] = '\0';
                        char *last = strrchr(text, '\n');
                        return set_error(err, -EIO, "apk failed (exit %d): %s (log: %s)", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
                                         last ? last + 1 : text, logp);
                }
                return set_error(err, -EIO, "apk failed; see %s", logp);
        }
        (void) unlink(reposf);
        k = tree_rescan(t, err);
        if (k < 0)
                return k;
        return apply_apk_db(t);
}

static int alpine_base(struct build *b, char **err) {
        const char *src = b->o->base ? b->o->base : b->f->base_url;
        /* --base without --sha256 is a local copy of the recipe's pinned file */
        const char *want = b->o->base && b->o->sha256 ? b->o->sha256 : b->f->base_sha256;
        char hex[SHA256_HEX];
        int k;

        if (startswith(src, "https://")) {
                _cleanup_free_ char *asc_url = strdup_printf("%s.asc", src), *asc = NULL;
                if (!want)
                        return set_error(err, -EINVAL, "--base %s: a URL needs --sha256", src);
                {
                        _cleanup_free_ char *cached = strdup_printf("%s/downloads/%s", b->cache, want);
                        if (b->o->offline && (!cached || access(cached, R_OK) < 0))
                                return set_error(err, -ENETUNREACH, "--offline: %s is not in the cache (%s)", src, strna(cached));
                }
                if (fetch_verified(src, want, b->cache, b->o->progress, &b->base_path) != 0)
                        return -EINVAL; /* fetch printed why */
                /* the release's signature, when online */
                if (!b->o->offline && b->f->signing_key && asc_url && (asc = fetch_text(asc_url))) {
                        k = gpg_verify_detached(b->base_path, asc, strlen(asc), b->f->signing_key, err);
                        if (k == -ENOKEY) {
                                fprintf(stderr, "sis-provision: warning: %s; the signature is not checked (gpg --recv-keys %s)\n",
                                        *err, b->f->signing_key);
                                free(*err);
                                *err = NULL;
                        } else if (k < 0)
                                return k;
                        else
                                b->signature_checked = true;
                }
        } else {
                _cleanup_free_ char *asc_path = strdup_printf("%s.asc", src), *asc = NULL;
                size_t asc_len = 0;
                if (!asc_path)
                        return -ENOMEM;
                if (access(src, R_OK) < 0)
                        return set_error(err, -ENOENT, "--base %s: %s", src, strerror(errno));
                b->base_path = strdup(src);
                if (!b->base_path)
                        return -ENOMEM;
                if (read_file_capped(asc_path, 1 << 16, &asc, &asc_len) >= 0) {
                        if (!b->f->signing_key)
                                return set_error(err, -EINVAL, "%s: the recipe pins no signing-key to check it with", asc_path);
                        k = gpg_verify_detached(src, asc, asc_len, b->f->signing_key, err);
                        if (k < 0)
                                return k;
                        b->signature_checked = true;
                }
        }
        k = sha256_file(b->base_path, hex);
        if (k < 0)
                return set_error(err, k, "%s: %s", b->base_path, strerror(-k));
        if (want && strcasecmp(hex, want) != 0)
                return set_error(err, -EBADMSG, "--base %s: sha256 %s, expected %s", src, hex, want);
        memcpy(b->base_sha256, hex, SHA256_HEX);
        return 0;
}

/* --- debian ------------------------------------------------------------------------------- */

static int debian_base(struct build *b, char **err) {
        const char *mirror = b->o->mirror ? b->o->mirror : b->f->repositories[0];
        const char *suite = b->o->release ? b->o->release : b->f->release;
        const char *variant = b->f->variant ? b->f->variant : "minbase";
        _cleanup_free_ char *inrel_url = strdup_printf("%s/dists/%s/InRelease", mirror, suite), *inrel = NULL,
                            *state_dir = strdup_printf("%s/debian", b->cache), *state_file = NULL, *mm = NULL,
                            *inputs = NULL, *dest = NULL, *part = NULL, *logp = NULL, *pkgs = NULL, *sde = NULL,
                            *include = NULL;
        char state[SHA256_HEX] = "", key[SHA256_HEX], ikey[SHA256_HEX];
        struct sbuf sb = {};
        int k;

        if (!inrel_url || !state_dir)
                return -ENOMEM;
        /* the inputs without the archive state: where the last state seen is remembered */
        for (char **p = b->f->packages; *p; p++)
                sbuf_printf(&sb, "%s%s", p == b->f->packages ? "" : ",", *p);
        pkgs = sbuf_steal(&sb);
        inputs = strdup_printf("mmdebstrap\n%s\n%s\n%s\n%s\n%lld\n", mirror, suite, variant, strempty(pkgs), (long long) b->epoch);
        if (!pkgs || !inputs || sha256_buf(inputs, strlen(inputs), ikey) < 0)
                return -ENOMEM;
        state_file = strdup_printf("%s/%s.state", state_dir, ikey);
        if (!state_file || mkdir_parents(state_dir, 0755) < 0)
                return -ENOMEM;
        if (b->o->offline) {
                _cleanup_free_ char *s = NULL;
                if (read_file_capped(state_file, 128, &s, NULL) < 0)
                        return set_error(err, -ENETUNREACH, "--offline: no Debian base for these inputs in the cache (%s)", b->cache);
                strstrip(s);
                snprintf(state, sizeof(state), "%s", s);
        } else {
                inrel = fetch_text(inrel_url);
                if (!inrel)
                        return set_error(err, -ENETUNREACH, "%s: cannot fetch the archive's InRelease", inrel_url);
                (void) sha256_buf(inrel, strlen(inrel), state);
        }
        /* the base's key: the inputs plus the archive state they were resolved against */
        {
                _cleanup_free_ char *full = strdup_printf("%s%s\n", inputs, state);
                if (!full || sha256_buf(full, strlen(full), key) < 0)
                        return -ENOMEM;
        }
        b->archive_state = strdup(state);
        dest = strdup_printf("%s/%s.tar", state_dir, key);
        if (!dest || !b->archive_state)
                return -ENOMEM;
        if (access(dest, R_OK) == 0)
                STEP(b, "the cache holds this Debian base already (%.12s)", key);
        else if (b->o->offline)
                return set_error(err, -ENETUNREACH, "--offline: the Debian base %.12s is not in the cache", key);
        else {
                part = strdup_printf("%s/%s.tar.part", state_dir, key);
                logp = strdup_printf("%s/mmdebstrap.log", b->work);
                sde = strdup_printf("SOURCE_DATE_EPOCH=%lld", (long long) b->epoch);
                include = strdup_printf("--include=%s", pkgs);
                mm = strdup_printf("--variant=%s", variant);
                if (!part || !logp || !sde || !include || !mm)
                        return -ENOMEM;
                STEP(b, "mmdebstrap %s from %s (%zu packages asked for)", suite, mirror, strv_length(b->f->packages));
                {
                        _cleanup_close_ int log = open(logp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                        char *env[] = { sde, (char *) "LC_ALL=C.UTF-8", NULL };
                        char *argv[] = { (char *) "mmdebstrap", (char *) (geteuid() == 0 ? "--mode=root" : "--mode=unshare"), mm,
                                         (char *) "--format=tar", (char *) "--quiet", include, (char *) suite, part,
                                         (char *) mirror, NULL };
                        if (log < 0)
                                return set_error(err, -errno, "%s: %s", logp, strerror(errno));
                        (void) unlink(part);
                        k = exec_logged(NULL, argv, env, log, NULL, NULL);
                        if (k != 0) {
                                (void) unlink(part);
                                return set_error(err, -EIO, "mmdebstrap failed (%s %d); see %s", k < 0 ? "error" : "exit",
                                                 k < 0 ? -k : k, logp);
                        }
                }
                if (rename(part, dest) < 0)
                        return set_error(err, -errno, "%s: %s", dest, strerror(errno));
        }
        if (!b->o->offline) {
                _cleanup_free_ char *line = strdup_printf("%s\n", state);
                if (line)
                        (void) write_file_atomic(state_file, line, strlen(line), 0644);
        }
        b->base_path = TAKE_PTR(dest);
        k = sha256_file(b->base_path, b->base_sha256);
        return k < 0 ? set_error(err, k, "%s: %s", b->base_path, strerror(-k)) : 0;
}

/* --- the build ---------------------------------------------------------------------------- */

/* Work directories are per process: a crashed build's is removed by the next one. */
static char *work_dir(const char *cache) {
        _cleanup_free_ char *root = strdup_printf("%s/work", cache);
        DIR *d;
        struct dirent *de;

        if (!root || mkdir_parents(root, 0755) < 0)
                return NULL;
        d = opendir(root);
        while (d && (de = readdir(d))) {
                uint32_t pid;
                if (safe_atou32(de->d_name, &pid) >= 0 && pid > 0 && kill((pid_t) pid, 0) < 0 && errno == ESRCH) {
                        _cleanup_free_ char *p = strdup_printf("%s/%s", root, de->d_name);
                        if (p)
                                (void) rm_rf(p);
                }
        }
        if (d)
                closedir(d);
        {
                char *w = strdup_printf("%s/%d", root, (int) getpid());
                if (w) {
                        (void) rm_rf(w);
                        if (mkdir(w, 0700) < 0) {
                                free(w);
                                return NULL;
                        }
                }
                return w;
        }
}

static void derive_id(const char *key, const char *what, unsigned char out[16]) {
        _cleanup_free_ char *s = strdup_printf("sis-provision %s %s", what, key);
        char hex[SHA256_HEX] = "";
        if (s)
                (void) sha256_buf(s, strlen(s), hex);
        uuid_from_hex(hex, out);
}

/* 32 bytes from the build's identity: the verity salt, the same for the same inputs */
static void derive_salt(const char *key, unsigned char out[VERITY_SALT_BYTES]) {
        _cleanup_free_ char *s = strdup_printf("sis-provision verity_salt %s", key);
        char hex[SHA256_HEX] = "";
        if (s)
                (void) sha256_buf(s, strlen(s), hex);
        for (unsigned i = 0; i < VERITY_SALT_BYTES; i++) {
                unsigned v = 0;
                sscanf(hex + 2 * i, "%2x", &v);
                out[i] = (unsigned char) v;
        }
}

static int rootfs_run(struct build *b, char **err) {
        const struct rootfs_opts *o = b->o;
        _cleanup_free_ char *mkver = NULL, *treedir = NULL, *outtmp = NULL, *img = NULL, *keytext = NULL;
        struct tree t = { .work_fd = -1 };
        struct image_opts io = { .label = "rootfs", .root_perms = 0755, .size = o->size };
        struct verity_info vi;
        char key[SHA256_HEX], uuid[37];
        struct timespec t0, t1;
        int k;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        k = distro_from_name(o->distro);
        if (k < 0)
                return set_error(err, -EINVAL, "--distro %s: not alpine or debian", o->distro);
        b->d = k;
        b->f = &b->r.flavour[b->d];
        k = recipe_load(o->recipes, o->recipe, &b->r, err);
        if (k < 0)
                return k;
        if (o->release && b->d == DISTRO_ALPINE && !o->base && !streq(o->release, strempty(b->f->release)))
                return set_error(err, -EINVAL, "--release %s: recipe %s pins a base only for Alpine %s (give --base and --sha256)",
                                 o->release, o->recipe, strna(b->f->release));
        k = recipe_validate(&b->r, b->d, err);
        if (k < 0)
                return k;
        k = recipe_hash(b);
        if (k < 0)
                return set_error(err, k, "cannot read the recipe's overlays: %s", strerror(-k));
        k = mke2fs_check(&mkver, err);
        if (k < 0)
                return k;
        {
                const char *sde = getenv("SOURCE_DATE_EPOCH");
                int64_t e;
                if (sde && *sde) {
                        if (safe_atoi64(sde, &e) < 0 || e <= 0)
                                return set_error(err, -EINVAL, "SOURCE_DATE_EPOCH=%s: not seconds since 1970", sde);
                        b->epoch = e;
                } else if (b->r.epoch > 0)
                        b->epoch = b->r.epoch;
                else
                        return set_error(err, -EINVAL, "recipe %s has no epoch and SOURCE_DATE_EPOCH is not set", o->recipe);
        }
        b->cache = provision_cache_root(o->cache);
        b->work = b->cache ? work_dir(b->cache) : NULL;
        if (!b->work)
                return set_error(err, -EIO, "cannot create a work directory in the cache %s", strna(b->cache));

        STEP(b, "recipe %s (%.12s), %s %s", o->recipe, b->recipe_sha256, distro_names[b->d],
             o->release ? o->release : b->f->release);
        k = b->d == DISTRO_ALPINE ? alpine_base(b, err) : debian_base(b, err);
        if (k < 0)
                return k;
        STEP(b, "base %s (sha256 %.12s%s)", b->base_path, b->base_sha256, b->signature_checked ? ", good signature" : "");

        treedir = strdup_printf("%s/tree", b->work);
        if (!treedir || (k = tree_init(&t, treedir)) < 0)
                return set_error(err, -EIO, "cannot create %s", strna(treedir));
        k = tree_load_tar(&t, b->base_path, err);
        if (k < 0)
                goto out;
        STEP(b, "unpacked %zu entries", t.n);
        if (b->d == DISTRO_ALPINE) {
                STEP(b, "apk add %zu packages in a user namespace (%s)", strv_length(b->f->packages),
                     o->repo ? o->repo : "the recipe's repositories");
                k = run_apk(b, &t, err);
                if (k < 0)
                        goto out;
        }
        for (char **ov = b->r.overlays; ov && *ov; ov++) {
                _cleanup_free_ char *root = strdup_printf("%s/overlay/%s", o->recipes, *ov);
                k = root ? overlay_walk(root, "", copy_one, &t) : -ENOMEM;
                if (k < 0) {
                        k = set_error(err, k, "overlay %s: %s", strna(root), strerror(-k));
                        goto out;
                }
        }
        k = sis_settings(b, &t, err);
        if (k < 0) {
                if (err && !*err)
                        (void) set_error(err, k, "the SIS settings: %s", strerror(-k));
                goto out;
        }
        b->packages = package_list(&t, b->d);

        /* identity: the recipe, the base, the archive state, the epoch and this tool */
        keytext = strdup_printf("%s\n%s\n%s\n%s\n%lld\n%s\n", distro_names[b->d], b->recipe_sha256, b->base_sha256,
                                strempty(b->archive_state), (long long) b->epoch, SIS_VERSION);
        if (!keytext || sha256_buf(keytext, strlen(keytext), key) < 0) {
                k = -ENOMEM;
                goto out;
        }
        derive_id(key, "uuid", io.uuid);
        derive_id(key, "hash_seed", io.hash_seed);
        io.epoch = b->epoch;
        io.work = b->work;
        outtmp = strdup_printf("%s/out", b->work);
        img = strdup_printf("%s/rootfs.ext4", outtmp ? outtmp : "");
        if (!outtmp || !img || mkdir(outtmp, 0755) < 0) {
                k = -errno ? -errno : -ENOMEM;
                goto out;
        }
        /* the SBOM, from the image's own package database (the one package_list() read) */
        {
                const char *dbpath = b->d == DISTRO_ALPINE ? "lib/apk/db/installed" : "var/lib/dpkg/status";
                _cleanup_free_ char *db = NULL, *serr = NULL, *sp = strdup_printf("%s/sbom.cdx.json", outtmp);
                const struct sbom_meta sm = { .name = o->recipe, .release = o->release ? o->release : b->f->release,
                                              .arch = b->d == DISTRO_ALPINE ? "x86_64" : "amd64",
                                              .tool_version = SIS_VERSION, .epoch = b->epoch };
                json_object *doc;

                k = sp ? read_tree_text(&t, dbpath, &db) : -ENOMEM;
                if (k >= 0 && !*db)
                        k = -ENOENT; /* read_tree_text gives "" for a missing file: no database, no SBOM */
                if (k < 0) {
                        k = set_error(err, k, "cannot read the image's /%s: %s", dbpath, strerror(-k));
                        goto out;
                }
                doc = sbom_rootfs(db, strlen(db), b->d, &sm, &serr);
                if (!doc) {
                        k = set_error(err, -EBADMSG, "the SBOM from /%s: %s", dbpath, strna(serr));
                        goto out;
                }
                k = sbom_write(sp, doc);
                json_object_put(doc);
                if (k < 0) {
                        k = set_error(err, k, "cannot write the SBOM: %s", strerror(-k));
                        goto out;
                }
                STEP(b, "sbom.cdx.json (CycloneDX) from /%s", dbpath);
        }
        io.path = img;
        STEP(b, "mke2fs -d - (%zu entries, %llu MiB)", t.n,
             (unsigned long long) ((o->size ? o->size : image_size_for(&t, false, NULL)) >> 20));
        k = image_build(&io, &t, err);
        if (k < 0)
                goto out;
        {
                unsigned char salt[VERITY_SALT_BYTES], vuuid[16];
                derive_salt(key, salt);
                derive_id(key, "verity_uuid", vuuid);
                k = verity_append(img, salt, vuuid, &vi, err);
                if (k < 0)
                        goto out;
                STEP(b, "dm-verity tree appended (%llu data blocks, root hash %s)", (unsigned long long) vi.data_blocks,
                     vi.root_hash);
        }
        {
                json_object *m = json_object_new_object(), *in = json_object_new_object(), *base = json_object_new_object(),
                            *rec = json_object_new_object(), *tools = json_object_new_object();
                uuid_format(io.uuid, uuid);
                json_object_object_add(m, "manifest_version", json_object_new_int(MANIFEST_VERSION));
                json_object_object_add(m, "tool", json_object_new_string("sis-provision"));
                json_object_object_add(m, "version", json_object_new_string(SIS_VERSION));
                json_object_object_add(m, "kind", json_object_new_string("rootfs"));
                json_object_object_add(m, "distro", json_object_new_string(distro_names[b->d]));
                json_object_object_add(m, "release", json_object_new_string(o->release ? o->release : b->f->release));
                json_object_object_add(rec, "name", json_object_new_string(o->recipe));
                json_object_object_add(rec, "sha256", json_object_new_string(b->recipe_sha256));
                json_object_object_add(m, "recipe", rec);
                json_object_object_add(base, "source", json_object_new_string(b->d == DISTRO_DEBIAN ? "mmdebstrap" :
                                                                               o->base ? o->base : b->f->base_url));
                json_object_object_add(base, "sha256", json_object_new_string(b->base_sha256));
                json_object_object_add(base, "signature_checked", json_object_new_boolean(b->signature_checked));
                if (b->archive_state)
                        json_object_object_add(base, "archive_inrelease_sha256", json_object_new_string(b->archive_state));
                json_object_object_add(in, "base", base);
                json_object_object_add(m, "inputs", in);
                json_object_object_add(m, "packages", b->packages ? b->packages : json_object_new_array());
                b->packages = NULL;
                json_object_object_add(tools, "mke2fs", json_object_new_string(mkver));
                json_object_object_add(m, "tools", tools);
                json_object_object_add(m, "filesystem_uuid", json_object_new_string(uuid));
                json_object_object_add(m, "verity", verity_to_json(&vi));
                json_object_object_add(m, "source_date_epoch", json_object_new_int64(b->epoch));
                k = manifest_write(outtmp, m, rootfs_outputs);
                if (k < 0) {
                        k = set_error(err, k, "cannot write the manifest: %s", strerror(-k));
                        goto out;
                }
        }
        k = publish_dir(outtmp, o->out, rootfs_published);
        if (k < 0) {
                k = set_error(err, k, "--out %s: %s", o->out, strerror(-k));
                goto out;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        {
                char hex[SHA256_HEX] = "";
                _cleanup_free_ char *p = strdup_printf("%s/rootfs.ext4", o->out);
                if (p)
                        (void) sha256_file(p, hex);
                STEP(b, "wrote %s/rootfs.ext4 (sha256 %s, verity root hash %s, %.1f s)", o->out, hex, vi.root_hash,
                     (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9);
        }
        k = 0;
out:
        tree_done(&t);
        return k;
}

int rootfs_build(const struct rootfs_opts *o) {
        struct build b = { .o = o };
        _cleanup_free_ char *err = NULL;
        int k = rootfs_run(&b, &err);

        if (b.work)
                (void) rm_rf(b.work);
        free(b.work);
        free(b.cache);
        free(b.base_path);
        free(b.archive_state);
        json_object_put(b.packages);
        recipe_done(&b.r);
        if (k < 0) {
                if (k == -EINVAL && !err)
                        return 2; /* already reported (fetch) */
                return provision_error(2, "rootfs: %s", err ? err : strerror(-k));
        }
        return 0;
}

/* --- the home disk ------------------------------------------------------------------------ */

int disk_home_build(const struct disk_opts *o) {
        _cleanup_free_ char *err = NULL, *dir = NULL, *tmpdir = NULL, *img = NULL, *mkver = NULL, *keytext = NULL;
        static const char *const skel[] = { ".config", ".config/containers", ".local", ".local/share",
                                            ".local/share/containers", ".local/share/containers/storage", ".cache", NULL };
        struct tree t = { .work_fd = -1 };
        struct image_opts io = { .label = "home", .root_perms = 0700, .journal = true, .size = o->size,
                                 .root_uid = o->uid, .root_gid = o->gid, .epoch = 1 };
        char key[SHA256_HEX], hex[SHA256_HEX] = "";
        char *slash;
        int k;

        k = mke2fs_check(&mkver, &err);
        if (k < 0)
                return provision_error(2, "disk: %s", err);
        dir = strdup(o->out);
        if (!dir)
                return 2;
        slash = strrchr(dir, '/');
        if (slash)
                *slash = '\0';
        tmpdir = strdup_printf("%s/.%s.tmp.XXXXXX", slash ? dir : ".", slash ? slash + 1 : o->out);
        if (!tmpdir || !mkdtemp(tmpdir))
                return provision_error(2, "disk: --out %s: cannot create a temporary directory next to it: %s", o->out,
                                       strerror(errno));
        k = tree_init(&t, tmpdir);
        for (size_t i = 0; k >= 0 && skel[i]; i++)
                k = tree_put_dir(&t, skel[i], 0700, o->uid, o->gid);
        /* the same inputs make the same template; each VM gets its own copy of it */
        keytext = strdup_printf("home\n%llu\n%u:%u\n%s\n", (unsigned long long) o->size, (unsigned) o->uid, (unsigned) o->gid,
                                SIS_VERSION);
        if (k >= 0 && (!keytext || sha256_buf(keytext, strlen(keytext), key) < 0))
                k = -ENOMEM;
        if (k >= 0) {
                derive_id(key, "uuid", io.uuid);
                derive_id(key, "hash_seed", io.hash_seed);
                io.work = tmpdir;
                img = strdup_printf("%s/home.ext4", tmpdir);
                io.path = img;
                k = img ? image_build(&io, &t, &err) : -ENOMEM;
        }
        if (k >= 0 && rename(img, o->out) < 0)
                k = set_error(&err, -errno, "--out %s: %s", o->out, strerror(errno));
        tree_done(&t);
        (void) rm_rf(tmpdir);
        if (k < 0)
                return provision_error(2, "disk: %s", err ? err : strerror(-k));
        (void) sha256_file(o->out, hex);
        provision_step(o->progress, "wrote %s (%llu MiB, owner %u:%u, label home, sha256 %s)", o->out,
                       (unsigned long long) (o->size >> 20), (unsigned) o->uid, (unsigned) o->gid, hex);
        return 0;
}

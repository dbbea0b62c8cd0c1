/* SPDX-License-Identifier: MIT */
/*
 * sis-provision rootfs, the SIS settings written into the in-memory tree: passwd/group/shadow,
 * subuid/subgid, newuidmap setuid, containers.conf/storage.conf, fstab (/ read-only), the mount
 * points, inittab without gettys, runlevel links.
 */
#include <sys/stat.h>

#include "common.h"
#include "rootfs-build.h"
#include "util.h"

/* Rewrite a colon-separated database (passwd, group, shadow...): drop the lines whose first field
 * is name (or whose third field is id, when id is set), lock root's password when lock_root, then
 * append line. Keeps the file's mode and owner. */
static int edit_db(struct tree *t, const char *path, const char *name, const char *id, bool lock_root,
                   const char *line) {
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
                _cleanup_free_ char *l = rootfs_next_line(&p);
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
                        if (id && f2 && strncmp(f2, id, strlen(id)) == 0 &&
                            (f2[strlen(id)] == ':' || f2[strlen(id)] == '\0'))
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
/* The user: fixed ids, no password, written by us (adduser stamps today's date); subordinate ids. */
static int settings_user(struct build *b, struct tree *t, const char *home, char **err) {
        const struct recipe *r = &b->r;
        const char *shell = "/bin/sh";
        _cleanup_free_ char *uidstr = strdup_printf("%u", r->uid), *gidstr = strdup_printf("%u", r->gid),
                            *pw = strdup_printf("%s:x:%u:%u:SIS session:%s:%s\n", r->user, r->uid, r->gid, home, shell),
                            *gr = strdup_printf("%s:x:%u:\n", r->user, r->gid),
                            *sh = strdup_printf("%s:!::0:99999:7:::\n", r->user),
                            *gs = strdup_printf("%s:!::\n", r->user),
                            *sub = strdup_printf("%s:%u:%u\n", r->user, r->subid_start, r->subid_count);
        int k;

        if (!uidstr || !gidstr || !pw || !gr || !sh || !gs || !sub)
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
                        return set_error(err, -ENOENT,
                                         "the packages installed no /%s (Alpine: shadow-uidmap; Debian: uidmap)",
                                         names[i]);
                e->mode = S_IFREG | 04755;
                e->uid = e->gid = 0;
        }
        return 0;
}

/* Rootless Podman under OpenRC: no systemd, so cgroupfs and a file event log; storage on the
 * home disk (the default path is already under $HOME, said explicitly here). */
static int settings_podman(struct tree *t, const char *home) {
        _cleanup_free_ char *storage = strdup_printf(
                "# Written by sis-provision: rootless storage lives on the home disk (%s).\n"
                "[storage]\n"
                "driver = \"overlay\"\n"
                "rootless_storage_path = \"%s/.local/share/containers/storage\"\n"
                "\n"
                "[storage.options.overlay]\n"
                "mount_program = \"/usr/bin/fuse-overlayfs\"\n",
                home, home);
        static const char containers[] =
                "# Written by sis-provision: rootless Podman under OpenRC (no systemd).\n"
                "[containers]\n"
                "cgroupns = \"private\"\n"
                "\n"
                "[engine]\n"
                "cgroup_manager = \"cgroupfs\"\n"
                "events_logger = \"file\"\n"
                "runtime = \"crun\"\n";
        int k;

        if (!storage)
                return -ENOMEM;
        if ((k = put_text(t, "etc/containers/storage.conf", 0644, storage)) < 0 ||
            (k = put_text(t, "etc/containers/containers.conf", 0644, containers)) < 0)
                return k;
        return 0;
}

/* / read-only, the home disk, tmpfs for everything that must be written; the network and the
 * name servers from the kernel's ip= argument; the host name. */
static int settings_mounts(struct build *b, struct tree *t, const char *home, char **err) {
        const struct recipe *r = &b->r;
        _cleanup_free_ char *fstab = strdup_printf(
                                    "# Written by sis-provision. / is shared by every VM and never written.\n"
                                    "LABEL=rootfs\t/\text4\tro,noatime\t0 0\n"
                                    "LABEL=home\t%s\text4\trw,nosuid,nodev,noatime\t0 2\n"
                                    "tmpfs\t/tmp\ttmpfs\tnosuid,nodev,mode=1777\t0 0\n"
                                    "tmpfs\t/run\ttmpfs\tnosuid,nodev,mode=0755\t0 0\n"
                                    "tmpfs\t/var/tmp\ttmpfs\tnosuid,nodev,mode=1777\t0 0\n"
                                    "tmpfs\t/var/log\ttmpfs\tnosuid,nodev,mode=0755\t0 0\n",
                                    home),
                            *hostname = NULL;
        int k;

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
        return 0;
}

/* No getty unless the recipe asks for a console. */
static int settings_inittab(struct build *b, struct tree *t) {
        const struct recipe *r = &b->r;
        _cleanup_free_ char *old = NULL, *inittab = NULL;
        struct sbuf sb = {};
        int k = read_tree_text(t, "etc/inittab", &old);

        if (k < 0)
                return k;
        for (const char *p = old; *p;) {
                _cleanup_free_ char *l = rootfs_next_line(&p);
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
        return 0;
}

/* OpenRC runlevels: plain symlinks, as rc-update would make them; the recipe's lists are the
 * whole truth (what package scripts added is dropped). */
static int settings_runlevels(struct build *b, struct tree *t, char **err) {
        int k;

        for (int rl = 0; rl < _RL_MAX; rl++) {
                _cleanup_free_ char *dir = strdup_printf("etc/runlevels/%s", runlevel_names[rl]);
                if (!dir || (k = tree_remove(t, dir)) < 0 || (k = tree_put_dir(t, dir, 0755, 0, 0)) < 0)
                        return -ENOMEM;
                for (char **s = b->f->runlevels[rl]; s && *s; s++) {
                        _cleanup_free_ char *svc = strdup_printf("etc/init.d/%s", *s),
                                            *link = strdup_printf("%s/%s", dir, *s),
                                            *target = strdup_printf("/etc/init.d/%s", *s);
                        struct tree_entry *e;
                        if (!svc || !link || !target)
                                return -ENOMEM;
                        e = tree_find(t, svc);
                        if (!e || !S_ISREG(e->mode))
                                return set_error(err, -ENOENT, "runlevel %s: no service /%s in the tree (recipe %s)",
                                                 runlevel_names[rl], svc, b->r.name);
                        if ((k = tree_put_symlink(t, link, target)) < 0)
                                return k;
                }
        }
        return 0;
}

int sis_settings(struct build *b, struct tree *t, char **err) {
        _cleanup_free_ char *home = strdup_printf("/home/%s", b->r.user);
        int k;

        if (!home)
                return -ENOMEM;
        /* first what the recipe drops (caches, logs); the mount points below come back */
        for (char **p = b->f->remove; p && *p; p++)
                (void) tree_remove(t, *p);
        if ((k = settings_user(b, t, home, err)) < 0 || (k = settings_podman(t, home)) < 0 ||
            (k = settings_mounts(b, t, home, err)) < 0 || (k = settings_inittab(b, t)) < 0)
                return k;
        return settings_runlevels(b, t, err);
}

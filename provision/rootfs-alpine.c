/* SPDX-License-Identifier: MIT */
/*
 * sis-provision rootfs, Alpine: the pinned minirootfs (sha256, and its .asc with gpgme), then
 * its own apk run inside a user namespace (chroot, signatures on) against the recipe's
 * repositories or a local one; owners and modes then come from apk's installed database, not
 * from the disk (where everything belongs to the builder).
 */
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "common.h"
#include "fetch.h"
#include "fileio.h"
#include "rootfs-build.h"
#include "util.h"

/* apk's installed database records each file's owner and mode ("a:uid:gid:mode" after "R:name",
 * "M:" after "F:dir"): the truth, since on disk everything belongs to the builder. */
static int apply_apk_db(struct tree *t) {
        _cleanup_free_ char *text = NULL, *dir = NULL, *file = NULL;
        int k = read_tree_text(t, "lib/apk/db/installed", &text);

        if (k < 0)
                return k;
        for (const char *p = text; *p;) {
                _cleanup_free_ char *l = rootfs_next_line(&p);
                unsigned u, g, m;
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
        _cleanup_free_ char *um = strdup_printf("0 %u 1\n", (unsigned) uid),
                            *gm = strdup_printf("0 %u 1\n", (unsigned) gid), *dev = strdup_printf("%s/dev", root),
                            *tmp = strdup_printf("%s/tmp", root), *repo_in = strdup_printf("%s/tmp/sis-repo", root);
        char *envp[] = { (char *) "PATH=/usr/sbin:/usr/bin:/sbin:/bin", (char *) "HOME=/root", (char *) "LC_ALL=C",
                         NULL };
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

/* Not lib's exec_run (posix_spawn): the child unshares a user and mount namespace, mounts and
 * chroots between fork and exec, which posix_spawn cannot do. */
int run_apk(struct build *b, struct tree *t, char **err) {
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
                return set_error(err, -ENETUNREACH,
                                 "--offline: the Alpine packages need --repo DIR (a local repository)");
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
        if (strv_extend(&argv, "/sbin/apk") < 0 || strv_extend(&argv, "add") < 0 ||
            strv_extend(&argv, "--no-progress") < 0 || strv_extend(&argv, "--no-cache") < 0 ||
            strv_extend(&argv, "--repositories-file") < 0 || strv_extend(&argv, "/etc/apk/repositories.sis") < 0 ||
            strv_extend(&argv, "--keys-dir") < 0 || strv_extend(&argv, "/etc/apk/keys") < 0 ||
            (b->o->offline && strv_extend(&argv, "--no-network") < 0))
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
                        return set_error(err, -EIO, "apk failed (exit %d): %s (log: %s)",
                                         WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
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

int alpine_base(struct build *b, char **err) {
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
                                return set_error(err, -ENETUNREACH, "--offline: %s is not in the cache (%s)", src,
                                                 strna(cached));
                }
                if (fetch_verified(src, want, b->cache, b->o->progress, &b->base_path) != 0)
                        return -EINVAL; /* fetch printed why */
                /* the release's signature, when online */
                if (!b->o->offline && b->f->signing_key && asc_url && (asc = fetch_text(asc_url))) {
                        k = gpg_verify_detached(b->base_path, asc, strlen(asc), b->f->signing_key, err);
                        if (k == -ENOKEY) {
                                fprintf(stderr,
                                        "sis-provision: warning: %s; the signature is not checked (gpg --recv-keys %s)\n",
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
                                return set_error(err, -EINVAL, "%s: the recipe pins no signing-key to check it with",
                                                 asc_path);
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

/* SPDX-License-Identifier: MIT */
/*
 * sis-provision rootfs, Debian: mmdebstrap writes a tarball (its own user namespace when not
 * root), cached under a key that includes the archive's InRelease: same archive state, same
 * tarball.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "common.h"
#include "exec.h"
#include "fetch.h"
#include "fileio.h"
#include "rootfs-build.h"
#include "util.h"

int debian_base(struct build *b, char **err) {
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
        inputs = strdup_printf("mmdebstrap\n%s\n%s\n%s\n%s\n%lld\n", mirror, suite, variant, strempty(pkgs),
                               (long long) b->epoch);
        if (!pkgs || !inputs || sha256_buf(inputs, strlen(inputs), ikey) < 0)
                return -ENOMEM;
        state_file = strdup_printf("%s/%s.state", state_dir, ikey);
        if (!state_file || mkdir_parents(state_dir, 0755) < 0)
                return -ENOMEM;
        if (b->o->offline) {
                _cleanup_free_ char *s = NULL;
                if (read_file_capped(state_file, 128, &s, NULL) < 0)
                        return set_error(err, -ENETUNREACH,
                                         "--offline: no Debian base for these inputs in the cache (%s)", b->cache);
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
                        char *argv[] = { (char *) "mmdebstrap",
                                         (char *) (geteuid() == 0 ? "--mode=root" : "--mode=unshare"),
                                         mm,
                                         (char *) "--format=tar",
                                         (char *) "--quiet",
                                         include,
                                         (char *) suite,
                                         part,
                                         (char *) mirror,
                                         NULL };
                        if (log < 0)
                                return set_error(err, -errno, "%s: %s", logp, strerror(errno));
                        (void) unlink(part);
                        k = exec_logged(NULL, argv, env, log, NULL, NULL);
                        if (k != 0) {
                                (void) unlink(part);
                                return set_error(err, -EIO, "mmdebstrap failed (%s %d); see %s",
                                                 k < 0 ? "error" : "exit", k < 0 ? -k : k, logp);
                        }
                }
                k = publish_part(part, dest);
                if (k < 0)
                        return set_error(err, k, "%s: %s", dest, strerror(-k));
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

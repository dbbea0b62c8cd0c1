/* SPDX-License-Identifier: MIT */
/* Rootfs recipes, the in-memory image tree, and its pax stream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <sys/sysmacros.h>

#include "helpers.h"
#include "image.h"
#include "recipe.h"
#include "tree.h"

static void test_recipe_parse(void **state) {
        struct recipe r = {};
        char *err = NULL;

        assert_int_equal(recipe_parse("# a recipe\nuser sis 1000 1001   # the user\nsubids 100000 65536\nhostname box\n"
                                      "console ttyS0\nconsole none\nepoch 1700000000\noverlay common\n"
                                      "[debian]\nrelease bookworm\nrepository https://deb.example/debian\n"
                                      "packages a b\npackages b c+d\nrunlevel boot x.sh y\nremove /var/cache/apt\n",
                                      "t.recipe", NULL, 0, &r, &err),
                         0);
        assert_string_equal(r.user, "sis");
        assert_int_equal(r.uid, 1000);
        assert_int_equal(r.gid, 1001);
        assert_int_equal(r.subid_start, 100000);
        assert_string_equal(r.hostname, "box");
        assert_null(r.console); /* the later "none" wins */
        assert_int_equal(r.epoch, 1700000000);
        assert_int_equal(strv_length(r.flavour[DISTRO_DEBIAN].packages), 3); /* b once */
        assert_string_equal(r.flavour[DISTRO_DEBIAN].packages[2], "c+d");
        assert_string_equal(r.flavour[DISTRO_DEBIAN].runlevels[RL_BOOT][1], "y");
        assert_null(r.flavour[DISTRO_ALPINE].packages);
        assert_int_equal(recipe_validate(&r, DISTRO_DEBIAN, &err), 0);
        assert_int_equal(recipe_validate(&r, DISTRO_ALPINE, &err), -EINVAL);
        assert_non_null(strstr(err, "no [alpine] release"));
        free(err);
        recipe_done(&r);

        static const struct {
                const char *text, *msg;
        } bad[] = {
                { "user root 0 0\n", "t.recipe:1: user: uid '0'" },
                { "user Sis 1000 1000\n", "not a user name" },
                { "packages a\n", "t.recipe:1: unknown directive 'packages' (or it belongs in a [distro] section)" },
                { "[fedora]\n", "t.recipe:1: unknown section '[fedora]'" },
                { "[alpine\n", "unknown section" },
                { "[debian]\npackages -rf\n", "t.recipe:2: packages: '-rf' is not a package name" },
                { "[debian]\nremove /etc/../../x\n", "t.recipe:2: remove: '/etc/../../x'" },
                { "[debian]\nremove etc/x\n", "not a normalised absolute path" },
                { "[debian]\nremove /\n", "not a normalised absolute path" },
                { "[debian]\nrunlevel later x\n", "'later' is not sysinit" },
                { "[alpine]\nbase http://x/y.tar.gz 00\n", "base takes an https URL" },
                { "[alpine]\nbase https://x/y.tar.gz ABC\n", "is not a sha256" },
                { "[alpine]\nsigning-key 1234\n", "40-digit" },
                { "subids 1000 65536\n", "START must be at least 65536" },
                { "include other\n", "include is not allowed here" },
                { "user sis 1 1\x01\n", "not printable" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct recipe x = {};
                char *e = NULL;
                assert_true(recipe_parse(bad[i].text, "t.recipe", NULL, 0, &x, &e) < 0);
                if (!strstr(e, bad[i].msg))
                        fail_msg("case %zu: '%s' lacks '%s'", i, e, bad[i].msg);
                free(e);
                recipe_done(&x);
        }
}

static void test_recipe_include(void **state) {
        static const struct tfile files[] = { { "/base.recipe",
                                                "user sis 1000 1000\nsubids 100000 65536\n[alpine]\npackages a\n" },
                                              { "/top.recipe", "include base\nconsole ttyS0\n[alpine]\npackages b\n" },
                                              { "/loop.recipe", "include loop\n" },
                                              { "/broken.recipe", "include base\nbogus 1\n" },
                                              { "/inner.recipe", "include broken\n" },
                                              {} };
        _cleanup_free_ char *dir = mkroot(files);
        struct recipe r = {};
        char *err = NULL;

        assert_int_equal(recipe_load(dir, "top", &r, &err), 0);
        assert_string_equal(r.console, "ttyS0");
        assert_int_equal(strv_length(r.flavour[DISTRO_ALPINE].packages), 2);
        assert_int_equal(strv_length(r.files), 2);
        recipe_done(&r);
        assert_true(recipe_load(dir, "loop", &r, &err) < 0);
        assert_non_null(strstr(err, "nest deeper"));
        free(err);
        recipe_done(&r);
        assert_true(recipe_load(dir, "inner", &r, &err) < 0);
        assert_non_null(strstr(err, "broken.recipe:2: unknown directive 'bogus'"));
        free(err);
        recipe_done(&r);
        assert_true(recipe_load(dir, "../etc/passwd", &r, &err) < 0);
        assert_non_null(strstr(err, "not a recipe name"));
        free(err);
        recipe_done(&r);
        rm_rf(dir);
}

static void test_image_path_and_size(void **state) {
        uint64_t v;

        assert_true(image_path_ok("/etc/x"));
        assert_false(image_path_ok("/etc/../x"));
        assert_false(image_path_ok("/etc//x"));
        assert_false(image_path_ok("/etc/./x"));
        assert_false(image_path_ok("etc/x"));
        assert_false(image_path_ok("/"));
        assert_true(image_path_ok("/etc/..x"));
        assert_int_equal(parse_size("512M", &v), 0);
        assert_int_equal(v, 512u << 20);
        assert_int_equal(parse_size("4G", &v), 0);
        assert_int_equal(v, UINT64_C(4) << 30);
        assert_int_equal(parse_size("4096", &v), 0);
        assert_int_equal(v, 4096);
        assert_true(parse_size("M", &v) < 0);
        assert_true(parse_size("-1M", &v) < 0);
        assert_true(parse_size("1.5G", &v) < 0);
        assert_true(parse_size("99999999999T", &v) < 0);
}

/* Read a pax stream back: "path mode uid:gid [-> link | => hardlink] size" per entry. */
static char *listing(const char *file) {
        struct archive *a = archive_read_new();
        struct archive_entry *e;
        struct sbuf sb = {};

        archive_read_support_format_all(a);
        assert_int_equal(archive_read_open_filename(a, file, 4096), ARCHIVE_OK);
        while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
                sbuf_printf(&sb, "%s %o %d:%d", archive_entry_pathname(e), (unsigned) archive_entry_mode(e),
                            (int) archive_entry_uid(e), (int) archive_entry_gid(e));
                if (archive_entry_symlink(e))
                        sbuf_printf(&sb, " -> %s", archive_entry_symlink(e));
                if (archive_entry_hardlink(e))
                        sbuf_printf(&sb, " => %s", archive_entry_hardlink(e));
                sbuf_printf(&sb, " %lld t%lld\n", (long long) archive_entry_size(e),
                            (long long) archive_entry_mtime(e));
        }
        archive_read_free(a);
        return sbuf_steal(&sb);
}

static void test_tree_ops(void **state) {
        _cleanup_free_ char *work = mkroot(NULL), *out = strdup_printf("%s.pax", work), *text = NULL;
        struct tree t;
        int fd;

        assert_int_equal(tree_init(&t, work), 0);
        assert_int_equal(tree_put_file(&t, "/etc/passwd", "root\n", 5, 0644, 0, 0), 0);
        assert_int_equal(tree_put_file(&t, "usr/bin/x", "#!\n", 3, 04755, 0, 0), 0); /* parents made */
        assert_int_equal(tree_put_dir(&t, "home/sis", 0700, 1000, 1000), 0);
        assert_int_equal(tree_put_symlink(&t, "etc/resolv.conf", "/proc/net/pnp"), 0);
        assert_int_equal(tree_put_node(&t, "dev/null", S_IFCHR | 0666, makedev(1, 3), 0, 0), 0);
        assert_int_equal(tree_put_file(&t, "etc-x", "", 0, 0600, 0, 0), 0);
        assert_int_equal(tree_put_dir(&t, "etc/passwd", 0755, 0, 0), -ENOTDIR);
        assert_int_equal(tree_put_file(&t, "home", "x", 1, 0644, 0, 0), -EISDIR);
        assert_int_equal(tree_put_file(&t, "../escape", "x", 1, 0644, 0, 0), -EINVAL);
        assert_non_null(tree_find(&t, "/usr/bin"));
        assert_true(S_ISDIR(tree_find(&t, "usr")->mode));
        assert_null(tree_find(&t, "usr/lib"));
        /* sorted, parents first, "etc-x" between "etc" and "etc/..." as strcmp has it */
        assert_string_equal(t.e[0]->path, "dev");
        assert_string_equal(t.e[2]->path, "etc");
        assert_string_equal(t.e[3]->path, "etc-x");
        assert_int_equal(tree_remove(&t, "usr"), 0);
        assert_null(tree_find(&t, "usr/bin/x"));
        assert_null(tree_find(&t, "usr"));
        assert_non_null(tree_find(&t, "etc-x")); /* a sibling with the same prefix survives */
        fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(tree_write_pax(&t, fd, 1700000000, NULL), 0);
        close(fd);
        text = listing(out);
        /* (libarchive reads directories back with a trailing slash) */
        assert_string_equal(text,
                            "dev/ 40755 0:0 0 t1700000000\n"
                            "dev/null 20666 0:0 0 t1700000000\n"
                            "etc/ 40755 0:0 0 t1700000000\n"
                            "etc-x 100600 0:0 0 t1700000000\n"
                            "etc/passwd 100644 0:0 5 t1700000000\n"
                            "etc/resolv.conf 120777 0:0 -> /proc/net/pnp 0 t1700000000\n"
                            "home/ 40755 0:0 0 t1700000000\n"
                            "home/sis/ 40700 1000:1000 0 t1700000000\n");
        tree_done(&t);
        unlink(out);
        rm_rf(work);
}

/* A tarball made here: hard links in both orders, a symlink used as a parent, "..". */
static void write_tar(const char *path, void (*fill)(struct archive *)) {
        struct archive *a = archive_write_new();
        archive_write_set_format_pax_restricted(a);
        archive_write_add_filter_gzip(a);
        assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
        fill(a);
        archive_write_close(a);
        archive_write_free(a);
}

static void add(struct archive *a, const char *name, mode_t mode, const char *data, const char *link,
                const char *hard) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, name);
        archive_entry_set_mode(e, mode);
        archive_entry_set_uid(e, 0);
        archive_entry_set_gid(e, 42);
        archive_entry_set_mtime(e, 1800000000, 0); /* after the epoch: clamped */
        if (link)
                archive_entry_set_symlink(e, link);
        if (hard)
                archive_entry_set_hardlink(e, hard);
        archive_entry_set_size(e, data && !hard ? (la_int64_t) strlen(data) : 0);
        if (S_ISREG(mode) && !hard)
                archive_entry_xattr_add_entry(e, "security.capability", "\x01\x00\x00\x02", 4);
        archive_write_header(a, e);
        if (data && !hard)
                archive_write_data(a, data, strlen(data));
        archive_entry_free(e);
}

static void fill_links(struct archive *a) {
        add(a, "./z", S_IFDIR | 0755, NULL, NULL, NULL);
        add(a, "./z/target", S_IFREG | 0640, "data", NULL, NULL);
        add(a, "./a-link", S_IFREG | 0640, NULL, NULL, "./z/target"); /* sorts before its target */
        add(a, "./z/x-link", S_IFREG | 0640, NULL, NULL, "z/target");
        add(a, "./z/sym", S_IFLNK | 0777, NULL, "target", NULL);
}

static void fill_symlink_parent(struct archive *a) {
        add(a, "./evil", S_IFLNK | 0777, NULL, "/tmp", NULL);
        add(a, "./evil/planted", S_IFREG | 0644, "x", NULL, NULL);
}

static void fill_dotdot(struct archive *a) {
        add(a, "./a/../../planted", S_IFREG | 0644, "x", NULL, NULL);
}

static void test_tree_tar(void **state) {
        _cleanup_free_ char *work = mkroot(NULL), *tar = strdup_printf("%s.tar.gz", work),
                            *out = strdup_printf("%s.pax", work), *text = NULL, *data = NULL;
        struct tree t;
        char *err = NULL;
        int fd;

        write_tar(tar, fill_links);
        assert_int_equal(tree_init(&t, work), 0);
        assert_int_equal(tree_load_tar(&t, tar, &err), 0);
        assert_int_equal(t.n, 5);
        assert_int_equal(tree_read(&t, tree_find(&t, "a-link"), 100, &data, NULL), 0);
        assert_string_equal(data, "data");
        assert_int_equal(tree_find(&t, "z/target")->n_xattrs, 1);
        fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_int_equal(tree_write_pax(&t, fd, 1700000000, NULL), 0);
        close(fd);
        text = listing(out);
        /* the first name in sorted order carries the data; the others link to it (libarchive reads
         * a hard link's mode back without its type) */
        assert_string_equal(text,
                            "a-link 100640 0:42 4 t1700000000\n"
                            "z/ 40755 0:42 0 t1700000000\n"
                            "z/sym 120777 0:42 -> target 0 t1700000000\n"
                            "z/target 640 0:42 => a-link 0 t1700000000\n"
                            "z/x-link 640 0:42 => a-link 0 t1700000000\n");
        {
                uint64_t blocks, inodes;
                tree_usage(&t, &blocks, &inodes);
                assert_int_equal(inodes, 16 + 3); /* two hard links are names, not inodes */
        }
        tree_done(&t);
        rm_rf(work);

        write_tar(tar, fill_symlink_parent);
        assert_int_equal(tree_init(&t, work), 0);
        assert_int_equal(tree_load_tar(&t, tar, &err), -ENOTDIR);
        assert_non_null(strstr(err, "'evil/planted': a parent is not a directory (or is a symlink)"));
        assert_int_equal(access("/tmp/planted", F_OK), -1);
        free(err);
        err = NULL;
        tree_done(&t);
        rm_rf(work);

        write_tar(tar, fill_dotdot);
        assert_int_equal(tree_init(&t, work), 0);
        assert_int_equal(tree_load_tar(&t, tar, &err), -EINVAL);
        assert_non_null(strstr(err, "escapes the tree"));
        free(err);
        tree_done(&t);
        rm_rf(work);
        unlink(tar);
        unlink(out);
}

static void test_uuid(void **state) {
        unsigned char u[16];
        char s[37];

        uuid_from_hex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", u);
        uuid_format(u, s);
        assert_string_equal(s, "00112233-4455-8677-8899-aabbccddeeff"); /* version 8, RFC variant */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_recipe_parse),
                cmocka_unit_test(test_recipe_include),
                cmocka_unit_test(test_image_path_and_size),
                cmocka_unit_test(test_tree_ops),
                cmocka_unit_test(test_tree_tar),
                cmocka_unit_test(test_uuid),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

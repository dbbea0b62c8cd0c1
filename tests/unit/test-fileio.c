/* SPDX-License-Identifier: MIT */
/* Publishing atomically: a file or a directory appears whole or not at all, and a failure leaves
 * neither a temp file nor a changed destination behind. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "helpers.h"

static char *dir;

static int setup(void **state _unused_) {
        dir = mkroot(NULL);
        return 0;
}

static int teardown(void **state _unused_) {
        assert_int_equal(rm_rf(dir), 0);
        free(dir);
        return 0;
}

/* The names in dir, sorted, joined with spaces. */
static char *names(void) {
        _cleanup_strv_free_ char **l = NULL;
        struct sbuf b = {};
        DIR *d = opendir(dir);
        struct dirent *e;

        assert_non_null(d);
        while ((e = readdir(d)))
                if (e->d_name[0] != '.')
                        assert_int_equal(strv_extend(&l, e->d_name), 0);
        closedir(d);
        strv_sort(l);
        for (size_t i = 0; l && l[i]; i++)
                sbuf_printf(&b, "%s%s", i ? " " : "", l[i]);
        return sbuf_steal(&b);
}

static char *slurp(const char *name) {
        _cleanup_free_ char *p = strdup_printf("%s/%s", dir, name);
        char *s = NULL;
        return read_file_capped(p, 4096, &s, NULL) < 0 ? NULL : s;
}

static int fill_fail(int fd, void *userdata _unused_) {
        assert_int_equal(write(fd, "half", 4), 4);
        return -EIO;
}

static int fill_ok(int fd, void *userdata) {
        size_t n = strlen(userdata);
        return write(fd, userdata, n) == (ssize_t) n ? 0 : -EIO;
}

static void test_file(void **state _unused_) {
        _cleanup_free_ char *p = strdup_printf("%s/f", dir), *tmp = NULL, *ls = NULL, *c = NULL;
        struct stat st;
        int fd;

        assert_int_equal(write_file_atomic(p, "one\n", 4, 0640), 0);
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0640);
        assert_int_equal(write_file_atomic_with(p, 0644, fill_fail, NULL), -EIO);
        c = slurp("f");
        assert_string_equal(c, "one\n"); /* unchanged */
        ls = names();
        assert_string_equal(ls, "f"); /* no temp file left */
        assert_int_equal(write_file_atomic_with(p, 0644, fill_ok, (void *) "two\n"), 0);
        free(c);
        c = slurp("f");
        assert_string_equal(c, "two\n");

        fd = atomic_tmpfile_open(p, &tmp);
        assert_true(fd >= 0);
        assert_non_null(startswith(tmp, p));
        assert_int_equal(write(fd, "three\n", 6), 6);
        assert_int_equal(atomic_tmpfile_publish(fd, tmp, p, 0600, 0), 0);
        free(c);
        c = slurp("f");
        assert_string_equal(c, "three\n");
        free(ls);
        ls = names();
        assert_string_equal(ls, "f");
        assert_int_equal(rm_rf(p), 0);
}

static int fill_dir(const char *tmpdir, void *userdata) {
        _cleanup_free_ char *p = strdup_printf("%s/inside", tmpdir);
        return userdata ? -ENOSPC : write_file_atomic(p, "x", 1, 0644);
}

static void test_dir(void **state _unused_) {
        _cleanup_free_ char *p = strdup_printf("%s/d", dir), *ls = NULL, *c = NULL, *tmp = NULL, *q = NULL;
        struct stat st;

        assert_int_equal(write_dir_atomic(p, 0750, 0, fill_dir, (void *) "fail"), -ENOSPC);
        ls = names();
        assert_string_equal(ls, ""); /* nothing appeared, the temp directory is gone */
        assert_int_equal(write_dir_atomic(p, 0750, 0, fill_dir, NULL), 0);
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0750);
        c = slurp("d/inside");
        assert_string_equal(c, "x");
        assert_int_equal(write_dir_atomic(p, 0750, 0, fill_dir, NULL), -EEXIST);

        /* replaced in one step; the old tree is gone */
        assert_int_equal(atomic_tmpdir_open(p, 0755, ATOMIC_REPLACE, &tmp), 0);
        q = strdup_printf("%s/new", tmp);
        assert_int_equal(write_file_atomic(q, "y", 1, 0644), 0);
        assert_int_equal(atomic_tmpdir_publish(tmp, p, ATOMIC_REPLACE, 0), 0);
        free(c);
        c = slurp("d/new");
        assert_string_equal(c, "y");
        free(c);
        c = slurp("d/inside");
        assert_null(c);
        free(ls);
        ls = names();
        assert_string_equal(ls, "d");
        assert_int_equal(rm_rf(p), 0);
}

static void test_rm_rf(void **state _unused_) {
        static const struct tfile files[] = {
                { "/a/b/c", "x" },
                { "/a/link", "->/etc" }, /* not followed */
                { "/a/e", NULL },
                {},
        };
        char *r = mkroot(files);

        assert_int_equal(rm_rf(r), 0);
        assert_int_equal(access(r, F_OK), -1);
        assert_int_equal(access("/etc/hostname", F_OK) == 0 || errno == ENOENT, 1);
        assert_int_equal(rm_rf(r), -ENOENT);
        free(r);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_file),
                cmocka_unit_test(test_dir),
                cmocka_unit_test(test_rm_rf),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}

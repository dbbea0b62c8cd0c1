/* SPDX-License-Identifier: MIT */
/* lib/walk.c: order, user data, symlinks never followed, errors handed to the callback. */
#include <grp.h>
#include <setjmp.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "helpers.h"
#include "walk.h"

struct seen {
        struct sbuf out;
        int errors;
        int stop_at; /* stop with -ECANCELED at this call (1-based); 0: never */
        int calls;
        bool fail_on_error;
};

static int record(const struct walk_entry *e, void *userdata) {
        struct seen *s = userdata;

        s->calls++;
        if (e->error) {
                s->errors++;
                sbuf_printf(&s->out, "!%s %d\n", e->rel, e->error);
                return s->fail_on_error ? e->error : 0;
        }
        sbuf_printf(&s->out, "%u %s %s %c\n", e->depth, e->rel[0] ? e->rel : "-", e->name,
                    S_ISDIR(e->st->st_mode)           ? 'd'
                            : S_ISLNK(e->st->st_mode) ? 'l'
                                                      : 'f');
        if (s->stop_at && s->calls == s->stop_at)
                return -ECANCELED;
        return 0;
}

static const struct tfile tree[] = {
        { "/b/z", "z" }, { "/b/a", "a" }, { "/a", "a" }, { "/c", "->b" }, { "/d", NULL }, {},
};

static char *walk_text(const char *root, unsigned flags, struct seen *s, int *ret) {
        *ret = walk(root, flags, record, s);
        return sbuf_steal(&s->out);
}

static void test_sorted(void **state _unused_) {
        _cleanup_free_ char *dir = mkroot(tree), *text = NULL;
        struct seen s = {};
        int k;

        text = walk_text(dir, WALK_SORTED | WALK_NO_ROOT, &s, &k);
        assert_int_equal(k, 0);
        /* a directory before its contents; the symlink c is reported, not followed */
        assert_string_equal(text, "1 a a f\n1 b b d\n2 b/a a f\n2 b/z z f\n1 c c l\n1 d d d\n");
        rm_rf(dir);
}

static void test_root_and_slash(void **state _unused_) {
        _cleanup_free_ char *dir = mkroot(tree), *slashed = NULL, *text = NULL, *text2 = NULL;
        struct seen s = {}, s2 = {};
        int k;

        text = walk_text(dir, WALK_SORTED, &s, &k);
        assert_int_equal(k, 0);
        assert_true(startswith(text, "0 - "));
        /* "dir/" walks the same tree with the same relative names */
        slashed = strdup_printf("%s/", dir);
        text2 = walk_text(slashed, WALK_SORTED, &s2, &k);
        assert_int_equal(k, 0);
        assert_string_equal(strchr(text, '\n'), strchr(text2, '\n'));
        rm_rf(dir);
}

static void test_unsorted_same_set(void **state _unused_) {
        _cleanup_free_ char *dir = mkroot(tree);
        struct seen s = {};
        int k = walk(dir, WALK_NO_ROOT, record, &s);
        _cleanup_free_ char *text = sbuf_steal(&s.out);

        assert_int_equal(k, 0);
        assert_int_equal(s.calls, 6);
        assert_non_null(strstr(text, "2 b/z z f\n"));
        rm_rf(dir);
}

static void test_stop(void **state _unused_) {
        _cleanup_free_ char *dir = mkroot(tree), *text = NULL;
        struct seen s = { .stop_at = 3 };
        int k;

        /* the callback's value comes back from any depth and nothing runs after it */
        text = walk_text(dir, WALK_SORTED | WALK_NO_ROOT, &s, &k);
        assert_int_equal(k, -ECANCELED);
        assert_int_equal(s.calls, 3);
        assert_string_equal(text, "1 a a f\n1 b b d\n2 b/a a f\n");
        rm_rf(dir);
}

/* A tree with an unreadable directory, walked: 0 when the walk went as it should. (No cmocka
 * assertion: it may run in a child.) */
static int errors_walk(const char *dir) {
        struct seen s = {};
        char *text;
        int k, bad;

        text = walk_text(dir, WALK_SORTED | WALK_NO_ROOT, &s, &k);
        /* reported, then handed to fn with its error; fn's 0 goes on */
        bad = k != 0 || s.errors != 1 || !text || !strstr(text, "1 b b d\n!b -13\n1 c c l\n");
        free(text);
        if (bad)
                return 1;
        s = (struct seen) { .fail_on_error = true };
        free(walk_text(dir, WALK_SORTED | WALK_NO_ROOT, &s, &k));
        return k == -EACCES ? 0 : 2;
}

static void test_errors(void **state _unused_) {
        _cleanup_free_ char *dir = NULL, *b = NULL;
        struct seen s = {};
        int status;
        pid_t pid;

        assert_int_equal(walk("/nonexistent/sis-walk", 0, record, &s), -ENOENT);
        assert_int_equal(s.calls, 0);
        dir = mkroot(tree);
        b = strdup_printf("%s/b", dir);
        assert_int_equal(chmod(b, 0), 0);
        if (geteuid() != 0)
                assert_int_equal(errors_walk(dir), 0);
        else {
                /* root reads a mode 000 directory anyway: the walk runs as nobody */
                assert_int_equal(chmod(dir, 0755), 0);
                pid = fork();
                assert_true(pid >= 0);
                if (pid == 0) {
                        int k = setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
                                        setresuid(65534, 65534, 65534) < 0
                                ? 3
                                : errors_walk(dir);
                        /* _exit runs no cleanup: the child frees its copies (valgrind counts them) */
                        free(TAKE_PTR(dir));
                        free(TAKE_PTR(b));
                        _exit(k);
                }
                assert_int_equal(waitpid(pid, &status, 0), pid);
                assert_true(WIFEXITED(status));
                assert_int_equal(WEXITSTATUS(status), 0);
        }
        (void) chmod(b, 0755);
        rm_rf(dir);
}

static int remove_d(const struct walk_entry *e, void *userdata) {
        struct seen *s = userdata;

        /* while the walk is at a, d (read with the root's names already) goes away */
        if (!e->error && streq(e->rel, "a")) {
                _cleanup_free_ char *d = strdup_printf("%.*s/d", (int) (strlen(e->path) - 2), e->path);
                assert_int_equal(rmdir(d), 0);
        }
        return record(e, s);
}

static void test_vanished(void **state _unused_) {
        _cleanup_free_ char *dir = mkroot(tree), *text = NULL, *d = strdup_printf("%s/d", dir);
        struct seen s = {};
        int k = walk(dir, WALK_SORTED | WALK_NO_ROOT, remove_d, &s);

        /* an entry gone before its lstat(): handed to fn with its error and no stat */
        text = sbuf_steal(&s.out);
        assert_int_equal(k, 0);
        assert_int_equal(s.errors, 1);
        assert_non_null(strstr(text, "1 c c l\n!d -2\n"));
        s = (struct seen) { .fail_on_error = true };
        assert_int_equal(mkdir(d, 0755), 0);
        assert_int_equal(walk(dir, WALK_SORTED | WALK_NO_ROOT, remove_d, &s), -ENOENT);
        free(sbuf_steal(&s.out));
        rm_rf(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sorted),
                cmocka_unit_test(test_root_and_slash),
                cmocka_unit_test(test_unsorted_same_set),
                cmocka_unit_test(test_stop),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_vanished),
        };
        return cmocka_run_group_tests_name("walk", tests, NULL, NULL);
}

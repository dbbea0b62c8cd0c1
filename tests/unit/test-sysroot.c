/* SPDX-License-Identifier: MIT */
/* The sysroot layer: reads stay inside the root, are bounded, and fail with -errno, never crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "helpers.h"
#include "sysroot.h"

static char *root_dir;

static int setup(void **state) {
        static const struct tfile files[] = {
                { "/proc/cpuinfo", "processor : 0\n" },
                { "/etc/abs", "->/proc/cpuinfo" },                     /* absolute symlink: resolved inside the root */
                { "/etc/escape", "->../../../../../../etc/hostname" }, /* ".." clamps at the root */
                { "/etc/hostname", "inside\n" },
                { "/loop/a", "->b" },
                { "/loop/b", "->a" },
                { "/dev/fifo", "|fifo" },
                { "/sys/empty", NULL },
                { "/sys/list/b", "2\n" },
                { "/sys/list/a", "1\n" },
                { "/sys/list/c", NULL },
                { "/mapper/cryptswap", "->../dm-1" },
                { "/dm-1", "x" },
                { "/sys/module/kvm_intel/parameters/nested", "Y\n" },
                { "/sys/num/small", " 42\n" },
                { "/sys/num/neg", "-3\n" },
                { "/sys/num/big", "4294967296\n" },
                { "/sys/num/junk", "12 kB\n" },
                {},
        };
        root_dir = mkroot(files);
        {
                /* a file over the 1 MiB cap */
                _cleanup_free_ char *p = strdup_printf("%s/huge", root_dir);
                int fd = open(p, O_WRONLY | O_CREAT, 0644);
                assert_true(fd >= 0);
                assert_int_equal(ftruncate(fd, SIS_READ_MAX + 1), 0);
                close(fd);
                free(p);
                p = strdup_printf("%s/nul", root_dir);
                assert_int_equal(write_file_atomic(p, "a\0b", 3, 0644), 0);
                free(p);
                p = strdup_printf("%s/exact", root_dir);
                fd = open(p, O_WRONLY | O_CREAT, 0644);
                assert_int_equal(ftruncate(fd, SIS_READ_MAX), 0);
                close(fd);
        }
        return 0;
}

static int teardown(void **state) {
        rm_rf(root_dir);
        free(root_dir);
        return 0;
}

/* Each path test runs twice: with openat2 RESOLVE_IN_ROOT and with the hand-made fallback. */
static struct sis_root *open_root(void **state) {
        struct sis_root *r = NULL;
        assert_int_equal(sis_root_new(root_dir, &r), 0);
        if (*state)
                sis_root_no_openat2(r);
        return r;
}

static void test_reads(void **state) {
        _cleanup_root_ struct sis_root *r = NULL;
        _cleanup_free_ char *s = NULL, *t = NULL, *u = NULL;
        char *x = NULL;
        size_t len;

        r = open_root(state);
        assert_false(sis_root_is_live(r));
        assert_int_equal(sis_root_read_string(r, "/etc/abs", &s), 0);
        assert_string_equal(s, "processor : 0");
        assert_int_equal(sis_root_read_string(r, "/etc/escape", &t), 0);
        assert_string_equal(t, "inside"); /* not the host's /etc/hostname */
        assert_int_equal(sis_root_read(r, "/loop/a", &x, &len), -ELOOP);
        assert_int_equal(sis_root_read(r, "/huge", &x, &len), -EFBIG);
        assert_int_equal(sis_root_read(r, "/exact", &u, &len), 0);
        assert_int_equal(len, SIS_READ_MAX);
        assert_int_equal(sis_root_read(r, "/dev/fifo", &x, &len), -EINVAL); /* no hang */
        assert_int_equal(sis_root_read(r, "/sys/empty", &x, &len), -EISDIR);
        assert_int_equal(sis_root_read(r, "/missing", &x, &len), -ENOENT);
        assert_int_equal(sis_root_read(r, "/proc/cpuinfo/x", &x, &len), -ENOTDIR);
        assert_int_equal(sis_root_read(r, "relative", &x, &len), -EINVAL);
        assert_int_equal(sis_root_read_string(r, "/nul", &x), -EBADMSG);
        assert_null(x);
}

static void test_readf(void **state) {
        _cleanup_root_ struct sis_root *r = NULL;
        _cleanup_free_ char *s = NULL;
        char *x = NULL;
        uint64_t u64;
        uint32_t u32;
        int i;

        r = open_root(state);
        assert_int_equal(sis_root_readf_string(r, &s, "/sys/module/%s/parameters/%s", "kvm_intel", "nested"), 0);
        assert_string_equal(s, "Y");
        assert_int_equal(sis_root_readf_string(r, &x, "/sys/module/%s/parameters/nested", "kvm_amd"), -ENOENT);
        assert_int_equal(sis_root_readf_string(r, &x, "/%s", "nul"), -EBADMSG);
        assert_null(x);
        assert_int_equal(sis_root_readf_int(r, &i, "/sys/num/%s", "small"), 0);
        assert_int_equal(i, 42);
        assert_int_equal(sis_root_readf_int(r, &i, "/sys/num/%s", "neg"), 0);
        assert_int_equal(i, -3);
        assert_int_equal(sis_root_readf_u32(r, &u32, "/sys/num/%s", "neg"), -EINVAL);
        assert_int_equal(sis_root_readf_u32(r, &u32, "/sys/num/%s", "big"), -ERANGE);
        assert_int_equal(sis_root_readf_u64(r, &u64, "/sys/num/%s", "big"), 0);
        assert_int_equal(u64, 4294967296ull);
        assert_int_equal(sis_root_readf_u64(r, &u64, "/sys/num/junk"), -EINVAL);
        assert_int_equal(sis_root_readf_int(r, &i, "/sys/num/%d", 7), -ENOENT);
        assert_int_equal(sis_root_readf_int(r, &i, "/etc/%s", "escape"), -EINVAL); /* "inside" */
        assert_true(sis_root_existsf(r, "/sys/num/%s", "small"));
        assert_false(sis_root_existsf(r, "/sys/num/%s", "none"));
}

static void test_list_stat_link(void **state) {
        _cleanup_root_ struct sis_root *r = NULL;
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *t = NULL, *res = NULL;
        struct sis_stat st;

        r = open_root(state);
        assert_int_equal(sis_root_list(r, "/sys/list", &l), 0);
        assert_int_equal(strv_length(l), 3);
        assert_string_equal(l[0], "a");
        assert_string_equal(l[2], "c");
        assert_int_equal(sis_root_stat(r, "/dev/fifo", 0, &st), 0);
        assert_true(S_ISFIFO(st.mode));
        assert_int_equal(sis_root_stat(r, "/etc/abs", SIS_STAT_NOFOLLOW, &st), 0);
        assert_true(S_ISLNK(st.mode));
        assert_int_equal(sis_root_stat(r, "/etc/abs", 0, &st), 0);
        assert_true(S_ISREG(st.mode));
        assert_int_equal(sis_root_stat(r, "/loop/a", 0, &st), -ELOOP);
        assert_int_equal(sis_root_readlink(r, "/etc/abs", &t), 0);
        assert_string_equal(t, "/proc/cpuinfo");
        assert_int_equal(sis_root_resolve(r, "/mapper/cryptswap", &res), 0);
        assert_string_equal(res, "/dm-1");
        free(res);
        res = NULL;
        assert_int_equal(sis_root_resolve(r, "/loop/a", &res), -ELOOP);
        assert_false(sis_root_exists(r, "/nope"));
}

static int fake_probe(const char *arg, json_object **ret) {
        *ret = json_object_new_string(arg);
        return 0;
}

static void test_meta_and_probes(void **state) {
        static const struct tfile files[] = {
                { "/" SIS_DUMP_META,
                  "{\"sis_dump\":1,\"stat\":{\"/dev/kvm\":{\"type\":\"chr\",\"mode\":\"0660\",\"uid\":0,\"gid\":36,"
                  "\"rdev\":\"10:232\",\"acl\":\"u::rw-,g::rw-,g:10000:rw-,m::rw-,o::---\"}},"
                  "\"errors\":{\"/proc/kcore\":\"EACCES\"},\"probes\":{\"kvm\":{\"api_version\":12}}}" },
                { "/proc/kcore", "secret" },
                {},
        };
        _cleanup_free_ char *dir = mkroot(files);
        _cleanup_root_ struct sis_root *r = NULL, *plain = NULL;
        struct sis_stat st;
        json_object *v;
        char *x;

        assert_int_equal(sis_root_new(dir, &r), 0);
        assert_int_equal(sis_root_stat(r, "/dev/kvm", SIS_STAT_ACL, &st), 0);
        assert_true(S_ISCHR(st.mode));
        assert_int_equal(st.rdev_major, 10);
        assert_int_equal(st.rdev_minor, 232);
        assert_int_equal(st.gid, 36);
        assert_string_equal(st.acl, "u::rw-,g::rw-,g:10000:rw-,m::rw-,o::---");
        sis_stat_done(&st);
        assert_int_equal(sis_root_read(r, "/proc/kcore", &x, NULL), -EACCES); /* the recorded error wins */
        assert_int_equal(sis_root_probe(r, "kvm", fake_probe, "x", &v), 0);
        assert_true(json_object_is_type(v, json_type_object));
        assert_int_equal(sis_root_probe(r, "cpuid", fake_probe, "x", &v), -ENODATA);
        assert_int_equal(sis_root_new(root_dir, &plain), 0);
        assert_int_equal(sis_root_probe(plain, "kvm", fake_probe, "x", &v), -EOPNOTSUPP);
        rm_rf(dir);
}

static void test_bad_dumps(void **state) {
        static const struct tfile garbage[] = { { "/" SIS_DUMP_META, "{not json" }, {} };
        static const struct tfile notobj[] = { { "/" SIS_DUMP_META, "[1,2]" }, {} };
        _cleanup_free_ char *d1 = mkroot(garbage), *d2 = mkroot(notobj);
        _cleanup_free_ char *tgz = strdup_printf("%s/x.tar.gz", d1);
        struct sis_root *r = NULL;

        assert_int_equal(sis_root_new(d1, &r), -EBADMSG);
        assert_int_equal(sis_root_new(d2, &r), -EBADMSG);
        {
                /* values of the wrong type, null among them (the fuzzer's: "rdev": null was handed
                 * to sscanf as a NULL string): a stat entry so made is not taken (nothing is at its
                 * path in the dump either) */
                static const struct tfile typed[] = {
                        { "/" SIS_DUMP_META,
                          "{\"sis_dump\":1,\"stat\":{\"/a\":{\"type\":\"chr\",\"mode\":\"0660\",\"rdev\":null},"
                          "\"/b\":{\"type\":\"chr\",\"mode\":\"0660\",\"rdev\":10},"
                          "\"/c\":{\"type\":\"reg\",\"mode\":\"0644\",\"acl\":null},"
                          "\"/d\":{\"type\":\"reg\",\"mode\":\"0644\",\"acl\":[1]}}}" },
                        {},
                };
                _cleanup_free_ char *d3 = mkroot(typed);
                _cleanup_root_ struct sis_root *t = NULL;
                struct sis_stat st;
                assert_int_equal(sis_root_new(d3, &t), 0);
                assert_int_equal(sis_root_stat(t, "/a", 0, &st), -ENOENT);
                assert_int_equal(sis_root_stat(t, "/b", 0, &st), -ENOENT);
                assert_int_equal(sis_root_stat(t, "/c", SIS_STAT_ACL, &st), -ENOENT);
                assert_int_equal(sis_root_stat(t, "/d", SIS_STAT_ACL, &st), -ENOENT);
                rm_rf(d3);
        }
        assert_int_equal(sis_root_new("/nonexistent/dir", &r), -ENOENT);
        assert_int_equal(write_file_atomic(tgz, "not gzip at all", 15, 0644), 0);
        assert_int_equal(sis_root_new(tgz, &r), -EBADMSG);
        assert_null(r);
        rm_rf(d1);
        rm_rf(d2);
}

/* Record a few reads, write the dump as a directory and as an archive, and read it back. */
/* open_beneath: what root may open inside a jail the VMM can write to */
static void test_open_beneath(void **state) {
        char dir[] = "/tmp/sis-test-beneath.XXXXXX";
        _cleanup_free_ char *f = NULL, *link = NULL, *dlink = NULL, *fifo = NULL, *sub = NULL, *sock = NULL,
                            *flink = NULL, *disk = NULL;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct stat st;
        int fd, s;

        assert_non_null(mkdtemp(dir));
        f = strdup_printf("%s/sub/file", dir);
        sub = strdup_printf("%s/sub", dir);
        link = strdup_printf("%s/sub/link", dir);
        dlink = strdup_printf("%s/dlink", dir);
        fifo = strdup_printf("%s/fifo", dir);
        flink = strdup_printf("%s/sub/fifolink", dir);
        disk = strdup_printf("%s/disk.img", dir);
        sock = strdup_printf("%s/sock", dir);
        assert_int_equal(mkdir(sub, 0755), 0);
        assert_int_equal(write_file_atomic(f, "x", 1, 0644), 0);
        assert_int_equal(symlink("/etc/hostname", link), 0);
        assert_int_equal(symlink(sub, dlink), 0);
        assert_int_equal(mkfifo(fifo, 0600), 0);
        assert_int_equal(symlink("../fifo", flink), 0);
        /* a FIFO planted where a file is expected (the VMM swapped its home disk for one) */
        assert_int_equal(mkfifo(disk, 0600), 0);
        assert_true(strlen(sock) < sizeof(sa.sun_path));
        strcpy(sa.sun_path, sock);
        s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(s >= 0);
        assert_int_equal(bind(s, (struct sockaddr *) &sa, sizeof(sa)), 0);

        /* with openat2, and as it works without */
        for (int w = 0; w < 2; w++) {
                int (*ob)(const char *, const char *, int, mode_t) = w ? open_beneath_walk : open_beneath;
                fd = ob(dir, "sub/file", O_RDONLY, S_IFREG);
                assert_true(fd >= 0);
                assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
                assert_int_equal(fcntl(fd, F_GETFL) & (O_PATH | O_ACCMODE), O_RDONLY);
                close(fd);
                /* a symlink, last or on the way, even one that stays inside; with O_PATH too */
                assert_int_equal(ob(dir, "sub/link", O_RDONLY, 0), -EPERM);
                assert_int_equal(ob(dir, "sub/link", O_PATH, 0), -EPERM);
                assert_int_equal(ob(dir, "sub/fifolink", O_RDONLY, S_IFIFO), -EPERM);
                assert_int_equal(ob(dir, "dlink/file", O_RDONLY, 0), -EPERM);
                assert_int_equal(ob(dir, "dlink/file", O_PATH, 0), -EPERM);
                assert_int_equal(ob(dir, "dlink", O_RDONLY | O_DIRECTORY, S_IFDIR), -EPERM);
                /* out of the directory */
                assert_int_equal(ob(dir, "../etc/hostname", O_RDONLY, 0), -EPERM);
                assert_int_equal(ob(dir, "sub/../../etc/hostname", O_RDONLY, 0), -EPERM);
                assert_int_equal(ob(dir, "/etc/hostname", O_RDONLY, 0), -EPERM);
                /* the type asked for */
                assert_int_equal(ob(dir, "sub/file", O_RDONLY, S_IFIFO), -EPERM);
                assert_int_equal(ob(dir, "sub/file/x", O_RDONLY, 0), -ENOTDIR);
                assert_int_equal(ob(dir, "sub/file", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
                /* a FIFO where a file is expected: refused at once, never opened (an open() of it
                 * would block until a writer came; the alarm fails the test instead of hanging) */
                alarm(5);
                assert_int_equal(ob(dir, "disk.img", O_RDONLY, S_IFREG), -EPERM);
                assert_int_equal(ob(dir, "disk.img", O_WRONLY, S_IFREG), -EPERM);
                /* a FIFO asked for is opened without blocking, even O_RDONLY without a writer */
                fd = ob(dir, "fifo", O_RDONLY, S_IFIFO);
                assert_true(fd >= 0);
                assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
                close(fd);
                fd = ob(dir, "fifo", O_RDWR | O_NONBLOCK, S_IFIFO);
                assert_true(fd >= 0);
                close(fd);
                /* type 0: opened, but no blocking either */
                fd = ob(dir, "disk.img", O_RDONLY, 0);
                assert_true(fd >= 0);
                close(fd);
                alarm(0);
                /* O_PATH: the resolved descriptor itself, of any type asked for */
                fd = ob(dir, "sub", O_PATH | O_DIRECTORY, S_IFDIR);
                assert_true(fd >= 0);
                assert_true(fcntl(fd, F_GETFL) & O_PATH);
                assert_int_equal(fstat(fd, &st), 0);
                assert_true(S_ISDIR(st.st_mode));
                {
                        int f2 = open_beneath_at(fd, "file", O_RDONLY, S_IFREG);
                        assert_true(f2 >= 0);
                        close(f2);
                        /* beneath a descriptor: ".." is as refused as from a path */
                        assert_int_equal(open_beneath_at(fd, "../fifo", O_PATH, 0), -EPERM);
                        assert_int_equal(open_beneath_at(fd, "link", O_PATH, 0), -EPERM);
                }
                close(fd);
                fd = ob(dir, "sock", O_PATH, S_IFSOCK);
                assert_true(fd >= 0);
                close(fd);
                assert_int_equal(ob(dir, "sock", O_PATH, S_IFREG), -EPERM);
                /* a socket or a device is opened for real only when asked for by type */
                assert_int_equal(ob(dir, "sock", O_RDONLY, 0), -EPERM);
                assert_int_equal(ob("/dev", "null", O_RDONLY, 0), -EPERM);
                assert_int_equal(ob("/dev", "null", O_RDONLY, S_IFREG), -EPERM);
                fd = ob("/dev", "null", O_WRONLY, S_IFCHR);
                assert_true(fd >= 0);
                close(fd);
                assert_int_equal(ob(dir, "missing", O_RDONLY, 0), -ENOENT);
                assert_int_equal(ob(dir, "new", O_WRONLY | O_CREAT, 0), -EINVAL);
        }
        close(s);
        assert_int_equal(rm_rf(dir), 0);
}

static void test_dump_roundtrip(void **state) {
        static const char *const dests[] = { "dump", "dump.tar.gz" };
        _cleanup_dump_ struct sis_dump *d = NULL;
        _cleanup_root_ struct sis_root *r = NULL;
        _cleanup_free_ char *out = strdup("/tmp/sis-out.XXXXXX");
        _cleanup_free_ char *s = NULL;
        _cleanup_strv_free_ char **l = NULL;
        struct sis_stat st;
        json_object *v;

        assert_non_null(mkdtemp(out));
        assert_int_equal(sis_dump_new(&d), 0);
        assert_int_equal(sis_root_new(root_dir, &r), 0);
        sis_root_set_recorder(r, d);
        assert_int_equal(sis_root_read_string(r, "/etc/abs", &s), 0);
        assert_int_equal(sis_root_list(r, "/sys/list", &l), 0);
        assert_int_equal(sis_root_stat(r, "/dev/fifo", 0, &st), 0);
        v = json_object_new_int(7);
        sis_dump_probe(d, "kvm", v); /* takes its own reference */
        json_object_put(v);
        for (size_t i = 0; i < ELEMENTSOF(dests); i++) {
                _cleanup_free_ char *dest = strdup_printf("%s/%s", out, dests[i]);
                _cleanup_root_ struct sis_root *back = NULL;
                _cleanup_free_ char *s2 = NULL;
                _cleanup_strv_free_ char **l2 = NULL;

                assert_int_equal(sis_dump_write(d, dest, "test", 0), 0);
                assert_int_equal(sis_dump_write(d, dest, "test", 0), i == 0 ? -EEXIST : 0);
                assert_int_equal(sis_root_new(dest, &back), 0);
                assert_int_equal(sis_root_read_string(back, "/etc/abs", &s2), 0);
                assert_string_equal(s2, "processor : 0");
                assert_int_equal(sis_root_list(back, "/sys/list", &l2), 0);
                assert_int_equal(strv_length(l2), 3);
                assert_int_equal(sis_root_stat(back, "/dev/fifo", 0, &st), 0);
                assert_true(S_ISFIFO(st.mode)); /* from the metadata: no FIFO is ever created */
                assert_int_equal(sis_root_probe(back, "kvm", fake_probe, "x", &v), 0);
                assert_int_equal(json_object_get_int(v), 7);
        }
        rm_rf(out);
}

/* One record per read, as a kernel attribute gives its value: read_fd_capped reads to the end,
 * read_fd_kernfs_capped stops at the first read that leaves its buffer short, and reads on after a
 * full one. */
static void test_kernfs_reads(void **state) {
        static char page[4096];
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL;
        _cleanup_root_ struct sis_root *live = NULL;
        int sv[2];
        size_t len;

        assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
        assert_int_equal(write(sv[1], "abc", 3), 3);
        assert_int_equal(write(sv[1], "def", 3), 3);
        assert_int_equal(shutdown(sv[1], SHUT_WR), 0);
        assert_int_equal(read_fd_kernfs_capped(sv[0], 1 << 20, &a, &len), 0);
        assert_string_equal(a, "abc");
        assert_int_equal(read_fd_capped(sv[0], 1 << 20, &b, &len), 0);
        assert_string_equal(b, "def");
        close(sv[0]);
        close(sv[1]);

        memset(page, 'p', sizeof(page));
        assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
        assert_int_equal(write(sv[1], page, sizeof(page)), (ssize_t) sizeof(page));
        assert_int_equal(write(sv[1], "x", 1), 1);
        assert_int_equal(shutdown(sv[1], SHUT_WR), 0);
        assert_int_equal(read_fd_kernfs_capped(sv[0], 1 << 20, &c, &len), 0);
        assert_int_equal(len, sizeof(page) + 1);
        assert_int_equal(c[len - 1], 'x');
        close(sv[0]);
        close(sv[1]);

        /* the live host: a sysctl read that way is whole */
        assert_int_equal(sis_root_new("/", &live), 0);
        assert_int_equal(sis_root_read_string(live, "/proc/sys/kernel/ostype", &d), 0);
        assert_string_equal(d, "Linux");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_prestate(test_reads, NULL),
                cmocka_unit_test_prestate(test_list_stat_link, NULL),
                cmocka_unit_test_prestate(test_readf, NULL),
                cmocka_unit_test_prestate(test_readf, (void *) 1),
                cmocka_unit_test_prestate(test_reads, (void *) 1),
                cmocka_unit_test_prestate(test_list_stat_link, (void *) 1),
                cmocka_unit_test(test_meta_and_probes),
                cmocka_unit_test(test_bad_dumps),
                cmocka_unit_test(test_dump_roundtrip),
                cmocka_unit_test(test_open_beneath),
                cmocka_unit_test(test_kernfs_reads),
        };
        return cmocka_run_group_tests_name("sysroot", tests, setup, teardown);
}

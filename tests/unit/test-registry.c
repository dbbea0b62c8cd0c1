/* SPDX-License-Identifier: MIT */
/* sis-launch's host-wide registry: claims, leases, updates, and the directories root trusts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include "fileio.h"
#include "helpers.h"
#include "registry.h"

static int set_tmp(struct reg_vm *vm, void *ud) {
        free(vm->snapshot_tmp);
        vm->snapshot_tmp = strdup(ud);
        return vm->snapshot_tmp ? 0 : -ENOMEM;
}

static int set_monitor_pid(struct reg_vm *vm, void *ud) {
        vm->monitor = 4242;
        return 0;
}

static int fail_update(struct reg_vm *vm, void *ud) {
        vm->monitor = 1;
        return -EIO;
}

/* Many processes claim VMs from a registry with 8 uids and 8 slots: each uid and slot goes to
 * exactly one, the name to one, and dropping an entry frees both. */
static void test_registry_race(void **state) {
        _cleanup_free_ char *dir = mkroot(NULL), *reg = strdup_printf("%s/registry", dir);
        struct reg_claim c = { .backend = "qemu",
                               .run_dir = dir,
                               .chroot_base = dir,
                               .uid_min = 3000000000u,
                               .uid_max = 3000000007u,
                               .net_pool = "10.200.0.0/27" };
        _cleanup_strv_free_ char **ids = NULL;
        struct reg_vm vm = {};
        bool uid_seen[8] = {}, slot_seen[8] = {};
        pid_t kids[12];
        int taken = 0, none = 0;

        reg_use_dir(reg);
        for (int i = 0; i < 12; i++) {
                kids[i] = fork();
                assert_true(kids[i] >= 0);
                if (kids[i] == 0) {
                        char id[16];
                        _cleanup_free_ char *err = NULL;
                        struct reg_vm got = {};
                        snprintf(id, sizeof(id), "vm-%d", i);
                        c.id = id;
                        int k = reg_claim(&c, &got, &err);
                        reg_vm_done(&got);
                        free(dir); /* the child's copies: valgrind follows forks */
                        free(reg);
                        _exit(k == 0 ? 0 : k == -EUSERS ? 1 : 2);
                }
        }
        for (int i = 0; i < 12; i++) {
                int st;
                assert_int_equal(waitpid(kids[i], &st, 0), kids[i]);
                assert_true(WIFEXITED(st));
                if (WEXITSTATUS(st) == 0)
                        taken++;
                else if (WEXITSTATUS(st) == 1)
                        none++;
                else
                        fail_msg("a reg_claim failed");
        }
        assert_int_equal(taken, 8);
        assert_int_equal(none, 4);
        assert_int_equal(reg_list(&ids), 0);
        assert_int_equal(strv_length(ids), 8);
        for (char **id = ids; *id; id++) {
                assert_int_equal(reg_load(*id, &vm), 0);
                assert_true(vm.uid >= 3000000000u && vm.uid <= 3000000007u && !uid_seen[vm.uid - 3000000000u]);
                assert_true(vm.slot >= 0 && vm.slot < 8 && !slot_seen[vm.slot]);
                uid_seen[vm.uid - 3000000000u] = slot_seen[vm.slot] = true;
                assert_int_equal(vm.net_base, (10u << 24 | 200u << 16) + 4u * (unsigned) vm.slot);
                reg_vm_done(&vm);
        }
        {
                /* a name is the host's: a second claim of it fails, whatever the run dir */
                _cleanup_free_ char *err = NULL;
                c.id = ids[0];
                c.run_dir = "/elsewhere";
                assert_int_equal(reg_claim(&c, &vm, &err), -EEXIST);
                assert_non_null(strstr(err, "exists already"));
        }
        /* dropping one frees exactly its uid and slot */
        assert_int_equal(reg_drop(ids[0]), 0);
        {
                _cleanup_free_ char *err = NULL;
                c.id = "vm-new";
                assert_int_equal(reg_claim(&c, &vm, &err), 0);
                reg_vm_done(&vm);
                c.id = "vm-newer";
                free(err);
                err = NULL;
                assert_int_equal(reg_claim(&c, &vm, &err), -EUSERS);
        }
        /* made bits survive a reload */
        assert_int_equal(reg_load("vm-new", &vm), 0);
        assert_int_equal(reg_mark(&vm, REG_JAIL | REG_NET), 0);
        reg_vm_done(&vm);
        assert_int_equal(reg_load("vm-new", &vm), 0);
        assert_int_equal(vm.made, REG_JAIL | REG_NET);
        assert_null(vm.snapshot_tmp);
        /* a snapshot being written is recorded with the VM, for clean */
        vm.snapshot_tmp = strdup("/srv/snaps/s1.tmp.AbC123");
        assert_int_equal(reg_save(&vm), 0);
        reg_vm_done(&vm);
        assert_int_equal(reg_load("vm-new", &vm), 0);
        assert_string_equal(vm.snapshot_tmp, "/srv/snaps/s1.tmp.AbC123");
        reg_vm_done(&vm);
        reg_use_dir(NULL);
        rm_rf(dir);
}

/* An entry changes in one hold of the lock, and only while it is the same claim: a clean drops the
 * entry under a run that is still going, and the run's next mark cannot bring it back. */
static void test_registry_update(void **state) {
        _cleanup_free_ char *dir = mkroot(NULL), *reg = strdup_printf("%s/registry", dir);
        struct reg_claim c = { .id = "vm-new",
                               .backend = "qemu",
                               .run_dir = dir,
                               .chroot_base = dir,
                               .uid_min = 3000000000u,
                               .uid_max = 3000000007u,
                               .net_pool = "10.200.0.0/27" };
        struct reg_vm vm = {}, vm2 = {};
        _cleanup_free_ char *err = NULL;

        reg_use_dir(reg);
        assert_int_equal(reg_claim(&c, &vm, &err), 0);
        /* two commands change one entry, each one field (the monitor its pid, a snapshot its
         * directory): in one hold of the lock each, neither writes the other's back as it was */
        assert_int_equal(reg_update("vm-new", set_tmp, (void *) "/srv/snaps/s2.tmp.XyZ789"), 0);
        assert_int_equal(reg_update("vm-new", set_monitor_pid, NULL), 0);
        assert_int_equal(reg_load("vm-new", &vm2), 0);
        assert_string_equal(vm2.snapshot_tmp, "/srv/snaps/s2.tmp.XyZ789");
        assert_int_equal(vm2.monitor, 4242);
        reg_vm_done(&vm2);
        assert_int_equal(reg_update("vm-new", fail_update, NULL), -EIO); /* fn's error: nothing written */
        assert_int_equal(reg_load("vm-new", &vm2), 0);
        assert_int_equal(vm2.monitor, 4242);
        reg_vm_done(&vm2);
        assert_int_equal(reg_update("vm-none", set_monitor_pid, NULL), -ENOENT);
        assert_int_equal(reg_load("vm-none", &vm2), -ENOENT);
        /* a clean drops the entry under a run that is still going: the run's next mark cannot bring
         * it back (its uid and slot may be another VM's by then), nor write over a new claim */
        assert_int_equal(reg_drop("vm-new"), 0);
        assert_int_equal(reg_mark(&vm, REG_CGROUP), -ENOENT);
        assert_int_equal(reg_load("vm-new", &vm2), -ENOENT);
        c.net_pool = NULL;
        assert_int_equal(reg_claim(&c, &vm2, &err), 0);
        reg_vm_done(&vm2);
        assert_int_equal(reg_mark(&vm, REG_CGROUP), -ESTALE);
        assert_int_equal(reg_load("vm-new", &vm2), 0);
        assert_int_equal(vm2.slot, -1);
        assert_int_equal(vm2.made, 0);
        reg_vm_done(&vm2);
        reg_vm_done(&vm);
        reg_use_dir(NULL);
        rm_rf(dir);
}

/* A uid a running process has is not handed out; one that only an exited, not yet reaped process
 * (a zombie: init reaps a daemonized VMM late) has, is. */
static void test_registry_busy_uid(void **state) {
        _cleanup_free_ char *dir = mkroot(NULL), *reg = strdup_printf("%s/registry", dir);
        struct reg_claim c = { .id = "vm-b",
                               .backend = "qemu",
                               .run_dir = dir,
                               .chroot_base = dir,
                               .uid_min = 3000000100u,
                               .uid_max = 3000000101u };
        struct reg_vm vm = {};
        int ready[2], st;
        char x;
        pid_t kid;

        if (geteuid() != 0)
                skip();
        reg_use_dir(reg);
        assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
        kid = fork();
        assert_true(kid >= 0);
        if (kid == 0) {
                close(ready[0]);
                if (setresuid(3000000100u, 3000000100u, 3000000100u) < 0)
                        _exit(1);
                (void) !write(ready[1], "x", 1);
                /* alive until the parent closes its end, then a zombie until it is reaped */
                (void) !read(ready[1], &x, 1);
                pause();
                _exit(0);
        }
        close(ready[1]);
        assert_int_equal(read(ready[0], &x, 1), 1);
        /* running: its uid is busy */
        assert_int_equal(reg_claim(&c, &vm, NULL), 0);
        assert_int_equal(vm.uid, 3000000101u);
        reg_vm_done(&vm);
        assert_int_equal(reg_drop("vm-b"), 0);
        /* exited, not reaped: its uid is free */
        kill(kid, SIGKILL);
        {
                _cleanup_free_ char *p = strdup_printf("/proc/%d/stat", (int) kid), *text = NULL;
                for (int i = 0; i < 500; i++) {
                        free(text);
                        text = NULL;
                        if (read_file_capped(p, 4096, &text, NULL) >= 0 && strstr(text, ") Z "))
                                break;
                        usleep(10000);
                }
                assert_non_null(strstr(strempty(text), ") Z "));
        }
        assert_int_equal(reg_claim(&c, &vm, NULL), 0);
        assert_int_equal(vm.uid, 3000000100u);
        reg_vm_done(&vm);
        assert_int_equal(waitpid(kid, &st, 0), kid);
        close(ready[0]);
        reg_use_dir(NULL);
        rm_rf(dir);
}

/* Where root may keep state: root's, not writable by others, no one else's symlink on the way. */
static void test_dir_trusted(void **state) {
        _cleanup_free_ char *dir = mkroot(NULL), *ok = strdup_printf("%s/ok/deeper/missing", dir),
                            *open_ = strdup_printf("%s/open", dir), *under = strdup_printf("%s/open/x", dir),
                            *sticky = strdup_printf("%s/sticky", dir), *insticky = strdup_printf("%s/sticky/mine", dir),
                            *theirs = strdup_printf("%s/theirs", dir), *link = strdup_printf("%s/sticky/link", dir),
                            *newsticky = strdup_printf("%s/sticky/new", dir),
                            *deepsticky = strdup_printf("%s/sticky/new/deeper", dir),
                            *newinsticky = strdup_printf("%s/sticky/mine/new/deeper", dir);
        char *why = NULL;

        if (geteuid() != 0)
                skip();
        assert_int_equal(mkdir_parents(ok, 0755), 0);
        assert_int_equal(rmdir(ok), 0); /* a missing last component is fine */
        assert_int_equal(dir_trusted(ok, &why), 0);
        assert_int_equal(mkdir(open_, 0777), 0);
        assert_int_equal(chmod(open_, 0777), 0);
        assert_int_equal(mkdir(under, 0755), 0);
        assert_int_equal(dir_trusted(open_, &why), -EPERM);
        assert_non_null(strstr(why, "writable by others (mode 0777)"));
        free(why), why = NULL;
        assert_int_equal(dir_trusted(under, &why), -EPERM); /* a parent anyone can write to */
        free(why), why = NULL;
        assert_int_equal(mkdir(sticky, 0777), 0);
        assert_int_equal(chmod(sticky, 01777), 0);
        assert_int_equal(mkdir(insticky, 0700), 0);
        assert_int_equal(dir_trusted(insticky, &why), 0);    /* /tmp/x: a root-owned sticky parent */
        assert_int_equal(dir_trusted(sticky, &why), -EPERM); /* but not itself */
        free(why), why = NULL;
        /* nor a directory root would make there: anyone can make it first, and own it */
        assert_int_equal(dir_trusted(newsticky, &why), -EPERM);
        assert_non_null(strstr(why, "does not exist, and"));
        assert_non_null(strstr(why, "is writable by others (mode 1777): make it first"));
        free(why), why = NULL;
        assert_int_equal(dir_trusted(deepsticky, &why), -EPERM);
        free(why), why = NULL;
        assert_int_equal(dir_trusted(newinsticky, &why), 0); /* under root's own directory there */
        assert_int_equal(mkdir(theirs, 0755), 0);
        assert_int_equal(chown(theirs, 65534, 65534), 0);
        assert_int_equal(dir_trusted(theirs, &why), -EPERM);
        assert_non_null(strstr(why, "not root"));
        free(why), why = NULL;
        /* someone else's symlink in a sticky directory leads wherever they like */
        assert_int_equal(symlink(ok, link), 0);
        assert_int_equal(lchown(link, 65534, 65534), 0);
        assert_int_equal(dir_trusted(link, &why), -EPERM);
        assert_non_null(strstr(why, "symlink"));
        free(why);
        rm_rf(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_registry_race),
                cmocka_unit_test(test_registry_update),
                cmocka_unit_test(test_registry_busy_uid),
                cmocka_unit_test(test_dir_trusted),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

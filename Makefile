# sis — a plain Makefile. `make` builds the tools, `make check` runs every test.
# Knobs: SANITIZE=address,undefined  VALGRIND=1  V=1  PREFIX=/usr/local  DESTDIR=
VERSION := 0.1.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
CC ?= cc
PKG_CONFIG ?= pkg-config
B := build
NPROC := $(shell nproc 2>/dev/null || echo 1)

PKGS := libkmod libudev libpci json-c libarchive zlib libacl libcrypto libcurl gpgme libnftables libnl-route-3.0 libcap libseccomp libnftnl libmnl libnetfilter_log libcryptsetup
# libkmod and libarchive are dlopen()ed on first use (lib/dl.c): headers only.
LINK_PKGS := libudev libpci json-c zlib libacl
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(LINK_PKGS) 2>/dev/null) -ldl
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)
# sis-provision alone links these (sha256, downloads, signatures, tar streams): the audit's
# start-up stays free of them.
PROVISION_LIBS := $(shell $(PKG_CONFIG) --libs libcrypto libcurl gpgme libarchive libcryptsetup 2>/dev/null)

WARN := -Wall -Wextra -Wmissing-prototypes -Wstrict-prototypes -Wvla -Wshadow -Wformat=2 \
        -Wno-unused-parameter -Wno-missing-field-initializers -fno-common -Werror
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=gnu11 $(WARN) -D_GNU_SOURCE -DSIS_VERSION='"$(VERSION)"' $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS := -Wl,--as-needed $(LDFLAGS)
ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
ALL_LDFLAGS += -fsanitize=$(SANITIZE)
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRCS := $(wildcard lib/*.c)
CLI_SRCS := $(wildcard cli/*.c)
AUDIT_SRCS := $(filter-out audit/main.c,$(wildcard audit/*.c))
REPORT_SRCS := $(filter-out reports/sis-report.c,$(wildcard reports/*.c))
PROVISION_SRCS := $(filter-out provision/main.c,$(wildcard provision/*.c))
LAUNCH_SRCS := $(filter-out launch/main.c,$(wildcard launch/*.c))
CORE_OBJS := $(patsubst %.c,$(B)/%.o,$(LIB_SRCS) $(CLI_SRCS) $(AUDIT_SRCS) $(REPORT_SRCS) $(PROVISION_SRCS) $(LAUNCH_SRCS))
TEST_SRCS := $(wildcard tests/unit/test-*.c)
TEST_BINS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(TEST_SRCS))
TOOLS := $(B)/sis-audit $(B)/sis-report $(B)/sis-provision $(B)/sis-launch

all: $(TOOLS)

# The two commands of README.md: each installs missing Debian packages first (as root), then
# re-enters make so that pkg-config sees them.
audit:
	$(Q)scripts/deps.sh build
	$(Q)$(MAKE) --no-print-directory $(TOOLS)
	$(B)/sis-audit $(AUDIT_ARGS)

check:
	$(Q)scripts/deps.sh test
	$(Q)$(MAKE) --no-print-directory check-run

# A stamp of the flags: changing CFLAGS or SANITIZE rebuilds everything.
FLAGS_STAMP := $(B)/.flags
$(FLAGS_STAMP): FORCE
	@mkdir -p $(B)
	@echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)' | cmp -s - $@ || echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)' > $@

# What a folder may include: lib/ sees lib/ only; a tool folder sees lib/, itself, and of the other
# folders only the headers listed here, their public interface: it compiles with one more -I, a
# directory of links to exactly these ($(B)/pub/FOLDER), so an #include of any other fails. The
# tests see every folder.
PUBLIC_cli :=
PUBLIC_reports := cli/cli.h
PUBLIC_audit := cli/cli.h reports/render.h
PUBLIC_provision := cli/cli.h
PUBLIC_launch := cli/cli.h audit/audit.h audit/parse.h reports/render.h provision/sign.h provision/verity.h
FOLDERS := cli reports audit provision launch
folder_of = $(firstword $(subst /, ,$1))
INCLUDES = $(if $(filter lib,$(call folder_of,$<)),-Ilib,-Ilib -I$(call folder_of,$<) -I$(B)/pub/$(call folder_of,$<))
TEST_INCLUDES := -Ilib -Icli -Iaudit -Ireports -Iprovision -Ilaunch
PUB_STAMP := $(B)/pub/.stamp
$(PUB_STAMP): Makefile
	$(Q)rm -rf $(B)/pub
	$(Q)$(foreach f,$(FOLDERS),mkdir -p $(B)/pub/$(f) $(foreach h,$(PUBLIC_$(f)),&& ln -s $(CURDIR)/$(h) $(B)/pub/$(f)/);)
	$(Q)touch $@

$(B)/%.o: %.c $(FLAGS_STAMP) | $(PUB_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo '  CC      $<')
	$(Q)$(CC) $(INCLUDES) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libsis.a: $(CORE_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/sis-audit: $(B)/audit/main.o $(B)/libsis.a
	@$(if $(Q),echo '  LD      $@')
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/sis-report: $(B)/reports/sis-report.o $(B)/libsis.a
	@$(if $(Q),echo '  LD      $@')
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/sis-provision: $(B)/provision/main.o $(B)/libsis.a
	@$(if $(Q),echo '  LD      $@')
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(PROVISION_LIBS)

# sis-launch: the audit (its gate), libcurl for Firecracker's API, libnl and libnftables for the network
LAUNCH_LIBS := $(shell $(PKG_CONFIG) --libs libnftables libnftnl libmnl libnetfilter_log libnl-route-3.0 libcap libseccomp 2>/dev/null)
$(B)/sis-launch: $(B)/launch/main.o $(B)/libsis.a
	@$(if $(Q),echo '  LD      $@')
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(PROVISION_LIBS) $(LAUNCH_LIBS)

$(B)/tests/%: tests/unit/%.c tests/unit/helpers.h $(B)/libsis.a $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo '  CC      $<')
	$(Q)$(CC) $(TEST_INCLUDES) $(ALL_CFLAGS) -MMD -MP -o $@ $< $(B)/libsis.a $(ALL_LDFLAGS) $(PKG_LIBS) $(PROVISION_LIBS) $(LAUNCH_LIBS) $(CMOCKA_LIBS) -lz

check-run: $(TOOLS) $(TEST_BINS) $(B)/confine-run
	$(Q)VALGRIND=$(VALGRIND) tests/run-tests.sh $(TEST_BINS)

# make check's tests STRESS_N times in a row (built once) with one core kept busy, each run under
# the host lock, logs in build/stress/: tests/stress/run.sh reports every test that ever failed.
STRESS_N ?= 10
check-stress:
	$(Q)scripts/deps.sh test
	$(Q)$(MAKE) --no-print-directory $(TOOLS) $(TEST_BINS) $(B)/confine-run
	$(Q)VALGRIND=$(VALGRIND) tests/stress/run.sh $(STRESS_N) tests/run-tests.sh $(TEST_BINS)

# sis-launch against the real Firecracker and jailer, built by hand outside this repository:
#   make fc-check SIS_FIRECRACKER=/path/firecracker SIS_JAILER=/path/jailer
# Without them it says it skipped, and why (tests/fc-check.sh).
fc-check:
	$(Q)scripts/deps.sh test
	$(Q)$(MAKE) --no-print-directory fc-check-run
fc-check-run: $(TOOLS)
	$(Q)SIS_FIRECRACKER="$(SIS_FIRECRACKER)" SIS_JAILER="$(SIS_JAILER)" tests/run-tests.sh --only tests/fc-check.sh

# Fuzzing: libFuzzer targets for every parser (clang). FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz-*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRCS))
FUZZ_LIB_SRCS := $(LIB_SRCS) $(AUDIT_SRCS) $(REPORT_SRCS) provision/recipe.c provision/tree.c launch/qmp.c launch/qemu.c launch/cgroup.c launch/jailfs.c launch/seal.c
# The library is compiled once with the fuzzer's instrumentation (build/fuzz/obj), each target's
# own file then linked against those objects.
FUZZ_CFLAGS := $(TEST_INCLUDES) -std=gnu11 -g -O1 -D_GNU_SOURCE -DSIS_VERSION='"$(VERSION)"' $(PKG_CFLAGS)
FUZZ_OBJS := $(patsubst %.c,$(B)/fuzz/obj/%.o,$(FUZZ_LIB_SRCS))
$(B)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo '  CC      $@')
	$(Q)clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c -o $@ $<
$(B)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(FUZZ_OBJS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo '  FUZZ    $@')
	$(Q)clang $(FUZZ_CFLAGS) $(shell $(PKG_CONFIG) --cflags libxml-2.0 2>/dev/null) -fsanitize=fuzzer,address,undefined -o $@ $< \
		$(FUZZ_OBJS) $(PKG_LIBS) $(shell $(PKG_CONFIG) --libs libcrypto libarchive libxml-2.0 2>/dev/null)
# audit/vuln-cpus.h, the kernel's tables of which CPU has which vulnerability and of the latest
# microcode, regenerated from a newer kernel's source (a directory, a linux-source-X.tar.xz or
# its .deb): make vuln-table SIS_KERNEL_SOURCE=/usr/src/linux-source-7.2.tar.xz
vuln-table:
	$(Q)test -n "$(SIS_KERNEL_SOURCE)" || { echo "make vuln-table: SIS_KERNEL_SOURCE names no kernel source" >&2; exit 2; }
	$(Q)mkdir -p $(B) && scripts/gen-vuln-table "$(SIS_KERNEL_SOURCE)" > $(B)/vuln-cpus.h.new && mv $(B)/vuln-cpus.h.new audit/vuln-cpus.h
	$(Q)head -n 2 audit/vuln-cpus.h | tail -n 1

fuzz-build: $(FUZZ_BINS)
fuzz:
	$(Q)scripts/deps.sh fuzz
	$(Q)$(MAKE) --no-print-directory -j$(NPROC) fuzz-build
	$(Q)tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

$(B)/bench-image: tests/bench/image.c $(B)/libsis.a $(FLAGS_STAMP)
	$(Q)$(CC) $(TEST_INCLUDES) $(ALL_CFLAGS) -include dump.h -o $@ $< $(B)/libsis.a $(ALL_LDFLAGS) $(PKG_LIBS) $(PROVISION_LIBS) $(LAUNCH_LIBS)

$(B)/bench-jail: tests/bench/jail.c $(B)/libsis.a $(FLAGS_STAMP)
	$(Q)$(CC) $(TEST_INCLUDES) $(ALL_CFLAGS) -o $@ $< $(B)/libsis.a $(ALL_LDFLAGS) $(PKG_LIBS) $(PROVISION_LIBS) $(LAUNCH_LIBS)

$(B)/bench-seal: tests/bench/seal.c $(B)/libsis.a $(FLAGS_STAMP)
	$(Q)$(CC) $(TEST_INCLUDES) $(ALL_CFLAGS) -o $@ $< $(B)/libsis.a $(ALL_LDFLAGS) $(PKG_LIBS) $(PROVISION_LIBS) $(LAUNCH_LIBS)

$(B)/confine-run: tests/launch/confine-run.c $(B)/libsis.a $(FLAGS_STAMP)
	$(Q)$(CC) $(TEST_INCLUDES) $(ALL_CFLAGS) -o $@ $< $(B)/libsis.a $(ALL_LDFLAGS) $(PKG_LIBS) $(PROVISION_LIBS) $(LAUNCH_LIBS)

# The C layout of .clang-format: check it (make check does too, in tests/lint-c.sh), or apply it.
format-check:
	$(Q)tests/lint-c.sh --format
format:
	$(Q)tests/lint-c.sh --fix

bench:
	$(Q)scripts/deps.sh bench
	$(Q)$(MAKE) --no-print-directory $(TOOLS) $(B)/bench-image $(B)/bench-jail $(B)/bench-seal
	$(Q)tests/bench.sh

# The slow end-to-end kernel tests (two kernel builds, a boot under QEMU): CI runs them too.
kernel-check:
	$(Q)scripts/deps.sh kernel
	$(Q)$(MAKE) --no-print-directory $(TOOLS)
	$(Q)tests/run-tests.sh --only tests/kernel/slow.sh

# The Debian rootfs from the real archive, twice from clean and once as nobody: CI runs it too.
rootfs-check:
	$(Q)scripts/deps.sh rootfs
	$(Q)$(MAKE) --no-print-directory $(TOOLS)
	$(Q)tests/run-tests.sh --only tests/rootfs/slow.sh

# The whole chain end to end (kernel, rootfs, jailed QEMU VMs with TCG, rootless Podman inside,
# snapshots, teardown): CI runs it too. The kernel is cached by its inputs' hash in
# $(SIS_E2E_CACHE) (default /var/cache/sis).
e2e:
	$(Q)scripts/deps.sh e2e
	$(Q)$(MAKE) --no-print-directory $(TOOLS)
	$(Q)tests/run-tests.sh --only tests/e2e/run.sh

install: $(TOOLS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(TOOLS) $(DESTDIR)$(BINDIR)/
	install -m 0644 docs/sis-audit.1 docs/sis-report.1 docs/sis-provision.1 docs/sis-launch.1 $(DESTDIR)$(MANDIR)/man1/
	install -d $(DESTDIR)$(PREFIX)/share/sis/kernel-configs/profiles
	install -m 0644 kernel-configs/*.conf $(DESTDIR)$(PREFIX)/share/sis/kernel-configs/
	install -m 0644 kernel-configs/profiles/* $(DESTDIR)$(PREFIX)/share/sis/kernel-configs/profiles/
	install -d $(DESTDIR)$(PREFIX)/share/sis/rootfs/overlay
	install -m 0644 rootfs/*.recipe $(DESTDIR)$(PREFIX)/share/sis/rootfs/
	cp -R rootfs/overlay/. $(DESTDIR)$(PREFIX)/share/sis/rootfs/overlay/

clean:
	rm -rf $(B)

.PHONY: format-check format vuln-table e2e all audit check check-run check-stress fc-check fc-check-run kernel-check rootfs-check fuzz fuzz-build bench install clean FORCE
# our dependency files only (build/ also holds the benchmark's kernel tree, full of other *.d)
-include $(wildcard $(B)/*/*.d $(B)/fuzz/obj/*/*.d)

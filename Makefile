# SPDX-License-Identifier: GPL-2.0
#
# Selective KSM: build, boot and test a patched Linux 6.12.
#
#   make demo      set up the host, build the fast kernel, run the demo
#   make test      set up the host, run host tests, then every guest suite
#                  on the debug kernel
#   make bench     synchronous merge against ksmd, and global KSM against the
#                  kernel without the series (BENCH_ARGS=--quick, --profile)
#   make stress    tests/progs/ksm-stress on the debug kernel for DURATION
#                  seconds (default 600; make test runs it for 60)
#   make fuzz      tests/progs/ksm-fuzz on the debug kernel, CALLS calls
#                  (default 1000000; make test makes 100000), SEED to replay
#   make patches   regenerate patches/ from the kernel tree (build/linux)
#   make lib tools libsksm, ksmctl and sksmd for this host (build/host/)
#   make install   libsksm, ksmctl and sksmd (PREFIX=/usr/local, DESTDIR=)
#
# See README.md. Everything built goes to build/ (BUILD=... to move it).

BUILD ?= $(CURDIR)/build
export BUILD_DIR := $(BUILD)

SRC := $(BUILD)/linux
SERIES_STAMP := $(BUILD)/.series-applied
HDR := $(BUILD)/headers
HDR_STAMP := $(HDR)/.stamp
GUEST := $(BUILD)/guest
HOST := $(BUILD)/host
SELFTESTS_MM := $(SRC)/tools/testing/selftests/mm

GUEST_CFLAGS := -O2 -Wall -Wextra -Wno-unused-parameter -static \
	-isystem $(HDR)/include

# The kernel's own mm selftests that the guest suites run.
MM_SELFTESTS := ksm_tests ksm_functional_tests ksm_partition_tests \
	ksm_syscall_tests
MM_SELFTEST_BINS := $(addprefix $(GUEST)/selftests/,$(MM_SELFTESTS))

# Our guest helper programs: tests/progs/NAME.c -> /usr/bin/NAME, and the
# examples of docs/examples/NAME.c, which the tests run too.
# ksm-compat32 is a 32-bit x86 program: the calls through the ia32 entry.
PROGS32 := ksm-compat32
PROGS := $(filter-out $(PROGS32),$(patsubst tests/progs/%.c,%,$(wildcard tests/progs/*.c)))
BENCH_PROGS := $(patsubst bench/progs/%.c,%,$(wildcard bench/progs/*.c))
EXAMPLES := $(patsubst docs/examples/%.c,%,$(wildcard docs/examples/*.c))
PROG_BINS := $(addprefix $(GUEST)/bin/,$(PROGS) $(PROGS32) $(EXAMPLES) \
	$(BENCH_PROGS))
# Libraries some of them link with (static: the guest has nothing else)
PROG_LDLIBS_json-get := -ljson-c

# ksmctl and sksmd for the guest, with a static libsksm of its own: sksmd
# static, ksmctl dynamic for libsmartcols, whose libraries the initramfs
# carries as trinity's
GUEST_KSMCTL := $(GUEST)/bin/ksmctl
GUEST_SKSM_FLAGS := CFLAGS=-O2 EXTRA_CFLAGS="-isystem $(HDR)/include"

.PHONY: all setup tree kernel-fast kernel-debug headers guest initramfs \
	test test-build demo demo-build patches checkpatch clean distclean help \
	kernel-noksm kernel-base lib tools install bench bench-build stress fuzz \
	kernel-arm64-fast kernel-arm64-debug initramfs-arm64 test-build-arm64 FORCE

all: kernel-fast kernel-debug initramfs lib tools

help:
	@sed -n '3,19s/^# \{0,1\}//p' Makefile

setup:
	@scripts/setup-host

# --- kernel tree and kernels -------------------------------------------------

# Always asks kernel-tree; the stamp changes only when the series is applied
# again, so what depends on it is rebuilt only then.
$(SERIES_STAMP): FORCE
	@scripts/kernel-tree prepare

tree: $(SERIES_STAMP)

kernel-fast kernel-debug kernel-noksm kernel-base: kernel-%: $(SERIES_STAMP)
	@scripts/build-kernel $*

# --- guest programs ----------------------------------------------------------

$(HDR_STAMP): $(SERIES_STAMP)
	@echo "  HEADERS $(HDR)"
	@$(MAKE) -s -C $(SRC) O=$(HDR) ARCH=x86_64 headers_install \
		INSTALL_HDR_PATH=$(HDR) >/dev/null
	@touch $@

headers: $(HDR_STAMP)

# The tree provides the selftest sources once it is prepared. They are
# sources, not intermediates: make must never delete them.
$(SELFTESTS_MM)/%.c: $(SERIES_STAMP) ;
.PRECIOUS: $(SELFTESTS_MM)/%.c

$(GUEST)/selftests/%: $(SELFTESTS_MM)/%.c $(SELFTESTS_MM)/vm_util.c \
		$(SELFTESTS_MM)/thp_settings.c $(HDR_STAMP)
	@echo "  SELFTEST $*"
	@mkdir -p $(@D)
	@$(MAKE) -s -C $(SELFTESTS_MM) OUTPUT=$(GUEST)/selftests \
		KHDR_INCLUDES="-isystem $(HDR)/include" USERLDFLAGS=-static $@

$(GUEST)/bin/%: tests/progs/%.c tests/progs/ksm-guest.h $(HDR_STAMP)
	@echo "  CC      $*"
	@mkdir -p $(@D)
	@$(CC) $(GUEST_CFLAGS) -o $@ $< $(PROG_LDLIBS_$*)

$(addprefix $(GUEST)/bin/,$(PROGS32)): $(GUEST)/bin/%: tests/progs/%.c $(HDR_STAMP)
	@echo "  CC      $* (i386)"
	@mkdir -p $(@D)
	@$(CC) -m32 $(GUEST_CFLAGS) -Werror -o $@ $<

$(GUEST)/bin/%: bench/progs/%.c $(HDR_STAMP)
	@echo "  CC      $*"
	@mkdir -p $(@D)
	@$(CC) $(GUEST_CFLAGS) -Werror -o $@ $<

$(GUEST)/bin/%: docs/examples/%.c $(HDR_STAMP)
	@echo "  CC      $*"
	@mkdir -p $(@D)
	@$(CC) $(GUEST_CFLAGS) -Werror -o $@ $<

# The sub-makes rebuild only what changed, so the archive too.
$(GUEST_KSMCTL): $(HDR_STAMP) FORCE
	@$(MAKE) -s -C lib OUT=$(GUEST)/libsksm $(GUEST_SKSM_FLAGS) static
	@$(MAKE) -s -C tools OUT=$(GUEST)/bin LIBSKSM_DIR=$(GUEST)/libsksm \
		$(GUEST_SKSM_FLAGS) LDFLAGS=-static KSMCTL_LDFLAGS=

guest: $(MM_SELFTEST_BINS) $(PROG_BINS) $(GUEST_KSMCTL)

INITRAMFS_INPUTS := $(wildcard scripts/guest/* tests/guest/* bench/guest/*) \
	scripts/mkcpio tools/sksmd/sksmd.conf.example

# Debian's trinity (dynamically linked), with its libraries, for the fuzz
# suite (scripts/setup-host installs it), and the libraries of ksmctl.
TRINITY := /usr/bin/trinity
$(GUEST)/trinity-root: $(TRINITY) $(GUEST_KSMCTL) scripts/guest-dynamic
	@echo "  DYNAMIC $(TRINITY) ksmctl"
	@scripts/guest-dynamic $@ $(TRINITY) --libs $(GUEST_KSMCTL) >/dev/null
	@touch $@

$(BUILD)/initramfs.cpio: $(MM_SELFTEST_BINS) $(PROG_BINS) $(GUEST_KSMCTL) \
		$(INITRAMFS_INPUTS) $(GUEST)/trinity-root
	@echo "  CPIO    $@"
	@scripts/mkcpio --base $@ \
		$(GUEST)/trinity-root:/ \
		$(GUEST)/bin:/usr/bin \
		$(foreach t,$(MM_SELFTEST_BINS),$(t):/usr/lib/sksm/selftests/$(notdir $(t))) \
		tests/guest:/usr/share/sksm/tests \
		bench/guest:/usr/share/sksm/bench \
		scripts/guest/demo.sh:/usr/share/sksm/demo.sh \
		tools/sksmd/sksmd.conf.example:/usr/share/sksm/sksmd.conf.example

initramfs: $(BUILD)/initramfs.cpio

# --- arm64 guests -------------------------------------------------------------

# The system call and partition suites also run on an arm64 kernel under
# qemu-system-aarch64 (scripts/vm-run --arch arm64): Debian's arm64 busybox
# and the guest programs those suites need, built static with Debian's cross
# compiler, in an initramfs of the same layout.
A64 := $(BUILD)/arm64
A64_HDR := $(A64)/headers
A64_HDR_STAMP := $(A64_HDR)/.stamp
A64_GUEST := $(A64)/guest
A64_CC := aarch64-linux-gnu-gcc
A64_SELFTEST_BINS := $(addprefix $(A64_GUEST)/selftests/,ksm_partition_tests \
	ksm_syscall_tests)
A64_PROG_BINS := $(A64_GUEST)/bin/ksm-syscalls
A64_BUSYBOX := $(A64)/busybox

$(A64_HDR_STAMP): $(SERIES_STAMP)
	@echo "  HEADERS $(A64_HDR)"
	@$(MAKE) -s -C $(SRC) O=$(A64_HDR) ARCH=arm64 headers_install \
		INSTALL_HDR_PATH=$(A64_HDR) >/dev/null
	@touch $@

$(A64_GUEST)/selftests/%: $(SELFTESTS_MM)/%.c $(SELFTESTS_MM)/vm_util.c \
		$(SELFTESTS_MM)/thp_settings.c $(A64_HDR_STAMP)
	@echo "  SELFTEST $* (arm64)"
	@mkdir -p $(@D)
	@$(MAKE) -s -C $(SELFTESTS_MM) OUTPUT=$(A64_GUEST)/selftests \
		ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
		KHDR_INCLUDES="-isystem $(A64_HDR)/include" USERLDFLAGS=-static $@

$(A64_GUEST)/bin/%: docs/examples/%.c $(A64_HDR_STAMP)
	@echo "  CC      $* (arm64)"
	@mkdir -p $(@D)
	@$(A64_CC) -O2 -Wall -Wextra -Wno-unused-parameter -Werror -static \
		-isystem $(A64_HDR)/include -o $@ $<

$(A64_BUSYBOX): scripts/fetch-busybox
	@echo "  FETCH   busybox-static:arm64"
	@scripts/fetch-busybox arm64 $@

$(A64)/initramfs.cpio: $(A64_SELFTEST_BINS) $(A64_PROG_BINS) $(A64_BUSYBOX) \
		$(INITRAMFS_INPUTS)
	@echo "  CPIO    $@"
	@scripts/mkcpio --base --busybox $(A64_BUSYBOX) $@ \
		$(A64_GUEST)/bin:/usr/bin \
		$(foreach t,$(A64_SELFTEST_BINS),$(t):/usr/lib/sksm/selftests/$(notdir $(t))) \
		tests/guest:/usr/share/sksm/tests

initramfs-arm64: $(A64)/initramfs.cpio

kernel-arm64-fast kernel-arm64-debug: kernel-arm64-%: $(SERIES_STAMP)
	@scripts/build-kernel arm64-$*

test-build-arm64: kernel-arm64-debug initramfs-arm64

# --- libsksm and ksmctl on this host ------------------------------------------

lib:
	@$(MAKE) -s -C lib OUT=$(HOST)/lib

# build/host/ksmctl and sksmd run as built: they look for libsksm.so.1 in
# lib/ beside them first.
tools: lib
	@$(MAKE) -s -C tools OUT=$(HOST) LIBSKSM_DIR=$(HOST)/lib RPATH='$$$$ORIGIN/lib'

install: lib tools
	@$(MAKE) -s -C lib OUT=$(HOST)/lib install
	@$(MAKE) -s -C tools OUT=$(HOST) LIBSKSM_DIR=$(HOST)/lib install

# --- the two commands --------------------------------------------------------

# The arm64 suites run when Debian's cross compiler is there (setup-host
# installs it): make test parses this after setup-host has run.
HAVE_ARM64_CC := $(shell command -v $(A64_CC) 2>/dev/null)

test-build: kernel-debug kernel-noksm initramfs $(if $(HAVE_ARM64_CC),test-build-arm64)

test:
	@scripts/setup-host
	@$(MAKE) --no-print-directory test-build
	@scripts/run-tests

demo-build: kernel-fast initramfs

demo:
	@scripts/setup-host
	@$(MAKE) --no-print-directory demo-build
	@scripts/vm-run --no-build -- sh /usr/share/sksm/demo.sh

# Longer runs of the stress program that make test runs for 60 s
DURATION ?= 600
STRESS_ARGS ?= -w 4 -p 2

stress:
	@scripts/setup-host
	@$(MAKE) --no-print-directory test-build
	@scripts/vm-run --debug --no-build --timeout $$(($(DURATION) + 300)) \
		--log-dir $(BUILD)/test-logs/stress -- \
		ksm-stress -d $(DURATION) $(STRESS_ARGS)

# Longer runs of the fuzzer; SEED=N replays a run that failed
CALLS ?= 1000000
SEED ?=

fuzz:
	@scripts/setup-host
	@$(MAKE) --no-print-directory test-build
	@scripts/vm-run --debug --no-build --timeout $$(($(CALLS) / 100 + 600)) \
		--log-dir $(BUILD)/test-logs/fuzz -- \
		ksm-fuzz -n $(CALLS) -j 3 $(if $(SEED),-s $(SEED))

bench-build: kernel-fast kernel-base initramfs

bench:
	@scripts/setup-host
	@$(MAKE) --no-print-directory bench-build
	@bench/run $(BENCH_ARGS)

# --- kernel series round trip ------------------------------------------------

patches:
	@scripts/kernel-tree export

checkpatch:
	@scripts/checkpatch-series

clean:
	rm -rf $(BUILD)/kernel-fast $(BUILD)/kernel-debug $(BUILD)/kernel-noksm \
		$(BUILD)/kernel-base $(BUILD)/kernel-arm64-fast \
		$(BUILD)/kernel-arm64-debug $(A64) \
		$(HDR) $(GUEST) $(HOST) \
		$(BUILD)/initramfs.cpio $(BUILD)/vm-runs $(BUILD)/test-logs

distclean:
	rm -rf $(BUILD)

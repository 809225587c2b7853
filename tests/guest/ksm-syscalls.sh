#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# KSM partition system calls: the series' kselftest ksm_syscall_tests, each
# of its tests a case, and the C example of docs/examples, as root and as
# an unprivileged user.
# arches: x86_64 arm64
. /usr/share/sksm/tests/tap.sh

# 4 cases, the kselftest's, and 2 more on x86_64 for 32-bit programs
plan=$((4 + $(tap_kselftest_count /usr/lib/sksm/selftests/ksm_syscall_tests)))
[ "$(uname -m)" = x86_64 ] && plan=$((plan + 2))
tap_plan $plan

# The kselftest counts live objects of the KSM slab caches; it can only do
# that when they show exact counts (SLUB_DEBUG) and are not merged.
tap_case "KSM slab caches are counted exactly" 30 sh -c '
	for c in ksm_partition ksm_mm_slot ksm_rmap_item ksm_stable_node; do
		[ -r /sys/kernel/slab/$c/objects ] &&
		[ "$(cat /sys/kernel/slab/$c/aliases)" = 0 ] || exit 1
	done'
# Swap on compressed RAM, for the case of KSM pages in the swap cache
tap_case "swap on /dev/zram0" 30 sh -c '
	echo 64M > /sys/block/zram0/disksize &&
	mkswap /dev/zram0 >/dev/null && swapon /dev/zram0 &&
	[ "$(grep -c zram0 /proc/swaps)" = 1 ]'
tap_kselftest ksm_syscall_tests 1200 /usr/lib/sksm/selftests/ksm_syscall_tests
tap_case "docs/examples/ksm-syscalls.c as root" 120 ksm-syscalls
tap_case "docs/examples/ksm-syscalls.c as an unprivileged user" 120 \
	su sksm -s /bin/sh -c ksm-syscalls
# The same calls from a 32-bit x86 program, through the ia32 entry
if [ "$(uname -m)" = x86_64 ]; then
	tap_case "32-bit x86 program merges through the ia32 entry" 120 \
		ksm-compat32
	# A 64-bit caller, a 32-bit target: a range beyond the target's 4 GiB
	# is one it cannot have (EINVAL), not a hole (ENOMEM); its own merges
	tap_case "a range beyond a 32-bit target's address space: EINVAL" 120 \
		sh -c '
		f=/tmp/compat32.range
		rm -f $f
		ksm-compat32 wait $f &
		while [ ! -s $f ]; do sleep 0.1; done
		read -r pid start end < $f
		ksmctl create compat-range &&
		out=$(ksmctl merge compat-range --pid $pid \
			--range 100000000-100001000 2>&1)
		rc=$?
		echo "$out"
		[ $rc = 1 ] && echo "$out" | grep -q "Invalid argument" &&
		ksmctl merge compat-range --pid $pid --range ${start#0x}-${end#0x} &&
		[ "$(pagemap-pfn -c $pid $start $end)" = "present 64 distinct 1" ] &&
		kill -TERM $pid && wait $pid && ksmctl remove compat-range'
fi
tap_done

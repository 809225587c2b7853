#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The series on a kernel built with CONFIG_KSM=n: it boots, has no KSM in
# sysfs, the KSM partition system calls return ENOSYS, and ksmctl says so.
# kernel: noksm
. /usr/share/sksm/tests/tap.sh
tap_plan 3

tap_case "no /sys/kernel/mm/ksm without CONFIG_KSM" 10 \
	sh -c '[ -d /sys/kernel/mm ] && ! [ -e /sys/kernel/mm/ksm ]'
tap_case "ksm_open, ksm_merge, ksm_unmerge, ksm_unlink return ENOSYS" 30 \
	ksm-enosys
# ksmctl says why, and exits 3 (the kernel lacks the series)
tap_case "ksmctl says the kernel lacks the series, exit 3" 30 sh -c '
	out=$(ksmctl create vm1 2>&1); rc=$?
	echo "$out"
	[ $rc = 3 ] && echo "$out" | grep -q "lacks the Selective KSM series"'
tap_done

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The series on a kernel built with CONFIG_KSM=n: it boots, has no KSM in
# sysfs, and the KSM partition system calls return ENOSYS.
# kernel: noksm
. /usr/share/sksm/tests/tap.sh

tap_case "no /sys/kernel/mm/ksm without CONFIG_KSM" 10 \
	sh -c '! [ -e /sys/kernel/mm/ksm ]'
tap_case "ksm_open, ksm_merge, ksm_unmerge, ksm_unlink return ENOSYS" 30 \
	ksm-enosys
tap_done

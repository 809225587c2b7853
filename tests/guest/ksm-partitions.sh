#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# KSM partitions: the series' own kselftest (tools/testing/selftests/mm/
# ksm_partition_tests.c), each of its tests counted as one case.
# arches: x86_64 arm64
. /usr/share/sksm/tests/tap.sh

tap_plan "$(tap_kselftest_count /usr/lib/sksm/selftests/ksm_partition_tests)"
tap_kselftest ksm_partition_tests 1200 /usr/lib/sksm/selftests/ksm_partition_tests
tap_done

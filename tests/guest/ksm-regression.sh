#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Global KSM regression suite: the kernel's own KSM selftests, run as upstream
# run_vmtests.sh runs them (categories ksm and ksm_numa), each functional mode
# for both ways of opting in (-t 0: madvise, -t 1: prctl). The timing modes
# (-P, -H, -D, -C) measure speed and belong to bench/, not here.
. /usr/share/sksm/tests/tap.sh
T=/usr/lib/sksm/selftests
# ksm_functional_tests, then 7 cases for each of madvise and prctl
tap_plan 15

# smart_scan skips pages that stayed unmerged for a few scans; ksm_tests -N
# with madvise opts its two pages in one after the other and expects them to
# merge within two full scans, which that skipping does not guarantee (it
# failed here now and then). Those two cases run with smart_scan off.
smart_scan=$(cat /sys/kernel/mm/ksm/smart_scan)

tap_case "ksm_functional_tests" 600 $T/ksm_functional_tests
for t in 0 1; do
	how=madvise; [ $t = 1 ] && how=prctl
	tap_case "ksm_tests -M -p 10 ($how)" 300 $T/ksm_tests -M -p 10 -t $t
	tap_case "ksm_tests -U ($how)" 300 $T/ksm_tests -U -t $t
	# ksmd one page a batch widens the window in which the unmerge test
	# used to check the counters before ksmd had seen both written pages
	# (fixed in the series' ksm_tests patch; it failed 4 runs in 30 here)
	tap_case "ksm_tests -U -p 1, 30 runs ($how)" 300 \
		sh -c "for i in \$(seq 30); do $T/ksm_tests -U -p 1 -t $t || exit 1; done"
	tap_case "ksm_tests -Z -p 10 -z 0 ($how)" 300 $T/ksm_tests -Z -p 10 -z 0 -t $t
	tap_case "ksm_tests -Z -p 10 -z 1 ($how)" 300 $T/ksm_tests -Z -p 10 -z 1 -t $t
	[ $t = 0 ] && echo 0 > /sys/kernel/mm/ksm/smart_scan
	tap_case "ksm_tests -N -m 1 ($how, 2 NUMA nodes)" 300 $T/ksm_tests -N -m 1 -t $t
	tap_case "ksm_tests -N -m 0 ($how, 2 NUMA nodes)" 300 $T/ksm_tests -N -m 0 -t $t
	echo "$smart_scan" > /sys/kernel/mm/ksm/smart_scan
done
tap_done

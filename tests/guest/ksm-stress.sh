#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# KSM partitions under concurrent use (tests/progs/ksm-stress.c): workers
# in two partitions merge, unmerge, write, fork, exec, remap and advise
# their memory while ksmd merges a global worker, an admin removes and
# unlinks partitions and memory is compacted. Data must stay intact, calls
# fail only in documented ways, counters and KSM objects come back to
# where they were, and the console stays clean (checked on the host).
# make stress runs the same program for longer (DURATION=seconds).
K=/sys/kernel/mm/ksm
# Again with a stable and an unstable tree per NUMA node (the guest has two,
# numa=fake=2): merge_across_nodes may change only while no KSM page exists,
# which the first run's teardown checked. A case of its own ("sh THIS-FILE
# across_0") so that tap_case can time it out.
across_0() {
	[ "$(cat $K/pages_shared)" = 0 ] || {
		echo "# KSM pages left: $(cat $K/pages_shared)"; return 1; }
	run=$(cat $K/run)
	echo 0 > $K/merge_across_nodes || return 1
	ksm-stress -d 30 -w 4 -p 2 -i
	rc=$?
	echo 2 > $K/run		# no KSM page may stay to change it back
	echo 1 > $K/merge_across_nodes || rc=1
	echo "$run" > $K/run
	return $rc
}
if [ "${1:-}" = across_0 ]; then
	across_0
	exit $?
fi

. /usr/share/sksm/tests/tap.sh
tap_plan 2

tap_case "ksm-stress: 60 s, 4 workers in 2 partitions, ksmd, compaction" \
	300 ksm-stress -d 60 -w 4 -p 2
# Two nodes, or the case says it skips (exit 4)
tap_case "ksm-stress: 30 s with merge_across_nodes 0 on 2 NUMA nodes" 200 \
	sh -c '[ -d /sys/devices/system/node/node1 ] || exit 4; sh "$0" across_0' "$0"
tap_done

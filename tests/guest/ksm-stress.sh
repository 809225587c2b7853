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
. /usr/share/sksm/tests/tap.sh

tap_case "ksm-stress: 60 s, 4 workers in 2 partitions, ksmd, compaction" \
	300 ksm-stress -d 60 -w 4 -p 2
tap_done

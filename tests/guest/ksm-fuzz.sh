#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Hostile input, two ways at once, on the debug kernel:
# - tests/progs/ksm-fuzz: 100000 calls of the four KSM partition system
#   calls and the sysfs files from three processes, each result checked
#   against the documented errors, the target processes' memory intact;
# - Debian's trinity on the memory system calls (mmap, mremap, madvise,
#   mprotect, ...) as an unprivileged user meanwhile, while a loop merges
#   trinity's own processes, whole, into a partition.
# Afterwards every KSM counter and object is back at zero, and the
# console must stay clean (checked on the host).
. /usr/share/sksm/tests/tap.sh
tap_plan 3

KSM=/sys/kernel/mm/ksm
mkdir -p /tmp/trinity && chown sksm /tmp/trinity
echo trinity > $KSM/control/add_partition
(
	cd /tmp/trinity &&
	timeout 600 su sksm -s /bin/sh -c \
		'trinity -q -l off -g vm -C 2 -N 20000 \
		 --disable-fds=sockets,perf,drm,pseudo </dev/null' \
		> /tmp/trinity.log 2>&1
	echo $? > /tmp/trinity.rc
) &
(
	# Merge every trinity process into the partition, over and over
	while [ ! -e /tmp/trinity.rc ]; do
		for p in $(pidof trinity); do
			echo "$p 0 7ffffffff000" > $KSM/trinity/trigger_merge
		done 2>/dev/null
		sleep 1
	done
	echo done > /tmp/merger.done
) &

tap_case "ksm-fuzz: 100000 calls in 3 jobs, errors as documented" \
	900 ksm-fuzz -n 100000 -j 3 -B
tap_case "trinity -g vm: 20000 calls beside ksm-fuzz and partition merges" \
	660 sh -c 'while [ ! -e /tmp/trinity.rc ]; do sleep 1; done
		tail -n 5 /tmp/trinity.log
		echo "merged: $(cat '$KSM'/trinity/pages_scanned) pages scanned"
		[ "$(cat /tmp/trinity.rc)" = 0 ]'
tap_case "every KSM counter and object back at zero" \
	90 sh -c 'while [ ! -e /tmp/merger.done ]; do sleep 1; done
		echo trinity > '$KSM'/control/remove_partition || exit 1
		for try in $(seq 30); do
			bad=
			for f in '$KSM'/pages_shared '$KSM'/pages_sharing \
			    '$KSM'/pages_unshared '$KSM'/ksm_zero_pages; do
				[ "$(cat $f)" = 0 ] || bad="$bad $f=$(cat $f)"
			done
			for c in ksm_partition ksm_mm_slot ksm_rmap_item \
			    ksm_stable_node; do
				s=/sys/kernel/slab/$c
				echo 1 > $s/shrink
				[ "$(cut -d" " -f1 $s/objects)" = 0 ] ||
					bad="$bad $c=$(cat $s/objects)"
			done
			[ -z "$bad" ] && exit 0
			sleep 1
		done
		echo "not back at zero:$bad"; exit 1'
tap_done

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Demo, guest side: global KSM (the upstream baseline) merging two processes
# that hold the same 32 MiB, with before and after numbers from the kernel.
set -u
K=/sys/kernel/mm/ksm
MIB=32
PAGES=$((MIB * 256))

now() { cut -d' ' -f1 /proc/uptime; }
counters() {
	for c in pages_shared pages_sharing pages_unshared general_profit full_scans; do
		printf '  %-16s %s\n' "$c" "$(cat $K/$c)"
	done
}
frames() {	# frames: page frames behind A's and B's ranges, from pagemap
	for p in A:/tmp/a B:/tmp/b; do
		set -- ${p%%:*} $(cat ${p#*:})
		printf '  %s (pid %s): %s\n' "$1" "$2" "$(pagemap-pfn -c "$2" "$3" "$4")"
	done
	n=$( (pagemap-pfn $(cat /tmp/a); pagemap-pfn $(cat /tmp/b)) |
		awk '$2 != "-" { print $2 }' | sort -u | wc -l)
	echo "  A and B together: $n distinct frames"
}

echo "== Global KSM: two processes with the same $MIB MiB ($PAGES distinct pages each)"
pagefill -s $MIB -P $PAGES -S 7 -m madvise -o /tmp/a & A=$!
pagefill -s $MIB -P $PAGES -S 7 -m madvise -o /tmp/b & B=$!
while [ ! -s /tmp/a ] || [ ! -s /tmp/b ]; do
	kill -0 $A $B 2>/dev/null || { echo "demo: pagefill failed" >&2; exit 1; }
	sleep 0.1
done

echo "-- before: /sys/kernel/mm/ksm"
counters
echo "-- page frames before (present pages, distinct frames):"
frames

echo "-- ksmd: sleep_millisecs=0, pages_to_scan=4096, run=1"
echo 0 > $K/sleep_millisecs
echo 4096 > $K/pages_to_scan
t0=$(now)
echo 1 > $K/run
i=0
while [ "$(cat $K/pages_sharing)" -lt "$PAGES" ] && [ $i -lt 600 ]; do
	sleep 0.5
	i=$((i + 1))
done
t1=$(now)
echo 0 > $K/run

echo "-- after $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s of ksmd scanning:"
counters
echo "-- page frames after:"
frames
shared=$(cat $K/pages_sharing)
echo "-- saved: $shared pages = $((shared / 256)) MiB"

kill $A $B
wa=0; wait $A || wa=$?
wb=0; wait $B || wb=$?
echo "-- data check after merging: A exit $wa, B exit $wb (0: every page intact)"
echo 2 > $K/run
[ "$shared" -ge "$PAGES" ] && [ $wa = 0 ] && [ $wb = 0 ]

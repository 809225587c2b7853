#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Demo, guest side. First the upstream baseline, global KSM: ksmd merges two
# processes that hold the same 32 MiB. Then Selective KSM with ksmctl, as an
# operator would type it: three processes with that same content, two in
# partition domain-a and one in domain-b, merged synchronously; then an
# unprivileged user merging its own processes, and not root's. The numbers
# come from the kernel and from pagemap.
set -u
K=/sys/kernel/mm/ksm
MIB=32
PAGES=$((MIB * 256))

now() { cut -d' ' -f1 /proc/uptime; }
elapsed() { awk "BEGIN { printf \"%.2f\", $2 - $1 }"; }
show() {	# show DIR FILE...: counters of a KSM directory on one line
	dir=$1
	shift
	for c in "$@"; do printf '%s=%s ' "$c" "$(cat "$dir/$c")"; done
	echo
}
pfns() {	# pfns RANGEFILE: the frames behind a pagefill range
	pagemap-pfn $(cat "$1") | awk '$2 != "-" { print $2 }' | sort -u
}
distinct() {	# distinct RANGEFILE...: distinct frames behind all of them
	for f in "$@"; do pfns "$f"; done | sort -u | wc -l
}
common() {	# common FILE1 FILE2: frames behind both
	pfns "$1" > /tmp/f1
	pfns "$2" > /tmp/f2
	awk 'NR == FNR { seen[$1] = 1; next } seen[$1]' /tmp/f1 /tmp/f2 | wc -l
}
start() {	# start NAME: a pagefill process with the demo's content
	pagefill -s $MIB -P $PAGES -S 7 ${2:-} -o /tmp/$1 &
	eval "pid_$1=$!"
	while [ ! -s /tmp/$1 ]; do
		kill -0 $! 2>/dev/null || { echo "demo: pagefill failed" >&2; exit 1; }
		sleep 0.1
	done
}
stop() {	# stop NAME...: end them; their exit status says the data was intact
	bad=0
	for n in "$@"; do
		eval "p=\$pid_$n"
		kill "$p"
		wait "$p" || bad=1
	done
	return $bad
}

echo "== 1. Global KSM, the upstream baseline: ksmd scans in the background"
start g1 "-m madvise"
start g2 "-m madvise"
echo "   two processes opted in with madvise, $MIB MiB each, same content"
echo "   frames before: $(distinct /tmp/g1 /tmp/g2)"
echo 0 > $K/sleep_millisecs
echo 4096 > $K/pages_to_scan
t0=$(now)
echo 1 > $K/run
i=0
while [ "$(cat $K/pages_sharing)" -lt "$PAGES" ] && [ $i -lt 1200 ]; do
	sleep 0.25
	i=$((i + 1))
done
t1=$(now)
echo 0 > $K/run
ksmd_s=$(elapsed $t0 $t1)
echo "   ksmd (sleep_millisecs=0, pages_to_scan=4096) needed $ksmd_s s"
echo "   frames after:  $(distinct /tmp/g1 /tmp/g2)"
printf '   %s: ' "$K"; show $K pages_shared pages_sharing full_scans
stop g1 g2 && echo "   data intact in both" || echo "   DATA CHANGED"
echo 2 > $K/run

echo
echo "== 2. Selective KSM: partitions, merged synchronously on request"
# What an operator types, shown and run
op() { echo "   # $*"; "$@" 2>&1 | sed 's/^/     /'; }
op ksmctl create domain-a
op ksmctl create domain-b
start a1
start a2
start b1
echo "   a1, a2 and b1 hold the same $MIB MiB; none called madvise"
echo "   frames before: $(distinct /tmp/a1 /tmp/a2 /tmp/b1)"
for p in a1:domain-a a2:domain-a b1:domain-b; do
	n=${p%%:*} part=${p#*:}
	eval "pid=\$pid_$n"
	t0=$(now)
	op ksmctl merge "$part" --pid "$pid" --all
	t1=$(now)
	eval "t_$n=$(elapsed $t0 $t1)"
done
op ksmctl list
op ksmctl stat domain-a
echo "   frames a1+a2: $(distinct /tmp/a1 /tmp/a2) (merged: $PAGES distinct pages)"
echo "   frames shared by a1 and b1: $(common /tmp/a1 /tmp/b1) (partitions never share)"
saved=$(( $(cat $K/domain-a/pages_sharing) + $(cat $K/domain-b/pages_sharing) ))
echo "   saved: $saved pages = $((saved / 256)) MiB"
awk "BEGIN { printf \"   merging a2 against a1 took %.2f s; ksmd needed %.2f s for the same job: %.1fx\n\", $t_a2, $ksmd_s, $ksmd_s / $t_a2 }"
op ksmctl status --pid "$pid_a1"

op ksmctl unmerge domain-a --pid "$pid_a1" --all
op ksmctl unmerge domain-a --pid "$pid_a2" --all
echo "   frames a1+a2: $(distinct /tmp/a1 /tmp/a2) (private again)"
op ksmctl remove domain-a
op ksmctl remove domain-b
echo "   domain-b's name is gone; b1 stays merged until it exits:"
grep ksm_partition /proc/$pid_b1/ksm_stat | sed 's/^/     \/proc\/b1\/ksm_stat: /'
stop a1 a2 b1 && echo "   data intact in a1, a2 and b1" || echo "   DATA CHANGED"
printf '   global after they exit: '; show $K pages_shared pages_sharing pages_unshared

echo
echo "== 3. Without root: user sksm merges its own processes, and only those"
su sksm -s /bin/sh -c "pagefill -s $MIB -P $PAGES -S 7 -o /tmp/u1 >/dev/null 2>&1 &
	pagefill -s $MIB -P $PAGES -S 7 -o /tmp/u2 >/dev/null 2>&1 &"
i=0
while { [ ! -s /tmp/u1 ] || [ ! -s /tmp/u2 ]; } && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
u1=$(cut -d' ' -f1 /tmp/u1) u2=$(cut -d' ' -f1 /tmp/u2)
as_sksm() { echo "   sksm\$ $*"; su sksm -s /bin/sh -c "$*" 2>&1 | sed 's/^/     /'; }
as_sksm ksmctl create mine --mode 0600
as_sksm ksmctl merge mine --pid "$u1" --all
as_sksm ksmctl merge mine --pid "$u2" --all
echo "   frames u1+u2: $(distinct /tmp/u1 /tmp/u2)"
start r1
as_sksm ksmctl merge mine --pid "$pid_r1" --all
stop r1
kill "$u1" "$u2"
as_sksm ksmctl remove mine
i=0	# the members' exit takes their pages out of the partition
while [ "$(cat $K/pages_shared)" != 0 ] && [ $i -lt 100 ]; do
	sleep 0.2
	i=$((i + 1))
done
printf '   global at the end: '; show $K pages_shared pages_sharing pages_unshared
[ "$(cat $K/pages_shared)" = 0 ] && [ "$saved" -ge "$PAGES" ]

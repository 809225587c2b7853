#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# sksmd against the patched kernel: processes of two cgroups and of a
# command-line pattern merge into their own partitions and never across
# them (page frames from /proc/PID/pagemap), a process that no section
# names is never touched, late arrivals and moves between cgroups, leaving
# a cgroup unmerges, SIGHUP reloads, a PSI trigger is taken, --dry-run and
# mem_available_below change nothing, and every filler finds its data intact.
#
# Each case runs as "sh THIS-FILE case_NAME" so that tap_case can time it
# out; a case fails by exiting non-zero, saying why.

T=/tmp/sksmd-test
CG=/sys/fs/cgroup
PAGES=512		# per filler; -P: every page differs within a filler

. /usr/share/sksm/tests/tap.sh

# filler NAME CGROUP|- SEED: a pagefill in CGROUP (- : where we are);
# sets PID START END, and records NAME's in $T/NAME
filler() {
	rm -f "$T/$1.range"
	if [ "$2" = - ]; then
		pagefill -n $PAGES -P $PAGES -S "$3" -o "$T/$1.range" \
			>/dev/null 2>&1 &
	else
		sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' \
			sh "$CG/$2" pagefill -n $PAGES -P $PAGES -S "$3" \
			-o "$T/$1.range" >/dev/null 2>&1 &
	fi
	wait_file "$T/$1.range" "pagefill $1"
	read -r PID START END < "$T/$1.range"
	echo "$PID $START $END" > "$T/$1"
	echo "$PID" >> "$T/pids"
}

# pfns NAME: the filler's frames, one per line, in page order
pfns() {
	read -r p s e < "$T/$1"
	pagemap-pfn "$p" "$s" "$e" | cut -d' ' -f2
}

# same A B: fillers A and B share every frame, page for page
same() {
	[ "$(pfns "$1")" = "$(pfns "$2")" ] || fail "$1 and $2 do not share frames"
}

# wait_same A B: until a running sksmd has merged A and B (10 s at most)
wait_same() {
	i=0
	until [ "$(pfns "$1")" = "$(pfns "$2")" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && fail "$1 and $2 not merged after 10 s: $(cat "$T/log")"
		sleep 0.1
	done
}

# apart A B: fillers A and B share no frame
apart() {
	pfns "$1" | sort -u > "$T/f1"
	pfns "$2" | sort -u > "$T/f2"
	! grep -qxFf "$T/f1" "$T/f2" || fail "$1 and $2 share frames"
}

# member NAME: the partition the filler is in ("" when none)
member() {
	read -r p s e < "$T/$1"
	sed -n 's/^ksm_partition //p' "/proc/$p/ksm_stat"
}

stop_all() {
	[ -f "$T/pids" ] || return 0
	while read -r p; do
		kill -TERM "$p" 2>/dev/null
	done < "$T/pids"
	ok=0
	while read -r p; do
		wait "$p" 2>/dev/null || ok=1
	done < "$T/pids"
	rm -f "$T/pids"
	return $ok
}

cleanup() {
	[ -f "$T/pids" ] && while read -r p; do kill -9 "$p" 2>/dev/null; done < "$T/pids"
	rm -f "$T/pids"
	for p in sksmd-a sksmd-b sksmd-c sksmd-p; do
		ksmctl remove "$p" >/dev/null 2>&1
	done
	for c in a b c; do rmdir "$CG/sksmd-$c" 2>/dev/null; done
}

conf() {	# the configuration of these cases, with extra global lines
	cat > "$T/sksmd.conf" <<EOF
interval = 1
$*
[partition sksmd-a]
cgroup = /sksmd-a

[partition sksmd-b]
cgroup = /sys/fs/cgroup/sksmd-b/

[partition sksmd-p]
process = pagefill -n $PAGES -P $PAGES -S 77 *
EOF
}

setup() {
	for c in a b c; do mkdir -p "$CG/sksmd-$c" || fail "no cgroup $c"; done
	conf
	filler a1 sksmd-a 1
	filler a2 sksmd-a 1
	filler b1 sksmd-b 1
	filler b2 sksmd-b 1
	filler o1 - 1		# named by no section
	filler p1 - 77		# named by the process pattern
	filler p2 - 77
}

case_check() {
	out=$(sksmd --check -c /usr/share/sksm/sksmd.conf.example 2>&1) ||
		fail "the example does not pass --check: $out"
	printf 'interval = 1\n[partition x]\nmode = 9\n' > "$T/bad.conf"
	out=$(sksmd --check -c "$T/bad.conf" 2>&1)
	[ $? = 2 ] || fail "a bad mode did not exit 2"
	echo "$out" | grep -q 'bad.conf:3: mode' || fail "no line number: $out"
}

case_dry_run() {
	setup
	out=$(sksmd --once --dry-run -c "$T/sksmd.conf" 2>&1)
	echo "$out"
	[ "$(echo "$out" | grep -c 'would merge')" = 6 ] ||
		fail "dry run did not name the 6 fillers of the 3 partitions"
	[ ! -e /sys/kernel/mm/ksm/sksmd-a ] || fail "dry run made a partition"
	apart a1 a2
	stop_all || fail "a filler's memory changed"
}

case_not_when_memory_is_plenty() {
	setup
	conf "mem_available_below = 0%"
	sksmd --once -v -c "$T/sksmd.conf" || fail "sksmd failed"
	apart a1 a2
	[ -z "$(member a1)" ] || fail "a1 joined a partition"
	stop_all || fail "a filler's memory changed"
}

case_once() {
	setup
	sksmd --once -c "$T/sksmd.conf" || fail "sksmd failed"
	same a1 a2
	same b1 b2
	same p1 p2
	apart a1 b1
	apart a1 o1
	apart b1 o1
	[ "$(member a1)" = sksmd-a ] || fail "a1 is in '$(member a1)'"
	[ "$(member b2)" = sksmd-b ] || fail "b2 is in '$(member b2)'"
	[ "$(member p1)" = sksmd-p ] || fail "p1 is in '$(member p1)'"
	[ -z "$(member o1)" ] || fail "o1, named by no section, was merged"

	# One that arrives later, one that moves from a to b
	filler a3 sksmd-a 1
	read -r p s e < "$T/a2"
	echo "$p" > "$CG/sksmd-b/cgroup.procs"
	sksmd --once -c "$T/sksmd.conf" || fail "sksmd failed again"
	same a1 a3
	[ "$(member a2)" = sksmd-b ] || fail "a2 moved but is in '$(member a2)'"
	same a2 b1
	apart a1 a2
	stop_all || fail "a filler's memory changed"
}

case_daemon() {
	setup
	# Not on our stdout, and gone when the case ends however it ends:
	# tap_case reads its output until every writer is gone
	sksmd -c "$T/sksmd.conf" > "$T/log" 2>&1 &
	d=$!
	trap 'kill $d 2>/dev/null' EXIT
	wait_same a1 a2
	wait_same b1 b2
	[ "$(member a2)" = sksmd-a ] || fail "a2 is in '$(member a2)'"

	# Leaving the cgroup: unmerged, so nothing is shared any more
	read -r p s e < "$T/a2"
	echo "$p" > "$CG/cgroup.procs"
	i=0
	while [ -n "$(member a2)" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && fail "a2 left its cgroup but is still in $(member a2)"
		sleep 0.1
	done
	apart a1 a2

	# SIGHUP: a new partition for cgroup c
	filler c1 sksmd-c 1
	filler c2 sksmd-c 1
	sleep 2
	[ -z "$(member c1)" ] || fail "c1 merged before its section existed"
	cat >> "$T/sksmd.conf" <<EOF

[partition sksmd-c]
cgroup = /sksmd-c
EOF
	kill -HUP $d
	wait_same c1 c2
	[ "$(member c2)" = sksmd-c ] || fail "c2 is in '$(member c2)'"
	apart c1 a1
	kill -TERM $d
	wait $d || fail "sksmd did not stop cleanly on SIGTERM"
	cat "$T/log"
	grep -q 'reloaded' "$T/log" || fail "no reload in the log"
	stop_all || fail "a filler's memory changed"
}

# A member whose memory map grows (pagefill maps as much again on SIGUSR1)
# gets the next pass to merge its new range alone, through a pidfd
case_incremental() {
	setup
	conf "rescan_every = 0"		# no full rescan to hide the increment
	sksmd -v -c "$T/sksmd.conf" > "$T/log" 2>&1 &
	d=$!
	trap 'kill $d 2>/dev/null' EXIT
	wait_same a1 a2
	read -r p s e < "$T/a2"
	kill -USR1 "$p"
	wait_file "$T/a2.range.more" "a2's second mapping"
	cp "$T/a2.range.more" "$T/a2more"
	wait_same a2more a1
	kill -TERM $d
	wait $d || fail "sksmd did not stop cleanly on SIGTERM"
	cat "$T/log"
	grep -qE "merged pid $p \(.*\) into sksmd-a: [0-9]+ pages in 1 new range$" \
		"$T/log" || fail "no merge of a2's new range alone"
	# The full merge of a2 came first; after it, only the increment
	[ "$(grep -c "merged pid $p " "$T/log")" = 2 ] ||
		fail "a2 merged other than once whole and once its new range"
	stop_all || fail "a filler's memory changed"
}

case_psi() {
	setup
	conf "psi = some 500000 2000000"
	sed -i 's/^interval = 1$/interval = 0/' "$T/sksmd.conf"
	sksmd -c "$T/sksmd.conf" > "$T/log" 2>&1 &
	d=$!
	trap 'kill $d 2>/dev/null' EXIT
	wait_same a1 a2
	kill -0 $d || fail "sksmd ended: $(cat "$T/log")"
	kill -TERM $d
	wait $d || fail "sksmd did not stop cleanly"
	cat "$T/log"
	grep -q 'interval 0 s, psi some 500000 2000000' "$T/log" ||
		fail "no PSI trigger in the log"
	stop_all || fail "a filler's memory changed"
}

if [ $# -gt 0 ]; then
	"$@"
	exit $?
fi

mkdir -p "$T"
cleanup
cases="check dry_run not_when_memory_is_plenty once daemon incremental psi"
# each case, and the counters at the end
tap_plan $(($(echo $cases | wc -w) + 1))
for c in $cases; do
	tap_case "sksmd $c" 300 sh "$0" "case_$c"
	cleanup
done
tap_case "every KSM counter back at zero" 60 sh -c '
	for f in pages_shared pages_sharing pages_unshared; do
		[ "$(cat /sys/kernel/mm/ksm/$f)" = 0 ] || { echo "$f not 0"; exit 1; }
	done'
tap_done

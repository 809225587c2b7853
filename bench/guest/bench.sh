#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of make bench (bench/run boots the kernel and reads what this
# prints). Every result is one line "RESULT {json}".
#
#   bench.sh global REPS
#	ksm_tests -P -s 64 -p 4096 (global KSM, ksmd tuned) REPS times, and a
#	ksmd run of the project's own clones workload: both kernels have them.
#   bench.sh global-icount REPS
#	ksm_tests -P as above, alone, in a boot whose clock is QEMU's
#	instruction counter (bench/run boots it with vm-run --icount); then
#	ksmd's steady state: its CPU time in REPS times 40 full scans of
#	128 MiB of unique pages with smart scan, which by then skips most of
#	them, so that what ksmd spends on each look at a page shows
#   bench.sh knob-wait REPS MIB
#	the longest that a writer of run waits for ksm_thread_mutex (a
#	loop of writes, ksm-bench writes) while ksmd frees the rmap items of a
#	process of MIB MiB of distinct pages that exited, and, with the
#	series, while that process joins a partition (ksm_merge), which frees
#	them itself; and with neither, as the floor. Two vCPUs (bench/run), so
#	that the writer can spin on the mutex's owner.
#   bench.sh merge REPS "WORKLOAD:MIB:NPROC[:MODE,...] ..." "MODE ..."
#	each workload at each size, every mode in turn (those named after it,
#	or all of MODE ...), REPS rounds, all in this boot: modes alternate so
#	that drift hits them alike.
#   bench.sh profile-ksmd | profile-sync
#	where the kernel spends ksmd's time during ksm_tests -P, or the
#	caller's during a synchronous merge of 2 x 64 MiB clones: perf
#	(cpu-clock samples, bench/run --profile carries it in), flat by symbol.
#
# Workloads (pagefill contents, the same in every process unless said):
#   clones     distinct pages, the same set in every process
#   same       every page identical
#   tail       pages that differ only in their last 8 bytes
#   unique     every page unique, nothing to merge
#   volatile   half the pages the same in every process, half each one's
#              own; a thread in each keeps writing 10 % of the pages
#   files      copies of the guest image's own files (its binaries and
#              libraries), the same in every process: real data
# Modes: sync (ksm_merge of each process in turn), sync-chunked (the same in
# calls of 2 MiB), sync-exit (sync, then the members' exits timed instead of
# the partition's removal), ksmd-tuned (sleep 0, 4096 pages a batch), ksmd-default
# (sleep 20 ms, 100 pages), ksmd-scantime (advisor_mode scan-time, its
# defaults); syncP-serial and syncP-parallel (sync2-serial, sync4-parallel,
# ...): P partitions of two processes each (2P processes whatever NPROC
# says), the same content in all, merged one after the other or at the
# same time (W6).
K=/sys/kernel/mm/ksm
T=/usr/lib/sksm/selftests
tmp=/tmp/bench
mkdir -p $tmp

result() { echo "RESULT $1"; }

knobs() {	# knobs SLEEP_MS PAGES_TO_SCAN ADVISOR
	echo 2 > $K/run
	echo 0 > $K/smart_scan
	echo none > $K/advisor_mode 2>/dev/null
	echo "$1" > $K/sleep_millisecs
	echo "$2" > $K/pages_to_scan
	[ "$3" = none ] || echo "$3" > $K/advisor_mode
}

# start WORKLOAD MIB NPROC MADVISE [TNPROC]: NPROC pagefill processes of MIB
# each; MADVISE: -m madvise; the target is for merging TNPROC of them
start() {
	w=$1 mib=$2 nproc=$3 madv=$4 tnproc=${5:-$3} i=0
	pids=
	while [ $i -lt "$nproc" ]; do
		case $w in
		clones) args="-P 1000000000 -S 7" ;;
		same) args="-P 1 -S 7" ;;
		tail) args="-t -S 7" ;;
		unique) args="-P 1000000000 -S $((100 + i))" ;;
		volatile) args="-P 1000000000 -S 7 -H -V 10" ;;
		files) args="-F $tmp/files" ;;
		esac
		# the first process says what a full merge reaches
		[ $i = 0 ] && args="$args -T $tnproc"
		rm -f $tmp/range.$i $tmp/range.$i.target
		# shellcheck disable=SC2086
		pagefill -s "$mib" $args $madv -o $tmp/range.$i &
		pids="$pids $!"
		i=$((i + 1))
	done
	i=0
	while [ $i -lt "$nproc" ]; do
		while [ ! -s $tmp/range.$i ]; do sleep 0.05; done
		i=$((i + 1))
	done
}

stop() {	# stop the fillers; each checks its data on SIGTERM
	bad=0
	for p in $pids; do kill -TERM "$p"; done
	for p in $pids; do wait "$p" || bad=$((bad + 1)); done
	[ $bad = 0 ] || echo "bench: $bad processes found their data changed" >&2
	return $bad
}

# What a full merge reaches in pages_sharing: every copy after the first of
# each distinct content, within max_page_sharing (256) per KSM page. The
# first process of start() computed it from its own pages (which, for
# unique, the others do not share).
target() {
	if [ "$w" = unique ]; then echo 0; else cat $tmp/range.0.target; fi
}

memavail() {	# MemAvailable, KiB
	# fold the CPUs' counter deltas first: they reach the totals only
	# once a second otherwise, and a synchronous merge returns at once
	echo 1 > /proc/sys/vm/stat_refresh 2>/dev/null
	sed -n 's/^MemAvailable: *\([0-9]*\) kB/\1/p' /proc/meminfo
}

one() {	# one WORKLOAD MIB NPROC MODE REP
	w=$1 mib=$2 nproc=$3 mode=$4 rep=$5 ex=
	case $mode in
	sync|sync-chunked|sync-exit)
		knobs 20 100 none
		start "$w" "$mib" "$nproc" ""
		tgt=$(target)
		ranges=$(i=0; while [ $i -lt "$nproc" ]; do echo $tmp/range.$i; i=$((i + 1)); done)
		chunk=; [ $mode = sync-chunked ] && chunk="-c 2048"
		m0=$(memavail)
		# shellcheck disable=SC2086
		out=$(ksm-bench sync $chunk -t "$tgt" "bench$rep" $ranges) || return 1
		m1=$(memavail)
		sharing=$(cat $K/bench$rep/pages_sharing)
		profit=$(cat $K/bench$rep/general_profit)
		un=
		if [ $mode = sync-exit ]; then
			# each member's exit lets go of its rmap items itself
			# shellcheck disable=SC2086
			ex=$(ksm-bench kill $pids) || return 1
			for p in $pids; do wait "$p"; done
			pids=
			echo "bench$rep" > $K/control/remove_partition
		else
			# the removal unmerges every member in this context
			un=$(ksm-bench write $K/control/remove_partition "bench$rep") || return 1
		fi
		;;
	sync[0-9]*-*)
		# P partitions of two processes each (whatever NPROC says),
		# the same content in all: merged one after the other or at
		# the same time, each merging within itself only
		un=
		knobs 20 100 none
		np=${mode%%-*}; np=${np#sync}
		nproc=$((2 * np))
		start "$w" "$mib" $nproc "" 2
		tgt=$(($(target) * np))
		args= i=0
		while [ $i -lt "$np" ]; do
			args="$args${args:+ --} bench${rep}p$i $tmp/range.$((2 * i)) $tmp/range.$((2 * i + 1))"
			i=$((i + 1))
		done
		m0=$(memavail)
		# shellcheck disable=SC2086
		out=$(ksm-bench partitions "${mode#*-}" $args) || return 1
		m1=$(memavail)
		sharing=0 profit=0 i=0
		while [ $i -lt "$np" ]; do
			sharing=$((sharing + $(cat $K/bench${rep}p$i/pages_sharing)))
			profit=$((profit + $(cat $K/bench${rep}p$i/general_profit)))
			echo "bench${rep}p$i" > $K/control/remove_partition
			i=$((i + 1))
		done
		;;
	ksmd-*)
		case $mode in
		ksmd-tuned) knobs 0 4096 none ;;
		ksmd-default) knobs 20 100 none ;;
		ksmd-scantime) knobs 20 100 scan-time ;;
		esac
		start "$w" "$mib" "$nproc" "-m madvise"
		tgt=$(target)
		m0=$(memavail)
		if [ "$w" = unique ]; then
			# nothing to merge: time two full scans of everything
			out=$(ksm-bench watch full_scans $(($(cat $K/full_scans) + 2)) 600) || return 1
		else
			out=$(ksm-bench watch pages_sharing "$tgt" 600) || return 1
		fi
		m1=$(memavail)
		sharing=$(cat $K/pages_sharing)
		profit=$(cat $K/general_profit)
		# run = 2 unmerges everything in this context
		un=$(ksm-bench write $K/run 2) || return 1
		;;
	esac
	stop || return 1
	result "{\"workload\":\"$w\",\"mib\":$mib,\"nproc\":$nproc,\"mode\":\"$mode\",\"rep\":$rep,\"target\":$tgt,\"pages_sharing\":$sharing,\"saved\":{\"general_profit\":$profit,\"memavail_kib\":$((m1 - m0))},\"run\":$out${un:+,\"unmerge\":$un}${ex:+,\"exit\":$ex}}"
}

# The guest image's own files, for the files workload
find /bin /sbin /usr /lib -type f 2>/dev/null | sort > $tmp/files

# ksm_tests_p REPS CLOCK: ksm_tests -P with ksmd tuned and smart_scan on
ksm_tests_p() {
	knobs 0 4096 none
	echo 1 > $K/smart_scan
	r=1
	while [ "$r" -le "$1" ]; do
		speed=$($T/ksm_tests -P -s 64 -p 4096 2>&1 |
			sed -n 's/.*Average speed: *\([0-9.]*\) MiB\/s.*/\1/p')
		[ -n "$speed" ] || { echo "bench: ksm_tests -P failed" >&2; exit 1; }
		result "{\"test\":\"ksm_tests -P -s 64 -p 4096\",\"clock\":\"$2\",\"rep\":$r,\"mib_per_s\":$speed}"
		r=$((r + 1))
	done
}

# ksmd_steady REPS: see global-icount above. ksm-bench watch polls
# full_scans and gives ksmd's own CPU time over the interval: the wall time
# would count the polling too.
ksmd_steady() {
	knobs 0 4096 none
	echo 1 > $K/smart_scan
	start unique 128 1 "-m madvise"
	# age the pages first: smart scan then skips most of them
	ksm-bench watch full_scans $(($(cat $K/full_scans) + 80)) 3000 > /dev/null || exit 1
	r=1
	while [ "$r" -le "$1" ]; do
		out=$(ksm-bench watch full_scans $(($(cat $K/full_scans) + 40)) 3000) || exit 1
		result "{\"test\":\"ksmd steady scan 128MiB unique\",\"clock\":\"icount\",\"rep\":$r,\"scans\":40,\"run\":$out}"
		r=$((r + 1))
	done
	echo 2 > $K/run
	stop
}

# knob_wait EVENT MIB: MIB MiB of distinct pages that ksmd has scanned three
# times (an rmap item for each page), then ksmd at sleep 20 ms and 100 pages
# a batch (smart scan off, as knobs leaves it); writes to run for 3 s, and
# EVENT (idle, exit, join) 1 s into them. The result says how many items
# were left when the writes ended: 0 after an exit means ksmd had freed the
# process's items within them.
knob_wait() {
	knobs 0 20000 none
	start clones "$2" 1 "-m madvise"
	f=$(cat $K/full_scans)
	echo 1 > $K/run
	ksm-bench watch full_scans $((f + 3)) 600 > /dev/null ||
		{ echo "bench: ksmd did not scan $2 MiB three times" >&2; exit 1; }
	echo 20 > $K/sleep_millisecs
	echo 100 > $K/pages_to_scan
	sleep 1		# until ksmd's batch of 20000 pages ends
	ksm-bench writes $K/run 1 3 > $tmp/writes &
	wp=$!
	sleep 1
	case $1 in
	exit) kill -KILL $pids; wait $pids 2>/dev/null ;;
	join) ksm-bench sync knobwait $tmp/range.0 > /dev/null || exit 1 ;;
	esac
	wait $wp || exit 1
	left=$(($(cat $K/pages_shared) + $(cat $K/pages_sharing) +
		$(cat $K/pages_unshared) + $(cat $K/pages_volatile)))
	if [ "$1" != exit ]; then
		stop || exit 1
	fi
	if [ "$1" = join ]; then
		echo knobwait > $K/control/remove_partition || exit 1
	fi
	result "{\"test\":\"knob wait\",\"event\":\"$1\",\"mib\":$2,\"rep\":$r,\"items_left\":$left,\"run\":$(cat $tmp/writes)}"
	echo 2 > $K/run || exit 1
}

case $1 in
knob-wait)
	r=1
	while [ "$r" -le "$2" ]; do
		knob_wait idle "$3"
		knob_wait exit "$3"
		[ -e $K/control ] && knob_wait join "$3"
		r=$((r + 1))
	done
	;;
global-icount)
	ksm_tests_p "$2" icount
	ksmd_steady "$2"
	;;
global)
	reps=$2
	ksm_tests_p "$reps" wall
	r=1
	while [ "$r" -le "$reps" ]; do
		knobs 0 4096 none
		start clones 32 2 "-m madvise"
		out=$(ksm-bench watch pages_sharing "$(target)" 600) || exit 1
		echo 2 > $K/run
		stop || exit 1
		result "{\"test\":\"ksmd clones 2x32MiB tuned\",\"rep\":$r,\"run\":$out}"
		r=$((r + 1))
	done
	result "$(ksm-bench counters 2000 | sed 's/"cmd":"counters"/"test":"counter reads"/')"
	;;
merge)
	reps=$2 loads=$3 modes=$4
	result "$(ksm-bench cow 16384)"
	r=1
	while [ "$r" -le "$reps" ]; do
		for l in $loads; do
			IFS=: read -r w mib nproc only <<EOF
$l
EOF
			ms=$modes
			[ -n "$only" ] && ms=$(echo "$only" | tr , ' ')
			for m in $ms; do
				one "$w" "$mib" "$nproc" "$m" "$r" || exit 1
			done
		done
		r=$((r + 1))
	done
	;;
profile-ksmd|profile-sync)
	echo 0 > /proc/sys/kernel/kptr_restrict
	echo -1 > /proc/sys/kernel/perf_event_paranoid
	rec="perf record -q -e cpu-clock -a -o $tmp/perf.data"
	if [ "$1" = profile-ksmd ]; then
		knobs 0 4096 none
		echo 1 > $K/smart_scan
		$rec -- sh -c "for i in 1 2 3; do $T/ksm_tests -P -s 64 -p 4096; done" |
			grep speed
		comm=ksmd
	else
		knobs 20 100 none
		start clones 64 2 ""
		$rec -- ksm-bench sync prof $tmp/range.0 $tmp/range.1
		comm=ksm-bench
		stop
	fi
	echo "samples by command:"
	perf report -i $tmp/perf.data --stdio --sort comm --percent-limit 1 \
		2>/dev/null | grep -v '^#' | sed '/^$/d'
	echo "samples of $comm by symbol (percent of all samples):"
	perf report -i $tmp/perf.data --comm $comm --stdio --sort sym \
		--percent-limit 0.4 2>/dev/null | grep -v '^#' | sed '/^$/d'
	;;
*)
	echo "usage: bench.sh global REPS | global-icount REPS | knob-wait REPS MIB | merge REPS LOADS MODES | profile-ksmd | profile-sync" >&2
	exit 2
	;;
esac

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ksmctl (and libsksm under it) against the patched kernel: every command,
# merges proven by the page frames in /proc/PID/pagemap, JSON checked by
# json-get, permissions as unprivileged users, bad arguments.
#
# Each case runs as "sh THIS-FILE case_NAME" so that tap_case can time it
# out; a case fails by exiting non-zero, saying why.

KSMCTL=ksmctl
T=/tmp/ksmctl-test
PAGES=4096		# pagefill -n: 16 MiB of identical pages

. /usr/share/sksm/tests/tap.sh

# run WANT-RC CMD...: run CMD, print its output, require its exit status
run() {
	want=$1
	shift
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	[ "$rc" = "$want" ] || fail "$* exited $rc, expected $want"
}

# says PATTERN: the last run's output matches the grep -E PATTERN
says() {
	printf '%s\n' "$out" | grep -qE -- "$1" || fail "output lacks /$1/"
}

# js PATH [json-get options]: a value of the last run's output, which must
# be valid JSON
js() {
	path=$1
	shift
	printf '%s' "$out" | json-get "$@" "$path" ||
		fail "JSON: no $path in: $out"
}

# filler NAME [pagefill args]: start pagefill, wait for its range file;
# sets PID, START, END
filler() {
	name=$1
	shift
	rm -f "$T/$name.range"
	# Not on our stdout: tap_case reads it until every writer is gone
	pagefill -n $PAGES -o "$T/$name.range" "$@" >/dev/null 2>&1 &
	wait_file "$T/$name.range" "pagefill $name"
	read -r PID START END < "$T/$name.range"
	echo "$PID" >> "$T/pids"
}

# frames PID START END: "present N distinct M" of that range
frames() {
	pagemap-pfn -c "$1" "$2" "$3"
}

# first_pfn PID START END: the frame behind the range's first page
first_pfn() {
	pagemap-pfn "$1" "$2" "$3" | head -1 | cut -d' ' -f2
}

# stop_filler PID: SIGTERM; pagefill exits 0 only if its data is intact
stop_filler() {
	kill -TERM "$1"
	wait "$1" 2>/dev/null || fail "pagefill $1: its memory changed"
}

cleanup() {
	[ -f "$T/pids" ] && while read -r p; do kill -9 "$p"; done < "$T/pids"
	for p in t1 t2 t3 u1 u2 iso1 iso2 iso3; do
		$KSMCTL remove "$p" >/dev/null 2>&1
	done
	rm -f "$T/pids"
}

case_help() {
	run 0 $KSMCTL --help
	says '^Usage:'
	run 0 $KSMCTL --version
	says 'libsksm 1\.2 \(built with 1\.2\)'
	run 0 $KSMCTL merge --help
	says 'ksmctl merge NAME'
}

case_bad_arguments() {
	run 2 $KSMCTL
	says '^ksmctl: no command given'
	run 2 $KSMCTL frobnicate
	says "unknown command 'frobnicate'"
	run 2 $KSMCTL merge t1 --pid abc --all
	says "merge: bad PID 'abc'"
	run 2 $KSMCTL merge t1 --pid 1
	says 'give one of --range START-END and --all'
	run 2 $KSMCTL unmerge t1 --pid 1 --range 2000-1000
	says "bad range '2000-1000'"
	run 2 $KSMCTL merge t1 --pid 1 --range 1000-1800
	says 'not page aligned'
	run 2 $KSMCTL create t1 --mode rw
	says "bad mode 'rw'"
	run 2 $KSMCTL list --pid 1
	says 'option --pid does not apply'
	run 2 $KSMCTL status
	says -- '--pid PID is required'
	run 1 $KSMCTL create 'bad/name'
	says 'Invalid argument \(invalid partition name'
	run 1 $KSMCTL create .hidden
	says 'invalid partition name'
	run 1 $KSMCTL create a234567890123456789012345678901234567890123456789012345678901234
	says 'File name too long \(partition name longer than 63 characters\)'
	run 1 $KSMCTL stat nosuch
	says 'stat: partition "nosuch": No such file or directory \(no such partition\)'
	run 1 $KSMCTL status --pid 999999
	says 'status: process 999999: No such process'
	# What the library says where there is no series: exit 3
	run 3 env SKSM_SYSFS_ROOT=/nonexistent $KSMCTL list
	says 'lacks the Selective KSM series'
}

case_create_list_stat() {
	run 0 $KSMCTL list --json
	[ "$(js backend)" = syscalls ] ||
		fail "the patched kernel's system calls were not chosen"
	run 0 $KSMCTL create t1
	run 0 $KSMCTL create t1			# exists: fine
	run 1 $KSMCTL create t1 --exclusive
	says 'create: partition "t1": File exists'
	run 0 $KSMCTL create t2 --mode 0640 --exclusive
	run 0 $KSMCTL create t2 --mode 0600	# exists: its mode stays
	says 'warning: --mode ignored: partition "t2" exists and keeps its mode'
	run 0 $KSMCTL list
	says '^t1$'
	says '^t2$'
	[ -d /sys/kernel/mm/ksm/t1 ] || fail "no /sys/kernel/mm/ksm/t1"
	run 0 $KSMCTL list --json
	js partitions -t array >/dev/null
	run 0 $KSMCTL stat t1 --json
	[ "$(js partitions.0.name)" = t1 ] && [ "$(js partitions.0.state)" = linked ] &&
		[ "$(js partitions.0.mode)" = 0600 ] && [ "$(js partitions.0.uid)" = 0 ] &&
		[ "$(js partitions.0.members)" = 0 ] || fail "stat t1"
	js partitions.0.pages_sharing -t int >/dev/null
	js partitions.0.general_profit -t int >/dev/null
	run 0 $KSMCTL stat t2 --json
	[ "$(js partitions.0.mode)" = 0640 ] || fail "mode of t2"
	run 0 $KSMCTL stat --json
	js global.pages_sharing -t int >/dev/null
	js partitions.0.name -t string >/dev/null
	run 0 $KSMCTL stat
	says '^NAME +STATE +OWNER +MODE +MEMBERS +SHARED +SHARING'
	says '^t1 +linked +0:0 +0600 +0 '
	says '^t2 +linked +0:0 +0640 '
	says 'global KSM and all partitions:'
}

# Identical pages of one process share one frame after merge --all
case_merge_all() {
	filler a
	frames "$PID" "$START" "$END"
	run 0 $KSMCTL merge t1 --pid "$PID" --all --json
	[ "$(js operation)" = merge ] && [ "$(js processes.0.pid)" = "$PID" ] ||
		fail "merge JSON"
	[ "$(js pages)" -ge $((PAGES - 1)) ] || fail "pages merged: $(js pages)"
	[ "$(js saved_bytes)" -gt 0 ] || fail "nothing saved"
	js cpu_seconds -t number >/dev/null
	f=$(frames "$PID" "$START" "$END")
	echo "after merge: $f"
	[ "$f" = "present $PAGES distinct 1" ] || fail "not merged: $f"
	run 0 $KSMCTL status --pid "$PID" --json
	[ "$(js processes.0.partition)" = t1 ] || fail "status: not in t1"
	[ "$(js processes.0.merging_pages)" -ge $((PAGES - 1)) ] || fail "status: pages"
	run 0 $KSMCTL status --pid "$PID"
	says 'partition +t1'
	run 0 $KSMCTL stat t1 --json
	[ "$(js partitions.0.members)" = 1 ] || fail "members of t1"
	[ "$(js partitions.0.pages_sharing)" -ge $((PAGES - 1)) ] || fail "pages_sharing"
	# Text summary
	run 0 $KSMCTL merge t1 --pid "$PID" --all
	says "^t1: process $PID: [0-9]+ pages merged .* s wall, .* s CPU$"
	stop_filler "$PID"
}

# A range of a second process merges with the first one's pages; a third
# process in another partition never does
case_merge_range_isolation() {
	filler a
	a_pid=$PID a_start=$START a_end=$END
	filler b
	b_pid=$PID b_start=$START b_end=$END
	filler c
	c_pid=$PID c_start=$START c_end=$END
	run 0 $KSMCTL merge t1 --pid "$a_pid" --all
	run 0 $KSMCTL merge t1 --pid "$b_pid" --range "$b_start-$b_end" --json
	[ "$(js range_bytes)" = $((PAGES * 4096)) ] || fail "range_bytes"
	run 0 $KSMCTL merge t2 --pid "$c_pid" --range "$c_start-$c_end"
	pa=$(first_pfn "$a_pid" "$a_start" "$a_end")
	pb=$(first_pfn "$b_pid" "$b_start" "$b_end")
	pc=$(first_pfn "$c_pid" "$c_start" "$c_end")
	echo "frames: a $pa b $pb c $pc"
	case "$pa" in ''|-) fail "a's first page is not present" ;; esac
	[ "$pa" = "$pb" ] || fail "a and b (one partition) do not share"
	[ "$pa" != "$pc" ] || fail "c (another partition) shares with a"
	[ "$(frames "$c_pid" "$c_start" "$c_end")" = "present $PAGES distinct 1" ] ||
		fail "c not merged in t2"
	# A member of t1 cannot be merged into t2
	run 1 $KSMCTL merge t2 --pid "$a_pid" --all
	says 'Device or resource busy \(process belongs to another partition\)'
	stop_filler "$a_pid"
	stop_filler "$b_pid"
	stop_filler "$c_pid"
}

case_unmerge() {
	filler a
	half=$(printf '%#x' $((START + PAGES / 2 * 4096)))
	run 0 $KSMCTL merge t1 --pid "$PID" --all
	run 0 $KSMCTL unmerge t1 --pid "$PID" --range "$START-$half" --json
	[ "$(js operation)" = unmerge ] || fail "unmerge JSON"
	[ "$(js pages)" -ge $((PAGES / 2 - 1)) ] || fail "pages unmerged"
	f=$(frames "$PID" "$START" "$END")
	echo "after unmerging half: $f"
	[ "$f" = "present $PAGES distinct $((PAGES / 2 + 1))" ] ||
		fail "half not private: $f"
	# /proc/kpageflags: the private half not KSM, the merged half KSM (a
	# kernel without patch 0057 shows KPF_KSM on every anonymous page).
	# Every page is counted, so that a pagemap-pfn that failed part way
	# cannot pass; a page not present (under migration) counts as neither.
	k=$(pagemap-pfn -k "$PID" "$START" "$END" | awk -v h=$((PAGES / 2)) '
		NR <= h && $3 == "ksm" { a++ }
		NR > h && $2 != "-" && $3 != "ksm" { b++ }
		END { print NR, a + 0, b + 0 }')
	[ "$k" = "$PAGES 0 0" ] ||
		fail "pages read, private ones KSM, merged ones not KSM: $k"
	run 0 $KSMCTL status --pid "$PID" --json
	[ "$(js processes.0.partition)" = t1 ] || fail "a range ended the membership"
	run 0 $KSMCTL unmerge t1 --pid "$PID" --all
	says "^t1: process $PID: [0-9]+ pages unmerged"
	f=$(frames "$PID" "$START" "$END")
	[ "$f" = "present $PAGES distinct $PAGES" ] || fail "not private: $f"
	run 0 $KSMCTL status --pid "$PID" --json
	[ "$(js processes.0.partition -t null)" = null ] || fail "still a member"
	run 1 $KSMCTL unmerge t1 --pid "$PID" --all
	says 'not a member of this partition'
	stop_filler "$PID"
}

# merge of a process with nothing KSM can merge in a range
case_merge_errors() {
	filler a
	run 1 $KSMCTL merge t1 --pid "$PID" --range 10000-20000
	says "process $PID: Cannot allocate memory \(nothing mapped in that range\)"
	run 1 $KSMCTL merge nosuch --pid "$PID" --all
	says 'merge: partition "nosuch": No such file or directory \(no such partition\)'
	run 1 $KSMCTL merge t1 --pid 999999 --all
	says 'No such process'
	stop_filler "$PID"
}

# As unprivileged users: own partition and process, modes, ptrace, remove
case_unprivileged() {
	as_sksm="su -s /bin/sh sksm -c"
	run 0 $as_sksm "$KSMCTL create u1"
	run 0 $KSMCTL stat u1 --json
	[ "$(js partitions.0.uid)" = 1000 ] || fail "owner of u1"
	# sksm merges its own process into its own partition
	rm -f "$T/u.range"
	$as_sksm "exec pagefill -n $PAGES -o $T/u.range" >/dev/null 2>&1 &
	u_job=$!
	wait_file "$T/u.range" "pagefill as sksm"
	read -r u_pid u_start u_end < "$T/u.range"
	echo "$u_pid" >> "$T/pids"
	run 0 $as_sksm "$KSMCTL merge u1 --pid $u_pid --all --json"
	[ "$(frames "$u_pid" "$u_start" "$u_end")" = "present $PAGES distinct 1" ] ||
		fail "unprivileged merge did not merge"
	# ... but not root's process
	filler a
	run 1 $as_sksm "$KSMCTL merge u1 --pid $PID --all"
	says 'Operation not permitted \(no permission to modify that process.s memory\)'
	# root's 0600 partition is closed to it
	run 1 $as_sksm "$KSMCTL merge t1 --pid $u_pid --all"
	says 'Permission denied \(the partition.s mode does not allow this access\)'
	# another user may not remove sksm's partition
	run 1 su -s /bin/sh other -c "$KSMCTL remove u1"
	says 'only the partition.s creator or CAP_SYS_ADMIN may remove it'
	run 0 $as_sksm "$KSMCTL remove u1"
	# su runs pagefill in its place: its status says if the data held
	kill -TERM "$u_pid"
	wait "$u_job" || fail "pagefill as sksm: its memory changed"
	stop_filler "$PID"
}

# remove = unlink: the name goes, the members stay merged
case_remove() {
	run 0 $KSMCTL create t3
	filler a
	run 0 $KSMCTL merge t3 --pid "$PID" --all
	run 0 $KSMCTL remove t3
	run 0 $KSMCTL list
	printf '%s\n' "$out" | grep -qx t3 && fail "t3 still listed"
	run 1 $KSMCTL stat t3
	says 'no such partition'
	[ "$(frames "$PID" "$START" "$END")" = "present $PAGES distinct 1" ] ||
		fail "unlink unmerged the member"
	run 0 $KSMCTL create t3 --exclusive	# the name is free again
	run 1 $KSMCTL remove nosuch
	says 'remove: partition "nosuch": No such file or directory'
	stop_filler "$PID"
	run 0 $KSMCTL remove t3
}

# estimate predicts what a merge then does, and merges nothing itself
case_estimate() {
	filler e1 -S 5 -P 1024
	e1=$PID
	filler e2 -S 5 -P 1024
	e2=$PID
	filler e3 -S 6 -P 1024	# the same pattern of pages, other bytes
	e3=$PID
	mkdir -p /sys/fs/cgroup/ksmctl-est
	echo "$e3" > /sys/fs/cgroup/ksmctl-est/cgroup.procs ||
		fail "cannot move e3 into a cgroup"
	before=$(cat /sys/kernel/mm/ksm/pages_sharing)
	run 0 $KSMCTL estimate --pid "$e1" --pid "$e2" --cgroup /ksmctl-est --json
	predicted=$(js partitions.1.pages_sharing)
	[ "$(js partitions.1.processes -l)" = 2 ] || fail "2 processes in pids"
	[ "$(js partitions.0.name)" = /ksmctl-est ] || fail "cgroup group name"
	[ "$(js partitions.0.processes -l)" = 1 ] || fail "1 process in the cgroup"
	# Each filler: 4096 pages, 1024 contents four times over
	[ "$(js partitions.0.pages_sharing)" -ge $((PAGES - 1024)) ] ||
		fail "e3 alone shares its repeated pages"
	[ "$predicted" -ge $((2 * PAGES - 1024)) ] || fail "prediction $predicted"
	[ "$(js one_partition.processes -l)" = 3 ] || fail "one_partition"
	[ "$(cat /sys/kernel/mm/ksm/pages_sharing)" = "$before" ] ||
		fail "estimate merged something"
	[ -z "$(sed -n 's/^ksm_partition //p' /proc/$e1/ksm_stat)" ] ||
		fail "estimate made e1 a member"
	run 0 $KSMCTL estimate --pid "$e1"
	says '^all of them in one partition:$'

	run 0 $KSMCTL create t3
	run 0 $KSMCTL merge t3 --pid "$e1" --all
	run 0 $KSMCTL merge t3 --pid "$e2" --all
	run 0 $KSMCTL stat t3 --json
	actual=$(js partitions.0.pages_sharing)
	echo "predicted $predicted, merged $actual"
	diff=$((predicted - actual))
	[ ${diff#-} -le 16 ] || fail "predicted $predicted, a merge shares $actual"
	run 0 $KSMCTL remove t3
	rmdir /sys/fs/cgroup/ksmctl-est 2>/dev/null
	for p in $e1 $e2 $e3; do stop_filler "$p"; done
}

# --cgroup merges every process of a cgroup and of those below it, each
# through a pidfd; a process outside is not touched; several --pid at once
case_merge_cgroup() {
	cg=/sys/fs/cgroup/ksmctl-merge
	run 0 $KSMCTL create t1
	filler g1
	g1=$PID g1_start=$START g1_end=$END
	filler g2
	g2=$PID g2_start=$START g2_end=$END
	filler g3
	g3=$PID g3_start=$START g3_end=$END
	mkdir -p $cg/sub
	echo "$g1" > $cg/cgroup.procs && echo "$g2" > $cg/sub/cgroup.procs ||
		fail "cannot move the fillers into cgroups"
	run 0 $KSMCTL merge t1 --cgroup /ksmctl-merge --all --json
	for i in 0 1; do
		[ "$(js processes.$i.cgroup)" = /ksmctl-merge ] ||
			fail "process $i: cgroup"
		[ "$(js processes.$i.pidfd -t boolean)" = true ] ||
			fail "process $i not merged through a pidfd"
		[ "$(js processes.$i.error -t null)" = null ] ||
			fail "process $i: error"
	done
	[ "$(js processes -l)" = 2 ] || fail "not 2 processes merged"
	[ "$(js pages)" -ge $((2 * PAGES - 1)) ] || fail "pages: $(js pages)"
	p1=$(first_pfn "$g1" "$g1_start" "$g1_end")
	p2=$(first_pfn "$g2" "$g2_start" "$g2_end")
	p3=$(first_pfn "$g3" "$g3_start" "$g3_end")
	echo "frames: g1 $p1 g2 $p2 g3 $p3"
	case "$p1" in ''|-) fail "g1's first page is not present" ;; esac
	[ "$p1" = "$p2" ] || fail "the cgroup's processes do not share"
	[ "$p1" != "$p3" ] || fail "g3, outside the cgroup, shares"
	[ -z "$(sed -n 's/^ksm_partition //p' /proc/$g3/ksm_stat)" ] ||
		fail "g3 joined a partition"

	run 0 $KSMCTL unmerge t1 --cgroup /ksmctl-merge --all
	says "^t1: 2 processes: [0-9]+ pages unmerged"
	for g in "$g1 $g1_start $g1_end" "$g2 $g2_start $g2_end"; do
		# shellcheck disable=SC2086
		f=$(frames $g)
		[ "$f" = "present $PAGES distinct $PAGES" ] ||
			fail "not private after unmerge: $f"
	done
	run 0 $KSMCTL stat t1 --json
	[ "$(js partitions.0.members)" = 0 ] || fail "members left: $(js partitions.0.members)"

	run 0 $KSMCTL merge t1 --pid "$g1" --pid "$g3" --all
	says "^t1: process $g1: [0-9]+ pages merged"
	says "^t1: 2 processes: [0-9]+ pages merged"
	[ "$(first_pfn "$g1" "$g1_start" "$g1_end")" = \
	  "$(first_pfn "$g3" "$g3_start" "$g3_end")" ] ||
		fail "--pid g1 --pid g3 do not share"
	for p in $g1 $g2 $g3; do stop_filler "$p"; done
	rmdir $cg/sub $cg || fail "cgroups not empty"
}

# Processes that patch the same page of a program's code alike hold equal
# private copies of it: one merge folds them into one frame, an unmerge
# gives each its copy back, and the patch reads back intact
case_text_patch() {
	run 0 $KSMCTL create t1
	for n in 1 2 3 4; do
		rm -f "$T/patch$n"
		patchtext -o "$T/patch$n" /bin/busybox 4 >/dev/null 2>&1 &
		echo $! >> "$T/pids"
	done
	for n in 1 2 3 4; do wait_file "$T/patch$n" "patchtext $n"; done
	patched() {	# the distinct frames behind the four patched pages
		for n in 1 2 3 4; do
			pagemap-pfn $(cat "$T/patch$n") | cut -d' ' -f2
		done | sort -u | wc -l
	}
	[ "$(patched)" = 4 ] || fail "not 4 private copies: $(patched)"
	pids=
	for n in 1 2 3 4; do pids="$pids --pid $(cut -d' ' -f1 "$T/patch$n")"; done
	# shellcheck disable=SC2086
	run 0 $KSMCTL merge t1 $pids --all
	[ "$(patched)" = 1 ] || fail "not folded into one frame: $(patched)"
	# shellcheck disable=SC2086
	run 0 $KSMCTL unmerge t1 $pids --all
	[ "$(patched)" = 4 ] || fail "not private again: $(patched)"
	for n in 1 2 3 4; do
		p=$(cut -d' ' -f1 "$T/patch$n")
		kill -TERM "$p"
		wait "$p" || fail "patchtext $p: its page changed"
	done
}

# Isolation audit: the same 256 contents in K = 3 partitions (two processes
# each) and in global KSM (two processes under ksmd) make exactly K + 1
# frames per content, one per domain, each a KSM page (/proc/kpageflags)
case_isolation_audit() {
	n=256 procs=
	for part in iso1 iso2 iso3; do
		run 0 $KSMCTL create $part
		for i in 1 2; do
			filler $part$i -n $n -P $n -S 9
			procs="$procs $PID:$START:$END:$part"
			run 0 $KSMCTL merge $part --pid "$PID" --all
		done
	done
	echo 0 > /sys/kernel/mm/ksm/sleep_millisecs
	echo 1 > /sys/kernel/mm/ksm/run
	for i in 1 2; do
		filler global$i -n $n -P $n -S 9 -m madvise
		procs="$procs $PID:$START:$END:global"
	done
	i=0
	until [ "$(cat /sys/kernel/mm/ksm/pages_sharing)" -ge $((4 * n)) ]; do
		i=$((i + 1))
		[ $i -gt 300 ] && fail "ksmd did not merge the global pair in 30 s"
		sleep 0.1
	done
	# One line per page of each process: INDEX FRAME FLAG DOMAIN
	for p in $procs; do
		dom=${p##*:} r=${p%:*}
		pid=${r%%:*} r=${r#*:}
		pagemap-pfn -k "$pid" "${r%%:*}" "${r#*:}" |
			awk -v d="$dom" '{ print NR - 1, $2, $3, d }'
	done > "$T/audit"
	echo 2 > /sys/kernel/mm/ksm/run
	awk -v n=$n -v k=3 '
		$3 != "ksm" { bad = bad "page " $1 " of " $4 " not KSM; " }
		!(($1, $2) in seen) { seen[$1, $2] = 1; frames[$1]++ }
		!(($1, $4) in dom) { dom[$1, $4] = $2 }
		dom[$1, $4] != $2 { bad = bad "page " $1 " split in " $4 "; " }
		!($2 in owner) { owner[$2] = $4 }
		owner[$2] != $4 { bad = bad "frame " $2 " in " owner[$2] " and " $4 "; " }
		END {
			for (i = 0; i < n; i++)
				if (frames[i] != k + 1)
					bad = bad "page " i ": " frames[i] " frames; "
			if (bad) { print bad; exit 1 }
			print n " contents: " k + 1 " frames each, one per domain, all KSM"
		}' "$T/audit" || fail "isolation audit"
	for p in $procs; do stop_filler "${p%%:*}"; done
	for part in iso1 iso2 iso3; do run 0 $KSMCTL remove $part; done
}

if [ $# -gt 0 ]; then
	mkdir -p "$T"
	"$@"
	exit $?
fi

mkdir -p "$T"
chmod 1777 "$T"
cleanup
# One KSM page maps at most max_page_sharing pages (256), so 4096 identical
# pages would sit on 16 frames. The cases expect one frame per content:
# raise the limit, which the kernel allows while no KSM page exists.
mps=$(cat /sys/kernel/mm/ksm/max_page_sharing)
echo $((PAGES * 4)) > /sys/kernel/mm/ksm/max_page_sharing ||
	echo "# could not raise max_page_sharing: frame counts will fail"
cases="help bad_arguments create_list_stat merge_all merge_range_isolation
	unmerge merge_errors unprivileged remove estimate merge_cgroup
	text_patch isolation_audit"
tap_plan "$(echo $cases | wc -w)"
for c in $cases; do
	tap_case "ksmctl $c" 600 sh "$0" "case_$c"
	# A failed case leaves its fillers: end them before the next one
	[ -f "$T/pids" ] && while read -r p; do kill -9 "$p" 2>/dev/null; done < "$T/pids"
	rm -f "$T/pids"
done
cleanup
echo "$mps" > /sys/kernel/mm/ksm/max_page_sharing
tap_done

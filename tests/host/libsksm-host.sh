#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# libsksm and ksmctl on the host, against fake kernel trees (no VM): the C
# unit tests (plain, under valgrind, under ASan and UBSan), ksmctl's
# commands, options, messages, exit codes and JSON, the exported symbols,
# make install with pkg-config, the man pages, and that the guest suite
# parses. TAP on stdout.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$top/build}
out=$build/host
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

echo "TAP version 13"

result() {	# result OK(0/1) NAME [OUTPUT]: one TAP line, output on failure
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=$((failed + 1))
		[ -n "${3:-}" ] && printf '%s\n' "$3" | head -40 | sed 's/^/#   /'
	fi
}

check() {	# check NAME COMMAND...: passes when COMMAND exits 0
	local name=$1 output
	shift
	output=$("$@" 2>&1)
	result $? "$name" "$output"
}

relay() {	# relay PREFIX COMMAND...: a TAP program's tests as ours
	local prefix=$1 line plan=-1 seen=0 bad=0 status=-1
	shift
	while IFS= read -r line; do
		case "$line" in
		"ok "*) n=$((n + 1)); seen=$((seen + 1))
			echo "ok $n $prefix ${line#ok * }" ;;
		"not ok "*)
			n=$((n + 1)); seen=$((seen + 1)); bad=1
			failed=$((failed + 1))
			echo "not ok $n $prefix ${line#not ok * }" ;;
		"1.."*) plan=${line#1..} ;;
		"@exit "*) status=${line#@exit } ;;
		"#"*) echo "$line" ;;
		esac
	done < <("$@" 2>&1; echo "@exit $?")
	# A crash or sanitizer abort must not pass as fewer tests: the plan is
	# met and the status is 0, or 1 for failures already reported
	[ "$plan" = "$seen" ] && [ "$status" -eq 0 -o "$status" -eq "$bad" ]
	result $? "$prefix ran its $plan tests and exited $status"
}

fixtures() {	# a fresh scratch copy of the fixtures
	rm -rf "$tmp/fx"
	cp -r "$top/tests/host/fixtures" "$tmp/fx"
}

# --- build ---------------------------------------------------------------

check "build libsksm, ksmctl and the tests (-Wall -Wextra -Werror)" \
	make -s -C "$top/tests/host" OUT="$out"
if [ ! -x "$out/tests/test-libsksm" ] || [ ! -x "$out/ksmctl" ]; then
	echo "1..$n"
	exit 1
fi

# --- C unit tests --------------------------------------------------------

fixtures
relay "libsksm:" "$out/tests/test-libsksm" "$tmp/fx"
fixtures
check "libsksm tests pass under ASan and UBSan" \
	"$out/tests/test-libsksm-asan" "$tmp/fx"
fixtures
vg=(valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all
    --errors-for-leak-kinds=all --track-fds=no)
check "libsksm tests are valgrind clean (memcheck, no leaks)" \
	"${vg[@]}" "$out/tests/test-libsksm" "$tmp/fx"
fixtures
relay "libsksm 1.0 ABI:" "$out/tests/test-abi-1.0" "$tmp/fx"
relay "ksmctl units:" "$out/tests/test-ksmctl"

# --- ksmctl --------------------------------------------------------------

fixtures
export LD_LIBRARY_PATH=$out/lib
export SKSM_SYSFS_ROOT=$tmp/fx/sysfs SKSM_PROC_ROOT=$tmp/fx/proc
ksmctl=$out/ksmctl
rm "$tmp/fx/sysfs/control/features"	# sysfs backend unless said otherwise

# cli NAME RC PATTERN ARGS...: ksmctl ARGS exits RC, output matches PATTERN
cli() {
	local name=$1 want=$2 pattern=$3 output rc
	shift 3
	output=$("$ksmctl" "$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ] && grep -qE -- "$pattern" <<<"$output"; then
		result 0 "ksmctl $name"
	else
		result 1 "ksmctl $name (exit $rc, expected $want, /$pattern/)" \
			"$output"
	fi
}

# cli_lines NAME WANT-RC PATTERN... -- ARGS...: as cli, every pattern
# matching a line of the output
cli_lines() {
	local name=$1 want=$2 output rc p missing=
	local -a patterns=()
	shift 2
	while [ "$1" != -- ]; do patterns+=("$1"); shift; done
	shift
	output=$("$ksmctl" "$@" 2>&1)
	rc=$?
	for p in "${patterns[@]}"; do
		grep -qE -- "$p" <<<"$output" || missing+=" /$p/"
	done
	if [ "$rc" = "$want" ] && [ -z "$missing" ]; then
		result 0 "ksmctl $name"
	else
		result 1 "ksmctl $name (exit $rc, expected $want; lacks$missing)" \
			"$output"
	fi
}

# json NAME PYTHON-CONDITION ARGS...: stdout is one valid JSON object d
# for which the condition holds, and nothing goes to stderr. Every output
# follows ksmctl(8)'s schema: an object with a "partitions" or "processes"
# array of objects (p0 and q0 are their first ones).
json() {
	local name=$1 cond=$2 output
	shift 2
	output=$("$ksmctl" "$@" 2>"$tmp/stderr")
	if [ $? = 0 ] && [ ! -s "$tmp/stderr" ] &&
	   python3 -c 'import json, sys
d = json.loads(sys.stdin.read())
arrays = [d[k] for k in ("partitions", "processes") if k in d]
schema = isinstance(d, dict) and arrays and all(
	isinstance(a, list) and all(isinstance(x, dict) for x in a)
	for a in arrays)
p0 = (d.get("partitions") or [None])[0]
q0 = (d.get("processes") or [None])[0]
sys.exit(0 if schema and ('"$cond"') else 1)' <<<"$output"; then
		result 0 "ksmctl $name"
	else
		result 1 "ksmctl $name ($cond)" "$output$(cat "$tmp/stderr")"
	fi
}

usage=2 failure=1 nokernel=3
cli "--help" 0 '^Usage:' --help
cli "merge --help" 0 'ksmctl merge NAME \(--pid PID \| --cgroup PATH\)\.\.\.' merge --help
cli "--version" 0 '^ksmctl from Selective KSM, libsksm 1\.2 \(built with 1\.2\)$' --version
cli "no command" $usage '^ksmctl: no command given' 
cli "unknown command" $usage "unknown command 'frob'" frob
cli "unknown global option" $usage "unrecognized option '--frob'" --frob
cli "unknown option" $usage "ksmctl: stat: unrecognized option '--frob'" stat --frob
cli "option of another command" $usage "list: option --pid does not apply" list --pid 1
cli "missing option argument" $usage "option '--pid' requires an argument" merge vm1 --pid
cli "missing NAME" $usage "create: partition NAME missing" create
cli "extra argument" $usage "create: unexpected argument 'b'" create a b
cli "bad mode" $usage "bad mode '999'" create vm1 --mode 999
cli "missing --pid" $usage -- "--pid PID is required" merge vm1 --all
cli "neither --range nor --all" $usage "give one of --range" merge vm1 --pid 1234
cli "both --range and --all" $usage "give one of --range" \
	unmerge vm1 --pid 1234 --all --range 1000-2000
cli "bad PID" $usage "bad PID 'x12'" merge vm1 --pid x12 --all
cli "PID 0" $usage "bad PID '0'" status --pid 0
cli "bad range" $usage "bad range '2000-1000'" merge vm1 --pid 1 --range 2000-1000
cli "unaligned range" $usage "not page aligned" merge vm1 --pid 1 --range 1000-1800
cli "status needs --pid" $usage -- "--pid PID is required" status

cli "list" 0 '^vm1
vm2$' list
json "list --json" 'd == {"backend": "sysfs", "partitions": [{"name": "vm1"}, {"name": "vm2"}]}' \
	list --json
cli "stat NAME" 0 'pages_sharing +3000' stat vm1
cli_lines "stat: a table of the partitions, then global KSM" 0 \
	'^NAME +STATE +OWNER +MODE +MEMBERS +SHARED +SHARING +UNSHARED +ZERO +SAVED$' \
	'^vm1 +linked +0:0 +0600 +2 +100 +3000 +50 +2 +11\.8 MiB$' \
	'^vm2 +linked +- +- +0 +0 +0 +0 +0 +-0\.0 MiB$' \
	'^global KSM and all partitions:$' '^  pages_sharing +3400$' -- stat
json "stat NAME --json" 'len(d["partitions"]) == 1 and
	d["global"]["run"] == 1 and p0["name"] == "vm1" and
	p0["pages_sharing"] == 3000 and p0["mode"] == "0600" and p0["uid"] == 0 and
	p0["use_zero_pages"] is True and p0["general_profit"] == 12345678 and
	p0["state"] == "linked"' stat vm1 --json
json "stat --json, unknown owner is null" 'p0["uid"] is None and
	p0["mode"] is None and p0["general_profit"] == -4096' stat vm2 -J
json "stat --json, all and global" 'len(d["partitions"]) == 2 and
	d["partitions"][1]["name"] == "vm2" and
	d["global"]["pages_sharing"] == 3400 and d["global"]["run"] == 1' \
	stat --json
cli "stat, all and global" 0 'global KSM and all partitions:' stat
cli "stat --prometheus" 0 '^node_ksmd_partition_pages_sharing\{partition="vm1"\} 3000$' \
	stat --prometheus
cli "stat NAME --prometheus: that partition only" 0 \
	'^node_ksmd_partition_members\{partition="vm2"\} 0$' stat vm2 --prometheus
check "ksmctl stat NAME --prometheus: no other partition" \
	sh -c '"$0" stat vm2 --prometheus | grep -q vm2 &&
	       ! "$0" stat vm2 --prometheus | grep -q vm1' "$ksmctl"
# The Prometheus client's own parser reads every family, typed, with help
# (Debian's python3, where python3-prometheus-client is installed)
prom_parse() {
	"$ksmctl" stat --prometheus | /usr/bin/python3 -c '
import sys
from prometheus_client.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(sys.stdin.read())}
want = {"node_ksmd_partition_members": "gauge",
	"node_ksmd_partition_pages_sharing": "gauge",
	"node_ksmd_partition_profit_bytes": "gauge",
	"node_ksmd_partition_pages_scanned": "counter",
	"node_ksmd_partition_merge_seconds": "counter"}
for name, kind in want.items():
	f = fams.get(name)
	if not f or f.type != kind or not f.documentation:
		sys.exit("%s: %s" % (name, f and f.type))
v = {s.labels["partition"]: s.value
     for s in fams["node_ksmd_partition_pages_sharing"].samples}
p = {s.labels["partition"]: s.value
     for s in fams["node_ksmd_partition_profit_bytes"].samples}
sys.exit(0 if v == {"vm1": 3000, "vm2": 0} and p["vm2"] == -4096 else
	 "values: %s %s" % (v, p))'
}
check "ksmctl stat --prometheus parses with prometheus_client, types and values" prom_parse
cli "stat --prometheus with --json" $usage 'give one of --json and --prometheus' \
	stat --json --prometheus
cli "--prometheus only for stat" $usage 'option --prometheus does not apply' \
	list --prometheus
cli "estimate needs processes" $usage 'give --pid PID or --cgroup PATH' estimate
cli "--cgroup not for status" $usage 'option --cgroup does not apply' \
	status --pid 1 --cgroup /a
cli "status takes one --pid" $usage 'one --pid only' status --pid 1 --pid 2
cli "merge needs processes" $usage 'give --pid PID or --cgroup PATH' merge vm1 --all
cli "merge --cgroup of no cgroup" $failure \
	'^ksmctl: merge: cgroup /sksm-no-such-cgroup: No such file or directory$' \
	merge vm1 --cgroup /sksm-no-such-cgroup --all
cli "stat of no partition" $failure \
	'^ksmctl: stat: partition "nosuch": No such file or directory \(no such partition\)$' \
	stat nosuch
cli "stat of an invalid name" $failure 'Invalid argument \(invalid partition name\)' \
	stat 'a b'

cli "create" 0 '^$' create new-1
check "create writes the name to add_partition" \
	grep -qx 'new-1' "$tmp/fx/sysfs/control/add_partition"
cli "create --mode under sysfs warns" 0 'warning: --mode ignored' \
	create vm1 --mode 640
cli "create of an invalid name" $failure \
	'create: partition "\.x": Invalid argument \(invalid partition name' create .x
cli "remove" 0 '^$' remove vm2
check "remove writes remove_partition" \
	grep -qx 'vm2' "$tmp/fx/sysfs/control/remove_partition"

json "merge --range --json" 'd["operation"] == "merge" and
	d["partition"] == "vm1" and d["processes"][0]["pid"] == 1234 and
	d["pages"] == 0 and
	d["range_bytes"] == 8192 and d["backend"] == "sysfs" and
	d["stopped"] is False and d["saved_bytes"] == 0 and
	d["cpu_seconds"] >= 0' \
	merge vm1 --pid 1234 --range 0x7f0000000000-0x7f0000002000 --json
check "merge --range writes trigger_merge" \
	grep -qx '1234 7f0000000000 7f0000002000' "$tmp/fx/sysfs/vm1/trigger_merge"
cli "merge --all summary" 0 \
	'^vm1: process 1234: 0 pages merged \(0\.0 MiB\) in 16\.3 MiB of mappings, saved 0\.0 MiB; [0-9.]+ s wall, [0-9.]+ s CPU$' \
	merge vm1 --pid 1234 --all
check "merge --all ends with the stack" \
	grep -qx '1234 7ffd00000000 7ffd00021000' "$tmp/fx/sysfs/vm1/trigger_merge"
json "unmerge --all --json" 'd["operation"] == "unmerge" and d["pages"] == 0' \
	unmerge vm1 --pid 1234 --all --json
check "unmerge --all ends with the whole process" \
	grep -qx '1234' "$tmp/fx/sysfs/vm1/trigger_unmerge"
cli "merge of nothing mergeable" $failure \
	'process 4321: Cannot allocate memory \(nothing mapped in that range\)$' \
	merge vm1 --pid 4321 --all
cli "merge of no process" $failure 'process 999999: No such process' \
	merge vm1 --pid 999999 --all
# Several processes: one failing does not stop the others; exit 1
cli_lines "merge of two processes, one failing" $failure \
	'process 4321: Cannot allocate memory' \
	'^vm1: process 1234: 0 pages merged \(0\.0 MiB\) in 16\.3 MiB of mappings$' \
	'^vm1: 2 processes: 0 pages merged' -- \
	merge vm1 --pid 4321 --pid 1234 --pid 4321 --all
two_json() {
	"$ksmctl" merge vm1 --pid 1234 --pid 4321 --all --json 2>/dev/null |
	python3 -c 'import json, sys
d = json.load(sys.stdin)
p = d["processes"]
sys.exit(not (len(p) == 2 and
	      p[0] == {"pid": 1234, "cgroup": None, "pidfd": False, "pages": 0,
		       "range_bytes": 17076224, "error": None} and
	      p[1]["pid"] == 4321 and p[1]["pages"] is None and
	      p[1]["error"] == "Cannot allocate memory"))'
	local st=("${PIPESTATUS[@]}")
	[ "${st[0]}" = 1 ] && [ "${st[1]}" = 0 ]
}
check "ksmctl merge of two processes --json: one entry each, exit 1" two_json
cli "merge into no partition" $failure \
	'merge: partition "nosuch": No such file or directory \(no such partition\)$' \
	merge nosuch --pid 1234 --all
cli "status" 0 'partition +vm1' status --pid 1234
json "status --json" 'len(d["processes"]) == 1 and q0["pid"] == 1234 and
	q0["partition"] == "vm1" and q0["merging_pages"] == 3000 and
	q0["merge_any"] is False and q0["mergeable"] is True and
	q0["profit"] == 11935744' status --pid 1234 --json
json "status --json, not a member" 'q0["partition"] is None and
	"merge_any" not in q0' status --pid 4321 -j
cli "status of no process" $failure '^ksmctl: status: process 999999: No such process$' \
	status --pid 999999
full_output() {	# a full disk is an error, not a silent success
	local msg
	msg=$("$ksmctl" list --json 2>&1 >/dev/full)
	[ $? = 1 ] && grep -q 'list: writing the output: No space left' <<<"$msg"
}
check "ksmctl output error" full_output

printf 'partitions\nsync_merge\nksm_open 500\nksm_merge 501\nksm_unmerge 502\nksm_unlink 503\n' \
	> "$tmp/fx/sysfs/control/features"
json "list --json with the system calls" 'd["backend"] == "syscalls"' list --json
SKSM_SYSFS_ROOT=$tmp/fx/sysfs-stock cli "list without the series" $nokernel \
	'list: listing partitions: Function not implemented \(the running kernel lacks the Selective KSM series\)' \
	list
SKSM_SYSFS_ROOT=$tmp/fx/sysfs-stock cli "merge without the series" $nokernel \
	'lacks the Selective KSM series' merge vm1 --pid 1234 --all
rm "$tmp/fx/sysfs/control/features"

for args in "stat --json" "merge vm1 --pid 1234 --all --json" "list" \
	    "status --pid 1234" "stat nosuch"; do
	# shellcheck disable=SC2086
	"${vg[@]}" "$ksmctl" $args > /dev/null 2> "$tmp/vg"
	[ $? != 99 ] && ! grep -q '^==' "$tmp/vg"
	result $? "ksmctl $args is valgrind clean" "$(cat "$tmp/vg")"
done
unset SKSM_SYSFS_ROOT SKSM_PROC_ROOT

# --- ksmctl's bash completion ------------------------------------------------

# completes EXPECTED WORDS...: completing the last word gives EXPECTED
completes() {
	local want=$1 got
	shift
	got=$(SKSM_SYSFS_ROOT=$tmp/fx/sysfs bash -c '
		. "$0"
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _ksmctl
		echo "${COMPREPLY[*]}"' \
		"$top/tools/ksmctl/ksmctl.bash-completion" "$@")
	[ "$got" = "$want" ]
	result $? "bash completion of '$*'" "got '$got', expected '$want'"
}
fixtures
completes "merge" ksmctl mer
completes "--pid --cgroup --range --all --json --help" ksmctl merge vm1 --
completes "--prometheus" ksmctl stat --pr
completes "vm1 vm2" ksmctl merge ""
completes "vm2" ksmctl stat vm2
every_command() {	# every command of ksmctl --help completes
	local words c
	words=" $(bash -c '. "$0"; COMP_WORDS=(ksmctl ""); COMP_CWORD=1; _ksmctl
		echo "${COMPREPLY[*]}"' "$top/tools/ksmctl/ksmctl.bash-completion") "
	for c in $("$ksmctl" --help | sed -n 's/^ ksmctl \([a-z]*\).*/\1/p'); do
		[[ "$words" == *" $c "* ]] || { echo "no completion of $c"; return 1; }
	done
}
check "bash completion offers every command of ksmctl --help" every_command

# --- sksmd's configuration -------------------------------------------------

# conf NAME RC PATTERN TEXT: sksmd --check of TEXT exits RC, says PATTERN
conf() {
	local name=$1 want=$2 pattern=$3 output rc
	printf '%b' "$4" > "$tmp/sksmd.conf"
	output=$("${vg[@]}" "$out/sksmd" --check -c "$tmp/sksmd.conf" 2>&1)
	rc=$?
	[ "$rc" = "$want" ] && grep -zqE -- "$pattern" <<<"$output"
	result $? "sksmd.conf: $name" "exit $rc: $output"
}
conf "the example is read as written" 0 'process = \*qemu-system-\*-name guest=vm1\*' \
	"$(cat "$top/tools/sksmd/sksmd.conf.example")"
conf "a /sys/fs/cgroup prefix and trailing slashes are dropped" 0 \
	'cgroup = /a/b[[:space:]]' '[partition p]\ncgroup = /sys/fs/cgroup/a/b//\n'
conf "defaults: interval 60, rescan_every 10, mode 0600" 0 \
	'interval = 60.*rescan_every = 10.*mode = 0600' \
	'[partition p]\nprocess = x\n'
conf "an unknown key names its line" 2 'sksmd.conf:3: unknown partition setting' \
	'interval = 5\n[partition p]\ncolour = red\n'
conf "'..' in a cgroup path" 2 'without' '[partition p]\ncgroup = /a/../b\n'
conf "a relative cgroup path" 2 'absolute' '[partition p]\ncgroup = a\n'
conf "a partition without members" 2 'no cgroup and no process' '[partition p]\n'
conf "a partition named twice" 2 'partition p twice' \
	'[partition p]\nprocess = a\n[partition p]\nprocess = b\n'
conf "a bad partition name" 2 "bad partition name '.p'" '[partition .p]\nprocess = a\n'
conf "a bad PSI trigger" 2 'psi:' 'psi = some 5 1\n[partition p]\nprocess = a\n'
conf "a percentage above 100" 2 'mem_available_below' \
	'mem_available_below = 101%\n[partition p]\nprocess = a\n'
conf "a mode beyond 0777" 2 'mode' '[partition p]\nprocess = a\nmode = 1777\n'
conf "no partition at all" 2 'no \[partition NAME\] section' 'interval = 5\n'
conf "a key outside key = value" 2 "'key = value' expected" \
	'[partition p]\nprocess\n'
unset LD_LIBRARY_PATH

# --- the library as installed and as linked --------------------------------

api() {		# the public functions: header, version script, .so, man pages
	local header map so f
	header=$(grep -oE '\bsksm_[a-z_]+\(' "$top/lib/sksm.h" | tr -d '(' | sort -u)
	map=$(grep -oE '^\s+sksm_[a-z_]+;' "$top/lib/libsksm.map" | tr -d ' \t;' |
	      sort -u)
	so=$(nm -D --defined-only "$out/lib/libsksm.so" | awk '$2 == "T" { print $3 }' |
	     sort)
	[ "$header" = "$map" ] || { echo "header: $header"; echo "map: $map"; return 1; }
	[ "$(sed -E 's/@@?LIBSKSM_1\.[0-9]+$//' <<<"$so" | sort -u)" = "$map" ] ||
		{ echo "exported: $so"; return 1; }
	# 1.0's functions keep their version: programs built with 1.0 run
	for f in sksm_open sksm_close sksm_merge sksm_strerror_op sksm_unlink; do
		grep -qx "$f@@LIBSKSM_1.0" <<<"$so" ||
			{ echo "$f is not LIBSKSM_1.0"; return 1; }
	done
	grep -qx 'sksm_version@@LIBSKSM_1.1' <<<"$so" ||
		{ echo "sksm_version is not LIBSKSM_1.1"; return 1; }
	# The structs grew size and flags in 1.2: both versions, 1.2 default
	for f in sksm_stat sksm_stat_name sksm_stat_global sksm_process_stat \
		 sksm_merge_process sksm_unmerge_process; do
		grep -qx "$f@LIBSKSM_1.0" <<<"$so" && grep -qx "$f@@LIBSKSM_1.2" <<<"$so" ||
			{ echo "$f: not both @LIBSKSM_1.0 and @@LIBSKSM_1.2"; return 1; }
	done
	grep -qx 'sksm_merge_range@@LIBSKSM_1.2' <<<"$so" ||
		{ echo "sksm_merge_range is not LIBSKSM_1.2"; return 1; }
	for f in $header; do
		[ -f "$top/man/man3/$f.3" ] || { echo "no man page $f.3"; return 1; }
	done
}
check "exported symbols are the header's functions, versioned LIBSKSM_1.0, 1.1 and 1.2, each with a man page" api

install_and_link() {
	local dest=$tmp/dest pc
	make -s -C "$top/lib" OUT="$out/lib" PREFIX=/usr DESTDIR="$dest" install &&
	make -s -C "$top/tools" OUT="$out" LIBSKSM_DIR="$out/lib" PREFIX=/usr \
		DESTDIR="$dest" install || return 1
	for f in usr/include/sksm.h usr/lib/libsksm.so.1.2.0 usr/lib/libsksm.so.1 \
		 usr/lib/libsksm.so usr/lib/libsksm.a usr/lib/pkgconfig/libsksm.pc \
		 usr/share/man/man3/libsksm.3 usr/share/man/man3/sksm_close.3 \
		 usr/share/man/man3/sksm_version.3 usr/share/man/man8/ksmctl.8 \
		 usr/sbin/ksmctl usr/sbin/sksmd usr/share/man/man8/sksmd.8 \
		 usr/share/man/man5/sksmd.conf.5 usr/lib/systemd/system/sksmd.service \
		 usr/share/bash-completion/completions/ksmctl; do
		[ -e "$dest/$f" ] || { echo "missing $f"; return 1; }
	done
	pc=$(PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_PATH=$dest/usr/lib/pkgconfig \
	     pkg-config --cflags --libs libsksm) || return 1
	[ "$(PKG_CONFIG_PATH=$dest/usr/lib/pkgconfig \
	     pkg-config --modversion libsksm)" = 1.2.0 ] || { echo "pc version"; return 1; }
	grep -q '@SBINDIR@' "$dest/usr/lib/systemd/system/sksmd.service" &&
		{ echo "sksmd.service: @SBINDIR@ left"; return 1; }
	cat > "$tmp/prog.c" <<-'EOF'
	#include <errno.h>
	#include <stdio.h>
	#include <sksm.h>
	int main(void)
	{
		printf("%s|%s|%s|%d\n", sksm_strerror(ENOSYS), sksm_version(),
		       sksm_state_name(SKSM_STATE_REMOVED),
		       sksm_state_name(SKSM_STATE_UNKNOWN) == NULL);
		return 0;
	}
	EOF
	# shellcheck disable=SC2086
	cc -Wall -Werror -o "$tmp/prog" "$tmp/prog.c" $pc &&
	LD_LIBRARY_PATH=$dest/usr/lib "$tmp/prog" |
		grep -qx 'the running kernel lacks the Selective KSM series|1\.2|removed|1'
}
check "make install DESTDIR=...; pkg-config 1.2.0; a program links and runs (sksm_version, sksm_state_name)" install_and_link

# --- the guest's JSON checker -----------------------------------------------

json_get() {	# json_get WANT-RC WANT-OUTPUT INPUT ARGS...
	local want=$1 expect=$2 input=$3 got rc
	shift 3
	got=$(printf '%s' "$input" | "$tmp/json-get" "$@" 2>/dev/null)
	rc=$?
	[ "$rc" = "$want" ] && [ "$got" = "$expect" ] ||
		{ echo "json-get $* <<< '$input': exit $rc, '$got'"; return 1; }
}

json_get_cases() {
	cc -O2 -Wall -Werror -o "$tmp/json-get" "$top/tests/progs/json-get.c" \
		-ljson-c || return 1
	json_get 0 'x"y' '{"a":[1,{"b":"x\"y"}]}' a.1.b &&
	json_get 0 2 '{"a":[1,{"b":2}]}' -l a &&
	json_get 0 null '{"n":null}' -t null n &&
	json_get 0 true '{"t":true}' -t boolean t &&
	json_get 5 '' '{"a":1}' -t string a &&
	json_get 3 '' '{"a":1}' b &&
	json_get 3 '' '{"a":[1]}' a.1 &&
	json_get 1 '' '{"a":1} x' &&
	json_get 1 '' '{"a":1,}' &&
	json_get 1 '' '{"a":NaN}' &&
	json_get 1 '' '{"a":1.}' &&
	json_get 1 '' "{'a':1}" &&
	json_get 1 '' '' &&
	json_get 2 '' '{}' -t nothing
}
check "json-get (the guest's JSON checker) validates strictly and extracts" \
	json_get_cases

# --- man pages and the guest suite ----------------------------------------

for page in "$top"/man/man2/*.2 "$top"/man/man3/*.3 "$top"/man/man5/*.5 \
	    "$top"/man/man8/*.8; do
	rel=${page#"$top/man/"}
	warnings=$(cd "$top/man" && groff -man -Tutf8 -ww -z "$rel" 2>&1;
		   MANWIDTH=80 man --warnings -l "$rel" 2>&1 >/dev/null)
	[ -z "$warnings" ]
	result $? "man page $rel renders without warnings" "$warnings"
done

for s in "$top"/tests/guest/*.sh; do
	check "guest suite $(basename "$s") parses (busybox sh -n)" busybox sh -n "$s"
done

echo "1..$n"
[ "$failed" = 0 ]

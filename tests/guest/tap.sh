# SPDX-License-Identifier: GPL-2.0
# TAP helpers for guest suites (busybox sh). Source it, declare the plan
# with tap_plan, call tap_case for each case, then tap_done. A case's own
# output is indented as TAP diagnostics so that only this file's "ok"/"not
# ok" lines count on the host. Sourcing prints nothing, so that a suite's
# cases, run as "sh SUITE case_NAME", can use fail and wait_file too.

tap_n=0 tap_failed=0 tap_planned=

# tap_plan N: the number of cases, printed before the first one runs, so
# that a case that never ran (a script that stopped, or a branch that
# skipped it by mistake) makes the plan differ from the results.
tap_plan() {
	tap_planned=$1
	echo "TAP version 13"
	echo "1..$1"
}

# tap_kselftest_count PROGRAM: how many tests a kselftest harness program
# runs, from its listing (-l): the rows with a name in the TEST column,
# which starts at column 48 ("%-20s %-25s %s"). One row per test when, as
# in ours, no fixture has variants.
tap_kselftest_count() {
	"$1" -l 2>&1 | grep -v -e '^# FIXTURE' -e '^---' | cut -c48- | grep -c .
}

# tap_case NAME TIMEOUT COMMAND [ARGS...]: kselftest exit codes: 0 pass,
# 4 skip, anything else (124: the timeout hit) fails.
tap_case() {
	name=$1 limit=$2
	shift 2
	tap_n=$((tap_n + 1))
	out=$(timeout "$limit" "$@" 2>&1)
	rc=$?
	[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/#   /'
	case $rc in
	0) echo "ok $tap_n $name" ;;
	4) echo "ok $tap_n $name # SKIP" ;;
	*) echo "not ok $tap_n $name (exit $rc)"; tap_failed=$((tap_failed + 1)) ;;
	esac
}

# tap_kselftest PREFIX TIMEOUT COMMAND [ARGS...]: run a kselftest harness
# program and count each of its tests as a case of ours.
tap_kselftest() {
	prefix=$1 limit=$2
	shift 2
	out=$(timeout "$limit" "$@" 2>&1)
	rc=$?
	seen_fail=0 seen=0
	while IFS= read -r line; do
		case "$line" in
		"ok "*|"not ok "*)
			tap_n=$((tap_n + 1)) seen=$((seen + 1))
			name=${line#not }; name=${name#ok }; name=${name#* }
			case "$line" in
			"not ok "*)
				echo "not ok $tap_n $prefix $name"
				tap_failed=$((tap_failed + 1)); seen_fail=1 ;;
			*) echo "ok $tap_n $prefix $name" ;;
			esac ;;
		*) echo "#   $line" ;;
		esac
	done <<EOT
$out
EOT
	if [ $rc != 0 ] && [ $rc != 4 ] && [ $seen_fail = 0 ]; then
		tap_n=$((tap_n + 1))
		echo "not ok $tap_n $prefix exited with status $rc"
		tap_failed=$((tap_failed + 1))
	elif [ $seen = 0 ]; then
		# Skipped whole ("1..0 # SKIP", exit 4), or ran nothing: say so,
		# as a skip or a failure, rather than add nothing
		tap_n=$((tap_n + 1))
		if [ $rc = 4 ]; then
			echo "ok $tap_n $prefix # SKIP the whole program skipped"
		else
			echo "not ok $tap_n $prefix ran no test"
			tap_failed=$((tap_failed + 1))
		fi
	fi
}

# fail WHY: end a case, saying why
fail() {
	echo "FAIL: $*"
	exit 1
}

# wait_file FILE WHO: until FILE has content (10 s at most)
wait_file() {
	i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && fail "$2 did not start"
		sleep 0.1
	done
}

# tap_done: the exit status of the suite; a plan other than the cases run
# fails it.
tap_done() {
	if [ -z "$tap_planned" ]; then
		echo "# tap_done: no tap_plan, so no plan: the suite fails"
		return 1
	fi
	if [ "$tap_n" != "$tap_planned" ]; then
		echo "# planned $tap_planned cases, ran $tap_n"
		return 1
	fi
	[ "$tap_failed" = 0 ]
}

# SPDX-License-Identifier: GPL-2.0
# TAP helpers for guest suites (busybox sh). Source it, call tap_case for each
# case, then tap_done. A case's own output is indented as TAP diagnostics so
# that only this file's "ok"/"not ok" lines count on the host.

tap_n=0 tap_failed=0
echo "TAP version 13"

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

tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" = 0 ]
}

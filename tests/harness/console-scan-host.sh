#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/console-scan on captured console logs (no VM): every clean-*.log
# must pass and every bad-*.log must be caught. The bad logs are real captures
# from this project's kernels (see tests/harness/console-logs/README).
top=$(cd "$(dirname "$0")/../.." && pwd)
n=0 failed=0
echo "TAP version 13"
for log in "$top"/tests/harness/console-logs/*.log; do
	n=$((n + 1))
	name=$(basename "$log" .log)
	"$top/scripts/console-scan" "$log" > /dev/null
	rc=$?
	case "$name" in
	clean-*) want=0 ;;
	*) want=1 ;;
	esac
	if [ "$rc" = "$want" ]; then
		echo "ok $n console-scan $name"
	else
		echo "not ok $n console-scan $name (exit $rc, expected $want)"
		failed=$((failed + 1))
	fi
done
echo "1..$n"
[ "$n" -gt 0 ] && [ "$failed" = 0 ]

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/run-tests against made-up suites (no VM): what it counts as
# passed, failed and skipped, and that a suite cannot pass by losing cases
# (no plan, a plan that differs from its results). TAP on stdout.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

echo "TAP version 13"

# check NAME WANT-RC WANT-SUMMARY: run the suite $tmp/$n/made-up-host.sh
# through run-tests, and check its status and last line
check() {
	local name=$1 want_rc=$2 want=$3 out rc last

	chmod +x "$tmp/$n/made-up-host.sh"
	out=$(BUILD_DIR=$tmp/$n/build "$top/scripts/run-tests" \
	      "$tmp/$n/made-up-host.sh" 2>&1)
	rc=$?
	last=$(tail -n 1 <<<"$out")
	if [ "$rc" = "$want_rc" ] && [ "$last" = "$want" ]; then
		echo "ok $n $name"
	else
		echo "not ok $n $name (exit $rc, '$last')"
		sed 's/^/#   /' <<<"$out"
		failed=$((failed + 1))
	fi
}

# expect NAME WANT-RC WANT-SUMMARY TAP-LINES...: a suite that prints those
# lines and exits 0
expect() {
	n=$((n + 1))
	mkdir -p "$tmp/$n"
	{ printf '#!/bin/sh\n'
	  printf "echo '%s'\n" "${@:4}"; } > "$tmp/$n/made-up-host.sh"
	check "$1" "$2" "$3"
}

expect "every case passes, plan at the end" 0 "2 passed, 0 failed, 0 skipped" \
	"ok 1 a" "ok 2 b" "1..2"
expect "plan first" 0 "2 passed, 0 failed, 0 skipped" \
	"1..2" "ok 1 a" "ok 2 b"
expect "a failed case fails the run" 1 "1 passed, 1 failed, 0 skipped" \
	"ok 1 a" "not ok 2 b" "1..2"
expect "no plan: the suite stopped early, a failure" 1 \
	"2 passed, 1 failed, 0 skipped" "ok 1 a" "ok 2 b"
expect "a plan other than the results: cases lost, a failure" 1 \
	"2 passed, 1 failed, 0 skipped" "1..3" "ok 1 a" "ok 2 b"
expect "a skip is counted as such" 0 "1 passed, 0 failed, 1 skipped" \
	"ok 1 a" "ok 2 b # SKIP no node" "1..2"
expect "a TODO failure (a known problem) is skipped, not failed" 0 \
	"1 passed, 0 failed, 1 skipped" \
	"ok 1 a" "not ok 2 b # TODO known" "1..2"
expect "a suite that runs nothing fails" 1 "0 passed, 1 failed, 0 skipped" "1..0"
expect "a suite skipped whole, saying so, is one skip" 0 \
	"0 passed, 0 failed, 1 skipped" "1..0 # SKIP no arm64 compiler"

# The same for a suite written with the guests' TAP helpers (tests/guest/
# tap.sh), whose SHELL-LINES run after it is sourced: its plan comes first
expect_tap() {
	n=$((n + 1))
	mkdir -p "$tmp/$n"
	{ printf '#!/bin/sh\n. %s/tests/guest/tap.sh\n' "$top"
	  printf '%s\n' "${@:4}"; } > "$tmp/$n/made-up-host.sh"
	check "$1" "$2" "$3"
}

expect_tap "tap.sh: the plan declared first, every case run" 0 \
	"2 passed, 0 failed, 0 skipped" \
	"tap_plan 2" "tap_case a 5 true" "tap_case b 5 true" "tap_done"
expect_tap "tap.sh: a planned case that never ran fails the suite" 1 \
	"1 passed, 2 failed, 0 skipped" \
	"tap_plan 2" "tap_case a 5 true" "tap_done"
expect_tap "tap.sh: a suite without tap_plan fails" 1 \
	"1 passed, 2 failed, 0 skipped" "tap_case a 5 true" "tap_done"
expect_tap "tap.sh: exit 4 is a skip, others fail" 1 \
	"0 passed, 1 failed, 1 skipped" \
	"tap_plan 2" "tap_case a 5 sh -c 'exit 4'" "tap_case b 5 false" "tap_done"

echo "1..$n"
[ "$failed" = 0 ]

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/vm-run itself, booting the debug kernel: every vCPU asked for comes
# up, the exit status comes from the guest command, and a panic or a console
# report gives 255 however the command ended. The WARNING, BUG and KASAN
# reports are real ones, provoked through LKDTM (CONFIG_LKDTM in
# configs/debug.config). The same for the arm64 debug kernel (--arch arm64)
# when the cross compiler is installed.
top=$(cd "$(dirname "$0")/../.." && pwd)
vm() { "$top/scripts/vm-run" --debug --no-build --timeout 300 "$@" >/dev/null 2>&1; }
n=0 failed=0
check() {	# check NAME EXPECTED ACTUAL
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1 (expected $2, got $3)"
		failed=$((failed + 1))
	fi
}

echo "TAP version 13"
vm -- sh -c 'exit 7'; check "guest exit status 7 comes back" 7 $?
vm -- true; check "guest exit status 0 comes back" 0 $?
cpus=$("$top/scripts/vm-run" --debug --no-build --smp 2 -- nproc 2>/dev/null)
check "the guest brings up both vCPUs of --smp 2" 2 "$cpus"
cpus=$("$top/scripts/vm-run" --debug --no-build --smp 3 -- nproc 2>/dev/null)
check "the guest brings up all three vCPUs of --smp 3" 3 "$cpus"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf 'hello from the host\n' > "$tmp/greeting"
out=$("$top/scripts/vm-run" --debug --no-build --add "$tmp/greeting:/data/g" \
	-- sh -c 'cat /data/g; echo "two words"' 2>/dev/null)
check "--add files and argument quoting" "hello from the host|two words" "$(echo "$out" | paste -sd'|')"
vm -- sh -c 'echo c > /proc/sysrq-trigger'; check "a kernel panic gives 255" 255 $?
vm -- sh -c 'echo WARNING > /sys/kernel/debug/provoke-crash/DIRECT; exit 0'
check "a kernel WARNING gives 255 though the command exited 0" 255 $?
vm -- sh -c 'echo READ_AFTER_FREE > /sys/kernel/debug/provoke-crash/DIRECT; exit 0'
check "a KASAN report gives 255 though the command exited 0" 255 $?
vm --timeout 20 -- sleep 1000; check "a guest that outlives --timeout gives 255" 255 $?
if command -v aarch64-linux-gnu-gcc >/dev/null; then
	vm --arch arm64 -- sh -c 'exit 7'
	check "arm64: guest exit status 7 comes back" 7 $?
	out=$("$top/scripts/vm-run" --arch arm64 --debug --no-build --smp 2 \
		-- sh -c 'uname -m; nproc' 2>/dev/null)
	check "arm64: an aarch64 guest brings up both vCPUs of --smp 2" \
		"aarch64|2" "$(echo "$out" | paste -sd'|')"
	vm --arch arm64 -- sh -c 'echo c > /proc/sysrq-trigger'
	check "arm64: a kernel panic gives 255" 255 $?
	vm --arch arm64 -- sh -c \
		'echo WARNING > /sys/kernel/debug/provoke-crash/DIRECT; exit 0'
	check "arm64: a kernel WARNING gives 255 though the command exited 0" 255 $?
	vm --arch arm64 --timeout 20 -- sleep 1000
	check "arm64: a guest that outlives --timeout gives 255" 255 $?
fi
echo "1..$n"
[ "$failed" = 0 ]

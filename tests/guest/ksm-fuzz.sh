#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The four KSM partition system calls and the sysfs files with hostile
# arguments (tests/progs/ksm-fuzz.c): 100000 calls from three processes at
# once, each result checked against the documented errors, the target
# processes' memory intact, counters and KSM objects back at their
# baseline, and the console clean (checked on the host).
. /usr/share/sksm/tests/tap.sh

tap_case "ksm-fuzz: 100000 calls in 3 jobs, errors as documented" \
	900 ksm-fuzz -n 100000 -j 3
tap_done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench keeps working: a --quick run of bench/run on the debug kernel
# (the one make test builds; no comparison with the base kernel, which make
# test does not build) must merge every workload to its target in every
# mode, keep the fillers' data intact (a filler that finds a changed page
# fails the boot), and write the report, CSV and JSON. No timing is checked.
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
n=0 failed=0
check() {	# check NAME OK(0/1) [DETAIL]
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1${3:+ ($3)}"
		failed=$((failed + 1))
	fi
}

echo "TAP version 13"
echo "1..6"
"$top/bench/run" --quick --no-global --kernel debug --out "$out" \
	> "$out/run.log" 2>&1
rc=$?
sed 's/^/# /' "$out/run.log" | tail -n 15
check "bench/run --quick finishes (data intact, console clean)" $rc "exit $rc"
# 6 workloads x 4 modes, chunked merge, two and four partitions serial and
# parallel
want=$((6 * 4 + 5))
results=$(grep -c '"workload"' "$out/results.jsonl" 2>/dev/null)
check "every workload ran in every mode" $([ "$results" = $want ]; echo $?) \
	"${results:-0} of $want"
short=$(python3 - "$out/results.jsonl" <<'PY' 2>&1
import json, sys
bad = []
for line in open(sys.argv[1]):
    d = json.loads(line)["data"]
    if "workload" in d and d["pages_sharing"] < d["target"]:
        bad.append("%s %s %d<%d" % (d["workload"], d["mode"],
                                   d["pages_sharing"], d["target"]))
print("; ".join(bad))
PY
)
check "every mode reached its merge target" $([ -z "$short" ]; echo $?) "$short"
# What each round records beside its time: the memory it saved, the curve
# of merged pages up to its target, and the unmerge that ended it
missing=$(python3 - "$out/results.jsonl" <<'PY' 2>&1
import json, sys
bad = []
for line in open(sys.argv[1]):
    d = json.loads(line)["data"]
    if "workload" not in d or d["workload"] == "unique":
        continue
    name = "%s %s" % (d["workload"], d["mode"])
    if d["saved"]["general_profit"] <= 0:
        bad.append(name + ": no general_profit")
    if d["mode"] in ("sync", "sync-chunked") or d["mode"].startswith("ksmd"):
        curve = d["run"].get("curve")
        if not curve or curve[-1][1] < d["target"]:
            bad.append(name + ": no curve up to the target")
        if d.get("unmerge", {}).get("wall_s", 0) <= 0:
            bad.append(name + ": no unmerge time")
print("; ".join(bad))
PY
)
check "every round records memory saved, its curve and its unmerge" \
	$([ -z "$missing" ]; echo $?) "$missing"
check "report.md has the targets table" \
	$(grep -q '^| T2 ' "$out/report.md" 2>/dev/null; echo $?)
check "results.csv has a row per result" \
	$([ "$(($(wc -l < "$out/results.csv" 2>/dev/null || echo 0) - 1))" = $want ]; echo $?)
[ "$failed" = 0 ]

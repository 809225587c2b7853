#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Demo, guest side: the operator's story.
#
# 1. Two tenants run three "guests" each (cgroups /tenant-a, /tenant-b):
#    every guest holds one image that all guests have (a guest kernel and
#    its system) and data of its own. ksmctl estimate says what merging
#    would save; sksmd --once, with a configuration that gives each tenant
#    its partition, merges them; a table per tenant shows memory before and
#    after, the estimate beside it, and the frames the tenants share: none.
# 2. The same guests under global KSM (ksmd, tuned) for contrast: it takes
#    its time, burns ksmd's CPU, and merges across the tenants.
# 3. Text patching: processes that patch the same page of a program's code
#    in the same way each hold a copy; one merge folds them into one frame.
#
# The numbers come from the kernel (KSM counters, /proc) and from pagemap.
# Exit status 0 when every claim held.
set -u
K=/sys/kernel/mm/ksm
CG=/sys/fs/cgroup
IMAGE_MIB=24	# shared by every guest
OWN_MIB=8	# each guest's own
GUESTS=3	# per tenant
IMAGE_PAGES=$((IMAGE_MIB * 256))
OWN_PAGES=$((OWN_MIB * 256))
T=/tmp/demo
ok=1

mkdir -p $T
now() { cut -d' ' -f1 /proc/uptime; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
claim() {	# claim WHAT COND: print a check, remember a failure
	if eval "$2"; then echo "   ok: $1"; else echo "   NOT TRUE: $1"; ok=0; fi
}
pfns() {	# pfns RANGEFILE...: the frames behind the ranges, one a line
	for f in "$@"; do
		pagemap-pfn $(cat "$f") | awk '$2 != "-" { print $2 }'
	done | sort -u
}
common() {	# common "FILES" "FILES": frames behind both sets
	pfns $1 > $T/f1
	pfns $2 > $T/f2
	awk 'NR == FNR { seen[$1] = 1; next } seen[$1]' $T/f1 $T/f2 | wc -l
}
ticks() {	# ticks PID: user + system CPU of a process, in clock ticks
	awk '{ sub(/.*\) /, ""); print $12 + $13 }' /proc/$1/stat
}
guest() {	# guest TENANT N [pagefill options]: a guest in TENANT's cgroup
	f=$T/$1-$2
	rm -f $f
	sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh \
		$CG/$1 pagefill -n $IMAGE_PAGES -P $IMAGE_PAGES -S 7 \
		-U $OWN_PAGES -o $f ${3:-} >/dev/null 2>&1 &
	while [ ! -s $f ]; do sleep 0.1; done
}
guests() {	# guests [pagefill options]: every tenant's guests
	for t in tenant-a tenant-b; do
		mkdir -p $CG/$t
		for n in $(seq $GUESTS); do guest $t $n "${1:-}"; done
	done
}
stop_guests() {	# end every guest; pagefill checks its data on the way out
	for f in $T/tenant-*-[0-9]; do
		p=$(cut -d' ' -f1 $f)
		kill $p
		wait $p || { echo "   NOT TRUE: data intact in guest $p"; ok=0; }
	done
}
files() { echo $T/$1-[0-9]; }

echo "== 1. Two tenants, $GUESTS guests each; sksmd merges each tenant apart"
echo "   each guest: a $IMAGE_MIB MiB image that every guest holds, and"
echo "   $OWN_MIB MiB of its own; tenant-a and tenant-b are cgroups"
guests
before=$((GUESTS * (IMAGE_MIB + OWN_MIB)))
echo "   # ksmctl estimate --cgroup /tenant-a --cgroup /tenant-b"
ksmctl estimate --cgroup /tenant-a --cgroup /tenant-b --json > $T/estimate
for i in 0 1; do
	eval "est_$i=$(json-get partitions.$i.saving < $T/estimate)"
done
cat > $T/sksmd.conf <<EOF
# One partition per tenant: its cgroup and every process that joins it
[partition tenant-a]
cgroup = /tenant-a

[partition tenant-b]
cgroup = /tenant-b
EOF
echo "   # cat /etc/sksmd.conf"
sed 's/^/     /' $T/sksmd.conf
echo "   # sksmd --once"
t0=$(now)
sksmd --once -c $T/sksmd.conf 2>&1 | sed 's/^/     /'
t1=$(now)
echo
printf '   %-9s %6s %10s %10s %10s %12s %8s\n' tenant guests "before MiB" \
	"after MiB" "saved MiB" "estimate MiB" "merge s"
i=0
for t in tenant-a tenant-b; do
	sharing=$(cat $K/$t/pages_sharing)
	saved=$(calc %.1f "$sharing / 256")
	eval "est=\$est_$i"
	printf '   %-9s %6d %10d %10.1f %10.1f %12.1f %8.2f\n' $t $GUESTS \
		$before $(calc %.1f "$before - $saved") $saved \
		$(calc %.1f "$est / 1048576") \
		$(calc %.2f "$(cat $K/$t/merge_time_ns) / 1e9")
	eval "saved_$i=$sharing"
	i=$((i + 1))
done
echo "   (merge s: the kernel's time in the merges, in sksmd's context;"
echo "   sksmd --once took $(calc %.2f "$t1 - $t0") s of wall time)"
across=$(common "$(files tenant-a)" "$(files tenant-b)")
echo "   frames the two tenants share: $across"
want=$(((GUESTS - 1) * IMAGE_PAGES))
claim "each tenant's guests share their image: $want pages saved each" \
	'[ "$saved_0" -ge $want ] && [ "$saved_1" -ge $want ]'
claim "the tenants share no frame" '[ "$across" = 0 ]'
claim "the estimate is the merge, within 1 %" \
	'[ $(calc %d "($est_0 - $saved_0 * 4096) / ($saved_0 * 40.96)") = 0 ]'
stop_guests
for t in tenant-a tenant-b; do ksmctl remove $t; done

echo
echo "== 2. The same guests under global KSM: ksmd, tuned, for contrast"
guests "-m madvise"
echo 0 > $K/sleep_millisecs
echo 4096 > $K/pages_to_scan
ksmd=$(grep -lx ksmd /proc/[0-9]*/comm | head -1 | cut -d/ -f3)
c0=$(ticks $ksmd)
t0=$(now)
echo 1 > $K/run
want=$(((2 * GUESTS - 1) * IMAGE_PAGES))
i=0
while [ "$(cat $K/pages_sharing)" -lt $want ] && [ $i -lt 1200 ]; do
	sleep 0.25
	i=$((i + 1))
done
t1=$(now)
c1=$(ticks $ksmd)
echo 0 > $K/run
across=$(common "$(files tenant-a)" "$(files tenant-b)")
echo "   ksmd (sleep_millisecs 0, pages_to_scan 4096) merged every guest's"
echo "   image in $(calc %.2f "$t1 - $t0") s, $(calc %.2f "($c1 - $c0) / 100") s of its CPU,"
echo "   and would keep scanning; saved $(calc %.1f "$(cat $K/pages_sharing) / 256") MiB"
echo "   frames the two tenants share: $across: one domain for all"
claim "ksmd merged across the tenants" '[ "$across" -ge $IMAGE_PAGES ]'
echo 2 > $K/run		# unmerge everything ksmd merged
stop_guests

echo
echo "== 3. Text patching: 8 processes patch the same code page alike"
mkdir -p $T/patch
for n in 1 2 3 4 5 6 7 8; do
	patchtext -o $T/patch/$n /bin/busybox 4 &
done
for n in 1 2 3 4 5 6 7 8; do
	while [ ! -s $T/patch/$n ]; do sleep 0.1; done
done
before=$(pfns $T/patch/* | wc -l)
echo "   page 4 of /bin/busybox, written in each: $before frames"
ksmctl create patched
pids=$(for f in $T/patch/*; do printf -- '--pid %s ' $(cut -d' ' -f1 $f); done)
echo "   # ksmctl merge patched $pids--all"
ksmctl merge patched $pids --all 2>&1 | tail -1 | sed 's/^/     /'
after=$(pfns $T/patch/* | wc -l)
echo "   frames after: $after"
claim "one merge folds 8 patched copies into 1 frame" \
	'[ "$before" = 8 ] && [ "$after" = 1 ]'
for f in $T/patch/*; do
	p=$(cut -d' ' -f1 $f)
	kill $p
	wait $p || { echo "   NOT TRUE: patched page intact in $p"; ok=0; }
done
ksmctl remove patched
[ $ok = 1 ] && echo && echo "Every claim held."
[ $ok = 1 ]

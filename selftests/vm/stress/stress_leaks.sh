#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# stress_leaks.sh start|check: what the stress tests might leak, recorded
# before them (start) and compared after them (check), both times with
# vmclock loaded, no source attached and no simulated clock:
#
# - open files: struct file objects in use (the filp cache; the first
#   figure of /proc/sys/fs/file-nr is a per-CPU counter's approximation,
#   shown too) and file descriptors open in processes;
# - sources listed in /sys/kernel/vmclock/sources, PTP clocks in
#   /sys/class/ptp, references to the vmclock module;
# - objects of the kmalloc caches allocated by vmclock's code: the boot
#   tracks who allocated what in them (slub_debug U), and
#   /sys/kernel/debug/slab/CACHE/alloc_traces lists each live object's
#   allocation stack;
# - the kmalloc caches' objects in use (/proc/slabinfo), within a margin
#   for what the rest of the kernel allocates meanwhile.
. /tests/tap.sh
state=/tmp/stress-leaks
# Bytes of kmalloc objects the rest of the kernel may have kept meanwhile.
SLAB_MARGIN=${SLAB_MARGIN:-262144}

# Per-cpu slabs count as fully in use in /proc/slabinfo: flush them, once
# the files and objects freed after an RCU grace period are.  Cached
# dentries keep the sysfs nodes they name, removed or not: drop them.
settle() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	sleep 1
	for c in /sys/kernel/slab/kmalloc-* /sys/kernel/slab/filp; do
		echo 1 > "$c/shrink"
	done 2>/dev/null
}

filp_now() {
	echo 1 > /sys/kernel/slab/filp/shrink 2>/dev/null
	awk '$1 == "filp" { print $2 }' /proc/slabinfo
}

# Files are freed after an RCU grace period: wait for two equal counts.
filp() {
	a=$(filp_now) i=0
	while [ $i -lt 10 ]; do
		sleep 0.5
		b=$(filp_now)
		[ "$a" = "$b" ] && break
		a=$b i=$((i + 1))
	done
	echo "$a"
}
fds() { ls /proc/[0-9]*/fd 2>/dev/null | grep -c '^[0-9]'; }

# "CACHE ACTIVE_OBJS OBJSIZE" for the kmalloc caches.
slabs() { awk '$1 ~ /^kmalloc-/ { print $1, $2, $4 }' /proc/slabinfo; }

# Live kmalloc objects allocated by vmclock: every alloc_traces entry
# whose stack has a frame in vmclock, as "COUNT CACHE:FUNCTION" with the
# innermost such frame.  Stacks are saved as addresses and named when
# read: the frames of a vmclock unloaded since may name nothing (shown as
# an address, as are those of init code, freed after loading) or whatever
# the vmclock loaded now has there; both count.  Frames beyond an
# interrupt's entry are those of whatever it interrupted: an allocation
# there is the interrupt's.  The entries themselves, whole, go to
# $1.entries.
vmclock_objects() {
	for f in /sys/kernel/debug/slab/kmalloc-*/alloc_traces; do
		c=${f%/alloc_traces}
		awk -v cache="${c##*/}" -v entries="$1.entries" '
		function flush() {
			if (site != "") {
				n[cache ":" site] += count
				printf "%s:%s %s", cache, site, text >> entries
			}
			site = ""
		}
		/^ *[0-9]+ / { flush(); count = $1; text = $0 "\n"; irq = 0; next }
		{ text = text $0 "\n" }
		/sysvec_|common_interrupt|__do_softirq|irq_exit|asm_exc_/ { irq = 1 }
		irq || site != "" { next }
		/\[vmclock\]/ { site = $1; sub(/\+.*/, "", site) }
		$1 ~ /^0x/ { site = "unnamed-code" }
		END { flush(); for (s in n) print n[s], s }' "$f"
	done | sort -k2
}

tracked() {
	[ "$(cat /sys/kernel/slab/kmalloc-64/store_user 2>/dev/null)" = 1 ] &&
		[ -e /sys/kernel/debug/slab/kmalloc-64/alloc_traces ]
}

snapshot() {
	settle
	filp > "$1.filp"
	fds > "$1.fds"
	cut -f1 /proc/sys/fs/file-nr > "$1.filenr"
	ls /sys/kernel/vmclock/sources | wc -l > "$1.sources"
	ls /sys/class/ptp | wc -l > "$1.ptp"
	cat /sys/module/vmclock/refcnt > "$1.refcnt"
	slabs > "$1.slabs"
	rm -f "$1.vmclock" "$1.vmclock.entries"
	tracked && vmclock_objects "$1.vmclock" > "$1.vmclock"
	awk '/^(Slab|SUnreclaim|MemFree):/ { printf "%s %s kB ", $1, $2 }' \
		/proc/meminfo > "$1.meminfo"
}

sum_objects() { awk '{ s += $1 } END { print s + 0 }' "$1"; }

case $1 in
start)
	plan 1
	snapshot $state.start
	diag "files in use $(cat $state.start.filp), fds $(cat $state.start.fds)," \
		"file-nr $(cat $state.start.filenr), sources $(cat $state.start.sources)," \
		"PTP clocks $(cat $state.start.ptp), vmclock references $(cat $state.start.refcnt)"
	if [ -e $state.start.vmclock ]; then
		diag "kmalloc objects allocated by vmclock: $(sum_objects $state.start.vmclock)"
	else
		diag "allocations are not tracked (no slub_debug U): vmclock's own objects not counted"
	fi
	diag "$(cat $state.start.meminfo)"
	check "start values recorded" [ -s $state.start.slabs ]
	;;
check)
	plan 7
	[ -e $state.start.filp ] || { fail "no start values"; tap_exit; }
	# The last references of some files go in a worker: a few tries.
	i=0
	while :; do
		snapshot $state.end
		[ "$(cat $state.end.filp)" -le "$(cat $state.start.filp)" ] && break
		i=$((i + 1))
		[ $i -ge 5 ] && break
	done
	s=$(cat $state.start.filp) e=$(cat $state.end.filp)
	check "files in use back to their start value ($s, now $e; file-nr $(cat \
		$state.start.filenr), now $(cat $state.end.filenr))" [ "$e" -le "$s" ]
	s=$(cat $state.start.fds) e=$(cat $state.end.fds)
	check "open file descriptors back to $s (now $e)" [ "$e" -le "$s" ]
	s=$(cat $state.start.sources) e=$(cat $state.end.sources)
	check "sources listed back to $s (now $e)" [ "$e" = "$s" ]
	s=$(cat $state.start.ptp) e=$(cat $state.end.ptp)
	check "PTP clocks back to $s (now $e)" [ "$e" = "$s" ]
	s=$(cat $state.start.refcnt) e=$(cat $state.end.refcnt)
	check "vmclock module references back to $s (now $e)" [ "$e" = "$s" ]

	if [ -e $state.start.vmclock ] && [ -e $state.end.vmclock ]; then
		s=$(sum_objects $state.start.vmclock) e=$(sum_objects $state.end.vmclock)
		check "kmalloc objects allocated by vmclock back to $s (now $e)" [ "$e" = "$s" ]
		if [ "$e" != "$s" ]; then
			diag "by cache and allocation site, before and after:"
			awk 'NR == FNR { a[$2] = $1; next }
			     { b[$2] = $1 }
			     END { for (s in a) if (a[s] != b[s] + 0) print s, a[s], b[s] + 0
				   for (s in b) if (!(s in a)) print s, 0, b[s] }' \
				$state.start.vmclock $state.end.vmclock > $state.diff
			while read -r l; do diag "  $l"; done < $state.diff
			diag "their objects now (count, caller, age in jiffies, pid, stack):"
			awk 'NR == FNR { d[$1] = 1; next }
			     /^kmalloc-[^ ]+:[^ ]+ / { show = $1 in d; sub(/^[^ ]+ /, "") }
			     show' $state.diff $state.end.vmclock.entries | head -n 80 |
				while read -r l; do diag "  $l"; done
		fi
	else
		ok "kmalloc objects allocated by vmclock # SKIP allocations not tracked"
	fi

	# Objects in use per kmalloc cache, before and after.
	delta=$(awk 'NR == FNR { a[$1] = $2; next }
		{ d = $2 - a[$1]; bytes += d * $3
		  if (d) printf "%s %+d, ", $1, d }
		END { printf "total %+d bytes\n", bytes }' $state.start.slabs $state.end.slabs)
	diag "kmalloc objects in use, change per cache: $delta"
	bytes=$(echo "$delta" | sed 's/.*total \([-+0-9]*\) bytes/\1/')
	check "kmalloc caches back to their start size (${bytes} bytes, margin $SLAB_MARGIN)" \
		[ "${bytes#+}" -le "$SLAB_MARGIN" ]
	diag "before: $(cat $state.start.meminfo)"
	diag "after:  $(cat $state.end.meminfo)"
	;;
*)
	echo "usage: stress_leaks.sh start|check" >&2
	exit 2
	;;
esac
tap_exit

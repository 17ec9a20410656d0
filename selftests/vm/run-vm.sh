#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-vm.sh -k KVER -s SUITE -o OUTDIR [-m MODULE.ko]... [-d DISTRO_MODULE]...
#           [-f FILE]... [-t TIMEOUT] [-q]
#
# Boot the distribution kernel KVER under QEMU with an initramfs built here:
# busybox, the given project modules (installed under updates/), the given
# distribution modules with their dependencies, the given files in /tests,
# and the suite script SUITE (sourced by the guest's /init).  Writes
# OUTDIR/SUITE.serial (the console) and OUTDIR/SUITE.log (results in the
# format tap-count.awk reads).  The guest's own TAP is followed by a section
# "vm-SUITE" that fails when the guest did not report or the kernel log has
# warnings.  When KVER lacks a distribution module the suite needs (a
# "#@ modules:" line), or QEMU a device it needs ("#@ qemu-devices:"), the
# suite is not booted and that section is a skip that says why; modules of
# a "#@ modules-optional:" line are included where KVER has them.  A suite
# with "#@ snapshot-at: LINE" gets a snapshot disk and a monitor: when the
# guest prints LINE, the host saves the VM (savevm) and restores it at
# once (loadvm), as a hypervisor restoring a snapshot does.  -q keeps the
# console off the terminal.
set -u

here=$(cd "$(dirname "$0")" && pwd)
lib=$here/../lib
kver= suite= out= timeout=${VMCLOCK_VM_TIMEOUT:-300} quiet=0
mods=() dmods=() files=()
while getopts "k:s:o:m:d:f:t:q" o; do
	case $o in
	k) kver=$OPTARG ;;
	s) suite=$OPTARG ;;
	o) out=$OPTARG ;;
	m) mods+=("$OPTARG") ;;
	d) dmods+=("$OPTARG") ;;
	f) files+=("$OPTARG") ;;
	t) timeout=$OPTARG ;;
	q) quiet=1 ;;
	*) exit 2 ;;
	esac
done
[ -n "$kver" ] && [ -n "$suite" ] && [ -n "$out" ] || {
	echo "usage: run-vm.sh -k KVER -s SUITE -o OUTDIR [...]" >&2
	exit 2
}
name=$(basename "$suite" .sh)
# shellcheck disable=SC2207
dmods+=($(sed -n 's/^#@ modules://p' "$suite"))
# shellcheck disable=SC2207
omods=($(sed -n 's/^#@ modules-optional://p' "$suite"))
# shellcheck disable=SC2207
qemu_extra=($(sed -n 's/^#@ qemu://p' "$suite"))
# shellcheck disable=SC2207
bins=($(sed -n 's/^#@ bins://p' "$suite"))
# shellcheck disable=SC2207
qdevs=($(sed -n 's/^#@ qemu-devices://p' "$suite"))
snapshot_at=$(sed -n 's/^#@ snapshot-at: *//p' "$suite")
kernel=/boot/vmlinuz-$kver
modsrc=/lib/modules/$kver
[ -r "$kernel" ] || { echo "run-vm: cannot read $kernel" >&2; exit 2; }

mkdir -p "$out"

# skip REASON: report the suite as skipped, with REASON, and stop.
skip() {
	printf '# TEST vm-%s\n1..1\nok 1 # SKIP %s\n# END vm-%s rc=0\n' \
		"$name" "$1" "$name" > "$out/$name.log"
	echo "vm $name: skipped: $1"
	exit 0
}

# The distribution modules the suite needs, with their dependencies.
need=()
for d in "${dmods[@]}"; do
	line=$(grep -E "(^|/)$d\.ko(\.[a-z]+)?:" "$modsrc/modules.dep") || {
		# Not every flavour has every driver (Debian's cloud kernels
		# lack most NICs): the suite cannot run here, which is no failure.
		skip "kernel $kver has no module $d, which suite $name needs"
	}
	# "path: dep1 dep2 ...": the module and everything it needs.
	need+=(${line/:/})
done
for d in "${omods[@]}"; do
	line=$(grep -E "(^|/)$d\.ko(\.[a-z]+)?:" "$modsrc/modules.dep") &&
		need+=(${line/:/})
done

# The QEMU devices it needs (QEMU 10 has vmclock, Debian 12's 7.2 not).
for d in "${qdevs[@]}"; do
	qemu-system-x86_64 -device help 2>/dev/null | grep -q "^name \"$d\"" ||
		skip "$(qemu-system-x86_64 --version | head -n 1) has no device $d, which suite $name needs"
done
if [ -n "$snapshot_at" ]; then
	command -v qemu-img > /dev/null || skip "no qemu-img for the snapshot of suite $name"
fi

root=$(mktemp -d "$out/$name.root.XXXXXX")
trap 'rm -rf "$root" "$out/$name.cpio"' EXIT
chmod 0755 "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,etc,tests}
mkdir -p "$root/lib/modules/$kver/updates" "$root/lib/modules/$kver/kernel"

# busybox, and a link for each applet (not over busybox itself).
cp /bin/busybox "$root/bin/busybox"
for a in $(/bin/busybox --list-full); do
	[ "$a" = bin/busybox ] && continue
	mkdir -p "$root/$(dirname "$a")"
	ln -sf /bin/busybox "$root/$a"
done
install -m 0755 "$here/init.sh" "$root/init"
install -m 0755 "$lib/tap-section.sh" "$root/tests/tap-section.sh"
install -m 0644 "$lib/tap.sh" "$root/tests/tap.sh"
install -m 0644 "$suite" "$root/tests/suite.sh"
for f in "${files[@]}"; do
	install -m 0755 "$f" "$root/tests/"
done

# Programs of this machine, at the same path, with their libraries.
for b in "${bins[@]}"; do
	path=$(command -v "$b") || { echo "run-vm: no program $b here" >&2; exit 2; }
	for f in "$path" $(ldd "$path" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
	done
done

# Modules: ours under updates/, the distribution's with their dependencies
# (uncompressed, as .ko: depmod below lists them under that name).
for m in "${mods[@]}"; do
	install -m 0644 "$m" "$root/lib/modules/$kver/updates/" || exit 2
done
for p in "${need[@]}"; do
	ko=${p%.ko*}.ko
	mkdir -p "$root/lib/modules/$kver/$(dirname "$p")"
	"$lib/ko-cat.sh" "$modsrc/$p" > "$root/lib/modules/$kver/$ko" || exit 2
done
cp "$modsrc"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$kver/" 2>/dev/null
depmod -b "$root" "$kver" || exit 2

(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet) > "$out/$name.cpio" || exit 2

serial=$out/$name.serial
log=$out/$name.log
accel=${VMCLOCK_QEMU_ACCEL:-tcg}
start=$(date +%s.%N)
if [ "$quiet" = 1 ]; then
	sink=/dev/null
else
	sink=/dev/stderr
fi
# The snapshot round trip: a disk to hold the VM state, the monitor on a
# pair of pipes (which QEMU opens read-write: no writer needed to start),
# and a watcher that asks for savevm and loadvm once the guest says so.
monitor=(-monitor none)
helpers=()
if [ -n "$snapshot_at" ]; then
	mon=$out/$name.mon
	rm -f "$mon.in" "$mon.out" "$out/$name.qcow2"
	mkfifo "$mon.in" "$mon.out" || exit 2
	qemu-img create -q -f qcow2 "$out/$name.qcow2" 64M || exit 2
	monitor=(-monitor "pipe:$mon"
		 -drive "if=none,id=vmstate,format=qcow2,file=$out/$name.qcow2")
	cat "$mon.out" > "$out/$name.monitor" &
	helpers+=($!)
	(
		until grep -qx -- "$snapshot_at" "$serial" 2>/dev/null; do
			sleep 0.2
		done
		# Saved, the guest runs on for a while, then is put back.
		echo 'savevm vmclock-test' > "$mon.in"
		sleep 3
		echo 'loadvm vmclock-test' > "$mon.in"
		echo 'info status' > "$mon.in"
	) &
	helpers+=($!)
fi
rm -f "$serial"
# Unbuffered, so that the watcher sees each line of the console at once.
timeout -k 5 "$timeout" qemu-system-x86_64 \
	-accel "$accel" -m 512 -smp 1 \
	-display none -nodefaults -no-reboot "${monitor[@]}" -serial stdio \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 "${qemu_extra[@]}" \
	-kernel "$kernel" -initrd "$out/$name.cpio" \
	-append "console=ttyS0 panic=-1 quiet slub_debug=FZP ${VMCLOCK_KERNEL_ARGS:-}" \
	</dev/null 2>&1 | stdbuf -o0 tr -d '\r' | tee "$serial" > "$sink"
qrc=${PIPESTATUS[0]}
[ ${#helpers[@]} = 0 ] || kill "${helpers[@]}" 2>/dev/null
[ -z "$snapshot_at" ] || rm -f "$mon.in" "$mon.out" "$out/$name.qcow2"
end=$(date +%s.%N)
secs=$(echo "$start $end" | awk '{ printf "%.1f", $2 - $1 }')

# The guest's own sections, then the verdict on the boot itself.
grep -v '^dmesg: ' "$serial" > "$log"
{
	echo "# TEST vm-$name"
	echo "1..2"
	if [ $((qrc & 1)) = 1 ] && grep -q '^VMCLOCK-GUEST-DONE' "$serial"; then
		echo "ok 1 guest reported (status $((qrc >> 1)), ${secs}s)"
	elif [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		echo "not ok 1 guest reported (timed out after ${timeout}s)"
	else
		echo "not ok 1 guest reported (qemu exit $qrc: panic or no result)"
	fi
	bad=$(grep -E 'WARNING:|BUG:|Oops|KASAN|UBSAN|Call Trace|general protection|kernel BUG|list_add corruption|Poison overwritten|Redzone' "$serial")
	if [ -z "$bad" ]; then
		echo "ok 2 kernel log has no warnings"
	else
		echo "not ok 2 kernel log has no warnings"
		echo "$bad" | head -20 | sed 's/^/# /'
	fi
	echo "# END vm-$name rc=0"
} >> "$log"
echo "vm $name: ${secs}s from boot to result (qemu exit $qrc)"

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make install-tools into a scratch DESTDIR: every file where the admin
# guide says, the service running the installed vmclockctl, the example
# configuration that vmclockctl sync accepts, the udev rules.
. "$(dirname "$0")/../lib/tap.sh"
plan 8

top=$(cd "$(dirname "$0")/../.." && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
make -s -C "$top/user" install DESTDIR="$d" PREFIX=/usr > "$d.out" 2>&1
check "make install-tools succeeds" [ $? -eq 0 ]
check "vmclockctl in PREFIX/bin" [ -x "$d/usr/bin/vmclockctl" ]
check "man page and completion" \
	[ -f "$d/usr/share/man/man8/vmclockctl.8" -a \
	  -f "$d/usr/share/bash-completion/completions/vmclockctl" ]
unit=$d/etc/systemd/system/vmclock-sync.service
check "the service runs the installed vmclockctl" \
	grep -qx 'ExecStart=/usr/bin/vmclockctl sync' "$unit"
check "and discovers first" \
	grep -qx 'ExecStartPre=-/usr/bin/vmclockctl discover' "$unit"
check "no placeholder is left in the service" sh -c "! grep -q @ '$unit'"
conf=$d/etc/vmclock/sync.conf.example
out=$("$d/usr/bin/vmclockctl" sync -c "$conf" --print-config 2>&1)
check "the example configuration is the defaults ($(echo $out | tr '\n' ' '))" \
	[ "$out" = "$("$d/usr/bin/vmclockctl" sync -c /dev/null --print-config)" ]
check "udev rules: the device name and the attach rule" \
	sh -c "grep -q ptp_vmclock '$d/etc/udev/rules.d/60-vmclock.rules' &&
	       grep -q 'source add' '$d/etc/udev/rules.d/60-vmclock.rules'"
rm -f "$d.out"
tap_exit

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make install-tools into a scratch DESTDIR: every file where the admin
# guide says, the service running the installed vmclockctl, the example
# configuration that vmclockctl sync accepts, the udev rules, and the
# header-only library with which a program builds through pkg-config.
. "$(dirname "$0")/../lib/tap.sh"
plan 10

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
check "the library's headers, man page and pkg-config file" \
	[ -f "$d/usr/include/vmclock/time.h" -a \
	  -f "$d/usr/include/vmclock/vmclock_time.h" -a \
	  -f "$d/usr/share/man/man3/vmclock_time.3" -a \
	  -f "$d/usr/lib/pkgconfig/vmclock-time.pc" ]
# A program of the library's users, built against what was installed.
cflags=$(PKG_CONFIG_PATH=$d/usr/lib/pkgconfig pkg-config \
	--define-variable=includedir="$d/usr/include" --cflags vmclock-time)
check "the example builds with pkg-config's flags ($cflags)" \
	cc -std=gnu11 -Wall -Wextra -Werror $cflags -o "$d/vmclock-now" \
		"$top/user/examples/vmclock-now.c"
rm -f "$d.out"
tap_exit

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The module DKMS built: installed where the suite put it, loadable,
# unloadable, carrying its version.
. /tests/tap.sh
plan 4

path=$(modinfo -F filename vmclock 2>/dev/null)
check "modprobe finds the module ($path)" [ -n "$path" ]
# busybox modinfo does not read signatures: look for the marker.
check "DKMS signed it (for Secure Boot, with its MOK key)" \
	sh -c "tail -c 28 '$path' | grep -q '~Module signature appended~'"
modprobe vmclock
check "it loads and shows its status ($(cat /sys/kernel/vmclock/status))" \
	[ "$(cat /sys/kernel/vmclock/status)" = unsynchronized ]
modprobe -r vmclock
check "it unloads" [ ! -e /sys/kernel/vmclock ]
tap_exit

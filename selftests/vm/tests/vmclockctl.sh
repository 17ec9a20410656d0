#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vmclockctl against the loaded module: output matches sysfs, usage errors.
. /tests/tap.sh
plan 10

sysfs=$(cat /sys/kernel/vmclock/status)
version=$(cat /sys/module/vmclock/version)
phc=$(cat /sys/kernel/vmclock/phc)

out=$(vmclockctl status)
check "status exits 0" [ $? -eq 0 ]
check "status text shows the sysfs status ($sysfs)" \
	sh -c "echo '$out' | grep -qx 'Status          : $sysfs'"
check "status text shows the module version ($version)" \
	sh -c "echo '$out' | grep -qx 'Module version  : $version'"
check "status text names the unified clock (/dev/$phc)" \
	sh -c "echo '$out' | grep -qx 'Unified clock   : /dev/$phc'"
check "no command means status" [ "$(vmclockctl)" = "$out" ]

json=$(vmclockctl -j status)
check "status -j is the JSON object ($json)" \
	[ "$json" = "{\"status\":\"$sysfs\",\"module_version\":\"$version\",\"phc\":\"$phc\",\"offset_ns\":null,\"error_bound_ns\":null,\"freq_ppb\":0}" ]

check "--version matches the module ($(vmclockctl --version))" \
	[ "$(vmclockctl --version)" = "vmclockctl $version" ]

err=$(vmclockctl status extra 2>&1)
rc=$?
check "stray argument: exit 2 and says which ($err)" \
	[ $rc -eq 2 -a "$err" = "vmclockctl: status: unexpected argument 'extra'" ]
err=$(vmclockctl frobnicate 2>&1)
rc=$?
check "unknown command: exit 2 ($err)" \
	[ $rc -eq 2 -a "$err" = "vmclockctl: unknown command 'frobnicate' (see vmclockctl --help)" ]
vmclockctl --bogus >/dev/null 2>&1
check "unknown option: exit 2" [ $? -eq 2 ]
tap_exit

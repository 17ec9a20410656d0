#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vmclockctl against the loaded module: output matches sysfs, usage errors.
. /tests/tap.sh
plan 20

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

# Bad input as a new user types it: exit 2 and one line that names the
# argument and what it should be, before anything is sent.
# usage_err WANT CMD...: CMD exits 2 saying WANT.
usage_err() {
	_want=$1
	shift
	_err=$("$@" 2>&1 >/dev/null)
	_rc=$?
	check "'$(echo "$*" | cut -c 1-60)': exit 2, says what to give ($(echo "$_err" | cut -c 1-160))" \
		[ $_rc -eq 2 -a "$_err" = "$_want" ]
}
usage_err "vmclockctl: --poll needs a value (milliseconds)" \
	vmclockctl source set 1 --poll
usage_err "vmclockctl: --count needs a value (a number of events)" \
	vmclockctl monitor --count
usage_err "vmclockctl: source set: --profile is only for source add (to change the profile, del the source and add it again)" \
	vmclockctl source set 1 --profile kvm
usage_err "vmclockctl: --poll: ' -5' is not a number of milliseconds" \
	vmclockctl source set 1 --poll " -5"
usage_err "vmclockctl: --poll: 10 is out of range (50..3600000)" \
	vmclockctl source set 1 --poll 10
usage_err "vmclockctl: source set: unexpected argument 'poll' (did you mean --poll?)" \
	vmclockctl source set 999 poll 0
usage_err "vmclockctl: source set 1: nothing to change (give --poll, --host-error, --weight, --enable or --disable)" \
	vmclockctl source set 1
usage_err "vmclockctl: --profile: 'xxxxxxxxxxxxxxxxxxxx...' is not a profile (kvm, hyperv, ena, vmclock or generic)" \
	vmclockctl source add /dev/null --profile "$(head -c 5000 /dev/zero | tr '\0' x)"
usage_err "vmclockctl: monitor: unknown option '--bogus' (--count, --follow)" \
	vmclockctl monitor --bogus

# -j: every command answers in JSON; discover finds nothing here.
json=$(vmclockctl -j discover)
check "discover -j: an object of empty lists ($json)" \
	[ "$json" = '{"removed":[],"attached":[],"already_attached":[],"failed":[]}' ]
tap_exit

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vmclockctl source add|del|set, sources and discover against a real
# driver's PHC (e1000e), left attached by source_test.
. /tests/tap.sh
plan 21

phc=
for f in /sys/class/ptp/ptp*/clock_name; do
	[ "$(cat "$f")" = vmclock-unified ] && continue
	phc=$(basename "$(dirname "$f")")
done
name=$(cat /sys/class/ptp/$phc/clock_name)
diag "driver clock: $phc ($name)"

# Start from no source at all.
for d in /sys/kernel/vmclock/sources/*; do
	[ -d "$d" ] && vmclockctl source del "$(basename "$d")"
done

out=$(vmclockctl source add /dev/$phc --profile generic --poll 100)
check "source add exits 0 and names the source ($out)" \
	sh -c "echo '$out' | grep -qx 'source [0-9]*: /dev/$phc \"$name\" (profile generic)'"
id=$(echo "$out" | sed 's/^source \([0-9]*\):.*/\1/')

err=$(vmclockctl source add /dev/$phc 2>&1)
rc=$?
check "adding it again: exit 1 with the kernel's reason ($err)" \
	[ $rc -eq 1 -a "$err" = "vmclockctl: /dev/$phc: File exists: this PTP clock is already a source" ]

err=$(vmclockctl source add /dev/null 2>&1)
rc=$?
check "a non-PTP file: exit 1 with the reason ($err)" \
	[ $rc -eq 1 -a "$err" = "vmclockctl: /dev/null: Invalid argument: fd is not a PTP clock (/dev/ptpN)" ]

err=$(vmclockctl source add /dev/$phc --profile vmware 2>&1)
check "unknown profile: the kernel lists the known ones ($err)" \
	[ "$err" = "vmclockctl: /dev/$phc: Invalid argument: unknown profile (kvm, hyperv, ena, vmclock, generic)" ]

out=$(vmclockctl source set "$id" --poll 500 --weight 50)
check "source set changes poll_ms and weight, silently" \
	[ "$(cat /sys/kernel/vmclock/sources/$id/poll_ms)" = 500 -a \
	  "$(cat /sys/kernel/vmclock/sources/$id/weight)" = 50 -a -z "$out" ]
json=$(vmclockctl -j source set "$id" --host-error 50000)
diag "$json"
check "source set -j: the source as it is now" \
	sh -c "echo '$json' | grep -q '^{\"id\":$id,\"phc\":\"$phc\",.*\"poll_ms\":500,\"host_error_ns\":50000,\"weight\":50,.*}\$'"

err=$(vmclockctl source set 99999 --poll 500 2>&1)
rc=$?
check "source set on an unknown id: exit 1 ($err)" \
	[ $rc -eq 1 -a "$err" = "vmclockctl: source set 99999: No such file or directory: no source with this id" ]

sleep 1
table=$(vmclockctl sources)
diag "$table"
check "sources: a header and one line for the source" \
	[ "$(echo "$table" | wc -l)" -eq 2 ]
check "sources: the line shows id, phc, profile, state, poll" \
	sh -c "echo '$table' | tail -n 1 | grep -Eq '^[ *x] $id +$phc +generic +[a-z]+ +500ms '"

json=$(vmclockctl -j sources)
diag "$json"
check "sources -j: an array holding the source" \
	sh -c "echo '$json' | grep -q '^\[{\"id\":$id,\"phc\":\"$phc\",\"clock_name\":\"$name\",\"profile\":\"generic\",\"state\":\"ok\",\"enabled\":true,\"poll_ms\":500,'"

out=$(vmclockctl discover)
check "discover: an emulated NIC clock is no hypervisor clock ($out)" \
	[ "$out" = "no hypervisor PTP clock found" ]
json=$(vmclockctl -j discover)
check "discover -j: nothing attached, nothing failed ($json)" \
	[ "$json" = '{"removed":[],"attached":[],"already_attached":[],"failed":[]}' ]

json=$(vmclockctl -j source del "$id")
check "source del -j says which source went ($json)" \
	[ "$json" = "{\"id\":$id,\"removed\":true}" ]
check "source del removes it from sysfs" [ ! -e /sys/kernel/vmclock/sources/$id ]
check "sources -j is then an empty array" [ "$(vmclockctl -j sources)" = "[]" ]

err=$(vmclockctl source del "$id" 2>&1)
check "deleting it twice: exit 1 ($err)" \
	[ "$err" = "vmclockctl: source del $id: No such file or directory: no source with this id" ]
out=$(vmclockctl -j source del "$id" 2>/dev/null)
rc=$?
check "and under -j: exit 1, nothing on stdout ($rc)" [ $rc -eq 1 -a -z "$out" ]

# monitor: one line per event, in order, as they happen; --count ends it.
# Status changes come in between: only source events are compared.  So
# may steps: the emulated NIC's clock runs far from any real rate under
# QEMU's emulation, and read with its driver's narrow bracket it is seen
# to jump.
vmclockctl -j monitor > /tmp/mon.json &
json_pid=$!
vmclockctl monitor > /tmp/mon.txt &
txt_pid=$!
vmclockctl monitor --count 1 > /tmp/mon.one &
one_pid=$!
sleep 0.5
id=$(vmclockctl source add /dev/$phc --poll 1000 | sed 's/^source \([0-9]*\):.*/\1/')
i=0
while [ "$(cat /sys/kernel/vmclock/sources/$id/state)" != ok ] && [ $i -lt 40 ]; do
	sleep 0.05
	i=$((i + 1))
done
vmclockctl source set "$id" --disable
vmclockctl source del "$id"
wait $one_pid
check "monitor --count 1 ends after one event (exit $?)" [ $? -eq 0 -a "$(wc -l < /tmp/mon.one)" -eq 1 ]
i=0
while ! grep -q '^source-removed' /tmp/mon.txt && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 0.2
kill $json_pid $txt_pid
wait $json_pid $txt_pid 2>/dev/null
diag "$(cat /tmp/mon.txt)"
grep '^source-' /tmp/mon.txt | grep -v '^source-stepped' > /tmp/mon.src
check "monitor shows added (init), changed (ok), changed (disabled), removed" \
	[ "$(sed 's/^\([a-z-]*\): source \([0-9]*\) .* state \([a-z]*\)$/\1 \2 \3/' /tmp/mon.src | tr '\n' ,)" = \
	  "source-added $id init,source-changed $id ok,source-changed $id disabled,source-removed $id disabled," ]
check "monitor text carries state and clock name" \
	grep -q "^source-changed: source $id $phc \"$name\" (generic) state disabled\$" /tmp/mon.src
check "monitor -j: one JSON object per event" \
	[ "$(grep -v '^{"event":"source-stepped"' /tmp/mon.json |
	     grep -c '^{"event":"source-[a-z]*","source":{"id":'"$id"',.*}}$')" -eq 4 ]
tap_exit

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What 'make check' runs for which kernels (run-all.sh, dry run).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
plan 5

# The caller's own KVER or KVERS (make check KVER=...) would choose instead.
dry() { env -u KVER -u KVERS VMCLOCK_DRY_RUN=1 "$@" "$here/../run-all.sh" 2>&1; }

out=$(dry VM_JOBS=1 KVERS="k1 k2")
check "VM_JOBS from the caller reaches the VM stage" \
	sh -c "echo '$out' | grep -q '^== vm: make vm-check KVER=k1 .* VM_JOBS=1\$'"
check "each kernel of KVERS is built, checked and booted" \
	[ "$(echo "$out" | grep -cE '^== (build|vm-programs|style|vm): .* KVER=k[12]( |$)')" = 8 ]
check "a kernel's results go to its own directory" \
	sh -c "echo '$out' | grep -q 'KVER=k2 RES=.*/build/results/k2 '"
check "vmclockctl and the unit tests are built and run once" \
	[ "$(echo "$out" | grep -cE '^== (build-tools|unit-programs|unit):')" = 3 ]
out=$(dry KVER=k3 KVERS="k1 k2")
check "KVER alone selects one kernel" \
	[ "$(echo "$out" | grep -c '^== vm:')-$(echo "$out" | grep -c 'KVER=k3')" = 1-4 ]

tap_exit

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run-vm.sh without a boot: a suite that needs a driver the kernel lacks
# (Debian's cloud flavour has few) is a skip that says why, not a failure.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
plan 2

kver=$("$here/../lib/pick-kernel.sh" --all | head -n 1)
if [ -z "$kver" ]; then
	ok "# SKIP no kernel with headers and an image installed"
	ok "# SKIP no kernel with headers and an image installed"
	tap_exit
fi
tmp=$(mktemp -d)
printf '#@ modules: vmclock_no_such_driver\nt never_run true\n' > "$tmp/needs.sh"
"$here/../vm/run-vm.sh" -q -k "$kver" -s "$tmp/needs.sh" -o "$tmp" > /dev/null
rc=$?
check "run-vm.sh exits 0 for a suite it cannot boot (rc $rc)" [ $rc = 0 ]
check "and reports a skip that names the module" \
	grep -q '^ok 1 # SKIP kernel .* has no module vmclock_no_such_driver, which suite needs needs$' \
	"$tmp/needs.log"
rm -rf "$tmp"
tap_exit

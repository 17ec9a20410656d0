#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# spec_check.py must notice each kind of disagreement: run it on copies of
# the spec and code with one thing changed each.
here=$(cd "$(dirname "$0")" && pwd)
top=$here/../..
. "$here/../lib/tap.sh"
plan 7

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# mutant DESCRIPTION FILE SED-EXPRESSION: the checker must fail.
mutant() {
	rm -rf "$tmp/t"
	mkdir -p "$tmp/t/Documentation/netlink/specs" "$tmp/t/kernel/uapi"
	cp "$top/Documentation/netlink/specs/vmclock.yaml" "$tmp/t/Documentation/netlink/specs/"
	cp "$top/kernel/uapi/vmclock.h" "$tmp/t/kernel/uapi/"
	cp "$top/kernel/netlink.c" "$tmp/t/kernel/"
	sed -i "$3" "$tmp/t/$2"
	if cmp -s "$top/$2" "$tmp/t/$2"; then
		fail "$1 (the change did not apply)"
		return
	fi
	if python3 "$here/spec_check.py" "$tmp/t" >/dev/null; then
		fail "$1 goes unnoticed"
	else
		ok "$1 is noticed"
	fi
}

if python3 "$here/spec_check.py" "$top" >/dev/null; then ok "the tree agrees"; else fail "the tree agrees"; fi
mutant "an attribute moved in the uapi enum" kernel/uapi/vmclock.h \
	'/VMCLOCK_A_PROFILE,/{h;d};/VMCLOCK_A_CLOCK_NAME,/G'
mutant "admin-perm dropped from an operation" kernel/netlink.c \
	'0,/\.flags\t= GENL_ADMIN_PERM,/{/\.flags\t= GENL_ADMIN_PERM,/d}'
mutant "a poll limit changed in the spec" Documentation/netlink/specs/vmclock.yaml \
	's/max: 3600000/max: 3600001/'
mutant "a request attribute missing from a policy" kernel/netlink.c \
	'/\[VMCLOCK_A_PROFILE\] = /d'
mutant "a state added in the spec only" Documentation/netlink/specs/vmclock.yaml \
	's/        name: disabled/        name: disabled\n      -\n        name: frozen/'
mutant "a weight limit changed in the code" kernel/netlink.c \
	's/VMCLOCK_WEIGHT_MAX),/VMCLOCK_WEIGHT_MAX - 1),/'
tap_exit

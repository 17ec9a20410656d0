# SPDX-License-Identifier: GPL-2.0
#
# Minimal TAP for shell tests, sourced.  Call plan N first, then ok/fail/check.
_tap_n=0
_tap_failed=0

plan() { echo "1..$1"; }

ok() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n $*"; }

fail() {
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n $*"
}

# check DESCRIPTION CMD...: ok when CMD succeeds.
check() {
	_d=$1
	shift
	if "$@"; then ok "$_d"; else fail "$_d"; fi
}

# diag MSG: a TAP comment.
diag() { printf '%s\n' "$*" | sed 's/^/# /'; }

tap_exit() { [ "$_tap_failed" -eq 0 ]; exit $?; }

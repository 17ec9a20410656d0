#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tap-count.awk decides what CI reports: check it on made-up logs.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
awk_count() { printf '%b' "$1" | awk -f "$here/../lib/tap-count.awk" | tail -n 1; }
plan 9

check "all pass" [ "$(awk_count '# TEST a\n1..2\nok 1 x\nok 2 y\n# END a rc=0\n')" = "2 passed, 0 failed" ]
check "a failure counts" [ "$(awk_count '# TEST a\n1..2\nok 1 x\nnot ok 2 y\n# END a rc=1\n')" = "1 passed, 1 failed" ]
check "planned but missing counts as failed" [ "$(awk_count '# TEST a\n1..3\nok 1 x\n# END a rc=0\n')" = "1 passed, 2 failed" ]
check "crash without a failure line counts once" [ "$(awk_count '# TEST a\n1..1\nok 1 x\n# END a rc=139\n')" = "1 passed, 1 failed" ]
check "unfinished section fails" [ "$(awk_count '# TEST a\n1..1\nok 1 x\n')" = "1 passed, 1 failed" ]
check "skips are reported apart" [ "$(awk_count '# TEST a\n1..2\nok 1 x\nok 2 y # SKIP no ptp\n# END a rc=0\n')" = "1 passed, 0 failed, 1 skipped" ]
check "a skipped section without a description" [ "$(awk_count '# TEST vm-a\n1..1\nok 1 # SKIP kernel k has no module m\n# END vm-a rc=0\n')" = "0 passed, 0 failed, 1 skipped" ]
check "lines outside sections are ignored" [ "$(awk_count 'ok 1 stray\n# TEST a\n1..1\nok 1 x\n# END a rc=0\nnot ok 9 stray\n')" = "1 passed, 0 failed" ]
printf '# TEST a\nnot ok 1 x\n# END a rc=1\n' | awk -f "$here/../lib/tap-count.awk" >/dev/null
check "exit status is non-zero on failure" [ $? -ne 0 ]
tap_exit

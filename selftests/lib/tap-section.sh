#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tap-section.sh NAME CMD [ARGS...]: run one test program between the
# "# TEST" / "# END" markers that tap-count.awk reads.
name=$1
shift
echo "# TEST $name"
"$@"
rc=$?
echo "# END $name rc=$rc"
exit $rc

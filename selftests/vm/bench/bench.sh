# SPDX-License-Identifier: GPL-2.0
# "make bench-vm", scenario @SCENARIO@: this suite is made from
# selftests/vm/bench/bench.sh for each scenario; bench_run.sh does the work.
#@ bins: chronyd phc2sys
export bench_scenario=@SCENARIO@
t bench-@SCENARIO@ bench_run.sh

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# table.sh LOG...: the "# RESULT" lines of bench-vm guests as one Markdown
# table.  Of chronyd's two refclock lines on the single clock (poll 3
# dpoll -2; poll 0 delay 0.0004) the one with the smaller RMS is shown.
# "back < 10 us": seconds from the step or pause until the error stayed
# under 10 us for a second ("never": not within the measurement).
# "maxerror covers": of the probes at which the tool claimed the clock
# synchronized (STA_UNSYNC clear), the share at which maxerror covered the
# true error; "none" when it never claimed it.
awk '
function us(ns) { return sprintf(ns < 10000 ? "%.2f" : "%.0f", ns / 1000) }
$1 == "#" && $2 == "RESULT" {
	sc = $3; tool = $4
	if (!(sc in seen)) { seen[sc] = 1; order[nsc++] = sc }
	if (tool == "chrony-poll3" || tool == "chrony-poll0") {
		if ((sc, "chrony") in rms && rms[sc, "chrony"] <= $6)
			next
		line[sc, "chrony"] = tool == "chrony-poll3" ? "poll 3 dpoll -2" : "poll 0 delay 0.0004"
		tool = "chrony"
	}
	rms[sc, tool] = $6; max[sc, tool] = $7; rec[sc, tool] = $8
	claim[sc, tool] = $9; cov[sc, tool] = $10; n[sc, tool] = $11
	meth[sc, tool] = $5
}
END {
	split("vmclock chrony chrony-vmclock phc2sys", tools, " ")
	name["vmclock"] = "vmclockctl sync"
	name["chrony-vmclock"] = "chronyd on /dev/ptp_vmclock"
	name["phc2sys"] = "phc2sys, single clock"
	print "| scenario | tool | read | RMS (us) | max (us) | back < 10 us (s) | maxerror covers |"
	print "|---|---|---|---:|---:|---:|---:|"
	for (i = 0; i < nsc; i++) {
		sc = order[i]
		for (t = 1; t <= 4; t++) {
			k = tools[t]
			if (!((sc, k) in rms))
				continue
			nm = k == "chrony" ? "chronyd, single clock (" line[sc, k] ")" : name[k]
			r = rec[sc, k] == "none" ? "-" : rec[sc, k]
			c = claim[sc, k] ? sprintf("%.1f %% of %d", 100 * cov[sc, k] / claim[sc, k], claim[sc, k]) : "none"
			printf "| %s | %s | %s | %s | %s | %s | %s |\n", sc, nm, meth[sc, k], us(rms[sc, k]), us(max[sc, k]), r, c
		}
	}
}' "$@"

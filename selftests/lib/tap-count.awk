# SPDX-License-Identifier: GPL-2.0
#
# Count results in logs made of sections
#	# TEST name
#	...TAP from one program ("1..N", "ok N ...", "not ok N ...")...
#	# END name rc=N
# A section fails for every "not ok", for every planned test that never
# reported, and once when the program exited non-zero without reporting a
# failure (a crash).  An unterminated section is a program that never ended.
# Prints the failures, then "N passed, N failed[, N skipped]".

function close_section(rc,    missing) {
	if (name == "")
		return
	missing = plan - (ok + nok + skip)
	if (missing > 0) {
		failed += missing
		print "FAIL: " name ": " missing " planned test(s) did not report"
	}
	if (rc != 0 && nok == 0 && missing <= 0) {
		failed++
		print "FAIL: " name ": exited with status " rc
	}
	name = ""
}

{ sub(/\r$/, "") }

/^# TEST / {
	close_section(0)
	name = $3; plan = 0; ok = 0; nok = 0; skip = 0
	next
}
/^# END / {
	rc = $0; sub(/.*rc=/, "", rc)
	if (name == "")
		next
	close_section(rc + 0)
	next
}
name != "" && /^1\.\.[0-9]+/ {
	p = $0; sub(/^1\.\./, "", p); plan += p + 0
	next
}
name != "" && /^ok [0-9]+/ {
	if ($0 ~ /# (SKIP|skip)/) { skip++; skipped++ } else { ok++; passed++ }
	next
}
name != "" && /^not ok [0-9]+/ {
	nok++; failed++
	print "FAIL: " name ": " $0
	next
}
END {
	if (name != "") {
		failed++
		print "FAIL: " name ": did not finish"
	}
	printf "%d passed, %d failed", passed, failed
	if (skipped)
		printf ", %d skipped", skipped
	printf "\n"
	exit failed > 0
}

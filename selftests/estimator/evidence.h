/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the published bound must cover at least, computed from outside
 * the estimator (from est_source_get() alone), for the unit tests and
 * the replay bench.
 */
#ifndef _VMCLOCK_EVIDENCE_H
#define _VMCLOCK_EVIDENCE_H

#include "estimator.h"

/*
 * The least bound the evidence asks for at raw r: the distance from the
 * published clock to the farthest point that at least half of the
 * voters may agree on, from the intervals (offset +- bound) of the
 * sources with an estimate. 0 if there is no such point, or if a voter
 * has no estimate: the estimator then counts what that one read last,
 * which est_source_get() does not show. The estimator's own evidence
 * may be wider (a source whose reads are rejected spans both).
 */
static inline u64 evidence_reach(const struct est *e, s64 r)
{
	s64 lo[EST_MAX_SOURCES], hi[EST_MAX_SOURCES], x, l = S64_MAX;
	s64 h = -S64_MAX;
	struct est_source_info in;
	int n = 0, need, i, j, cnt;

	for (i = 0; i < EST_MAX_SOURCES; i++) {
		if (est_source_get(e, i, r, &in) ||
		    in.bound_ns == EST_BOUND_UNKNOWN ||
		    in.state == EST_SRC_STALE)
			continue;
		/*
		 * offset_ns is rounded and bound_ns rounded up: the ends
		 * may be 2 ns wider than the estimator's own, and two
		 * intervals that touch here may not there.
		 */
		lo[n] = in.offset_ns - (s64)in.bound_ns + 2;
		hi[n] = in.offset_ns + (s64)in.bound_ns - 2;
		n++;
	}
	if (!n || n < (int)e->voters)
		return 0;
	need = (n + 1) / 2;
	for (i = 0; i < 2 * n; i++) {
		x = i < n ? lo[i] : hi[i - n];
		for (j = 0, cnt = 0; j < n; j++)
			cnt += lo[j] <= x && x <= hi[j];
		if (cnt < need)
			continue;
		l = x < l ? x : l;
		h = x > h ? x : h;
	}
	if (l > h)
		return 0;
	l = l < 0 ? -l : l;
	h = h < 0 ? -h : h;
	return (u64)(l > h ? l : h);
}

#endif /* _VMCLOCK_EVIDENCE_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A ClockBound client's reader of a shared-memory segment, written from
 * clock-bound's docs/PROTOCOL.md (version 2) and nothing of vmclock's:
 * the segment's magic, size and version, the generation protocol (odd
 * while the writer is in the middle of an update, read again when it
 * changed), then the fields at their documented offsets.  For the tests
 * and the read bench, which check vmclockctl sync --clockbound with it.
 */
#ifndef _VMCLOCK_CB_READER_H
#define _VMCLOCK_CB_READER_H

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

struct cb_view {
	int64_t as_of_ns, void_after_ns, bound_ns;
	uint64_t marker;
	uint32_t drift_ppb;
	int32_t status;		/* 0 unknown, 1 synchronized, 2 free running, 3 disrupted */
	uint8_t disruption_support;
};

static inline uint16_t cb_u16_at(const volatile uint8_t *p, int off)
{
	uint16_t v;

	memcpy(&v, (const void *)(p + off), sizeof(v));
	return v;
}

static inline int64_t cb_i64_at(const volatile uint8_t *p, int off)
{
	int64_t v;

	memcpy(&v, (const void *)(p + off), sizeof(v));
	return v;
}

/* 0 with *v filled, -EPROTO for a segment that is not version 2. */
static inline int cb_read(const volatile uint8_t *seg, struct cb_view *v)
{
	static const uint8_t magic[8] = { 0x41, 0x4d, 0x5a, 0x4e,
					  0x43, 0x42, 0x02, 0x00 };
	uint16_t g1, g2;
	uint32_t size;

	if (memcmp((const void *)seg, magic, 8))
		return -EPROTO;
	memcpy(&size, (const void *)(seg + 8), 4);
	if (size < 73 || cb_u16_at(seg, 12) != 2)
		return -EPROTO;
	do {
		g1 = cb_u16_at(seg, 14);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		v->as_of_ns = cb_i64_at(seg, 16) * 1000000000LL +
			      cb_i64_at(seg, 24);
		v->void_after_ns = cb_i64_at(seg, 32) * 1000000000LL +
				   cb_i64_at(seg, 40);
		v->bound_ns = cb_i64_at(seg, 48);
		memcpy(&v->marker, (const void *)(seg + 56), 8);
		memcpy(&v->drift_ppb, (const void *)(seg + 64), 4);
		memcpy(&v->status, (const void *)(seg + 68), 4);
		v->disruption_support = seg[72];
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		g2 = cb_u16_at(seg, 14);
	} while ((g1 & 1) || g1 != g2);
	return 0;
}

/*
 * The bound at CLOCK_MONOTONIC_COARSE time coarse_ns: the bound at as-of
 * grown by the max drift over the time since; -ETIME past void-after,
 * where a client refuses.
 */
static inline int cb_bound_at(const struct cb_view *v, int64_t coarse_ns,
			      int64_t *bound_ns)
{
	if (coarse_ns > v->void_after_ns)
		return -ETIME;
	*bound_ns = v->bound_ns + (coarse_ns - v->as_of_ns) *
		    (int64_t)v->drift_ppb / 1000000000LL;
	return 0;
}

/*
 * What a client's "now" call does: CLOCK_REALTIME, and the bound at the
 * CLOCK_MONOTONIC_COARSE time (cb_bound_at()).  On success *v is the
 * view it used.
 */
static inline int cb_now(const volatile uint8_t *seg, struct cb_view *v,
			 int64_t *now_ns, int64_t *bound_ns)
{
	struct timespec rt, mono;
	int rc = cb_read(seg, v);

	if (rc)
		return rc;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC_COARSE, &mono);
	rc = cb_bound_at(v, mono.tv_sec * 1000000000LL + mono.tv_nsec,
			 bound_ns);
	if (rc)
		return rc;
	*now_ns = rt.tv_sec * 1000000000LL + rt.tv_nsec;
	return 0;
}

#endif /* _VMCLOCK_CB_READER_H */

/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * <vmclock/time.h>: vmclock's unified clock and its error bound, read
 * from the page of /dev/vmclock-time without a system call.
 *
 *	struct vmclock_time vt;
 *	int64_t now;
 *	uint64_t bound;
 *	unsigned int status;
 *
 *	if (vmclock_open(&vt) == 0 &&
 *	    vmclock_now(&vt, &now, &bound, &status) == 0)
 *		// UTC is within [now - bound, now + bound], ns
 *
 * vmclock_now() reads CLOCK_MONOTONIC_RAW (through the vDSO) and the page,
 * and computes what the unified PHC would return for that raw time: the
 * same time, the same bound, to the nanosecond.  See vmclock_time(3).
 * Header only; 64-bit targets (it uses unsigned __int128).
 */
#ifndef VMCLOCK_TIME_LIB_H
#define VMCLOCK_TIME_LIB_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vmclock_time.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The page, mapped read-only; NULL when not open. */
struct vmclock_time {
	const volatile struct vmclock_time_abi *page;
};

/*
 * Map the page of /dev/vmclock-time.  0, or -errno: -ENOENT without
 * vmclock, -EPROTO for a page of a version this header does not know.
 * Any user may; the file is closed again at once, the mapping stays.
 */
static inline int vmclock_open(struct vmclock_time *vt)
{
	const struct vmclock_time_abi *p;
	void *m;
	int fd, err;

	vt->page = NULL;
	fd = open(VMCLOCK_TIME_DEVICE, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	m = mmap(NULL, sizeof(*p), PROT_READ, MAP_SHARED, fd, 0);
	err = m == MAP_FAILED ? -errno : 0;
	close(fd);
	if (err)
		return err;
	p = (const struct vmclock_time_abi *)m;
	if (p->magic != VMCLOCK_TIME_MAGIC ||
	    p->version != VMCLOCK_TIME_VERSION || p->size < sizeof(*p)) {
		munmap(m, sizeof(*p));
		return -EPROTO;
	}
	vt->page = p;
	return 0;
}

static inline void vmclock_close(struct vmclock_time *vt)
{
	if (vt->page)
		munmap((void *)vt->page, sizeof(*vt->page));
	vt->page = NULL;
}

/* The arithmetic of the unified clock, as the module's (estimator.c). */
static inline unsigned int vmclock__bits(uint64_t v)
{
	return v ? 64 - (unsigned int)__builtin_clzll(v) : 0;
}

/* (a * b) >> shift, saturating where the module's saturates. */
static inline uint64_t vmclock__umul_shr(uint64_t a, uint64_t b,
					 unsigned int shift)
{
	if (!a || !b)
		return 0;
	if (vmclock__bits(a) + vmclock__bits(b) > 64 + shift)
		return UINT64_MAX;
	return (uint64_t)(((unsigned __int128)a * b) >> shift);
}

static inline uint64_t vmclock__abs(int64_t v)
{
	return v < 0 ? -(uint64_t)v : (uint64_t)v;
}

static inline int64_t vmclock__sat(uint64_t mag, bool neg)
{
	if (mag > (uint64_t)INT64_MAX)
		mag = INT64_MAX;
	return neg ? -(int64_t)mag : (int64_t)mag;
}

static inline int64_t vmclock__add(int64_t a, int64_t b)
{
	int64_t r = (int64_t)((uint64_t)a + (uint64_t)b);

	if (a >= 0 && b >= 0 && r < 0)
		return INT64_MAX;
	if (a < 0 && b < 0 && r >= 0)
		return -INT64_MAX;
	return r;
}

/* d + d * rate / 2^48, the product rounded to nearest. */
static inline int64_t vmclock__advance(int64_t d, int64_t rate)
{
	uint64_t r = vmclock__umul_shr(vmclock__abs(d), vmclock__abs(rate),
				       VMCLOCK_TIME_FREQ_SHIFT - 1);

	r = r == UINT64_MAX ? r : (r + 1) >> 1;
	return vmclock__add(d, vmclock__sat(r, (d < 0) != (rate < 0)));
}

/* The clock and its bound at raw time raw, from a copy of the page. */
static inline void vmclock__eval(const struct vmclock_time_abi *c, int64_t raw,
				 int64_t *time_ns, uint64_t *bound_ns)
{
	int64_t dr = raw - c->raw_base, len, t;
	uint64_t b, g;

	if (dr <= 0 || !c->slew_len) {
		t = vmclock__advance(dr, c->freq);
	} else {
		len = c->slew_len > (uint64_t)INT64_MAX ? INT64_MAX :
							  (int64_t)c->slew_len;
		if (dr <= len)
			t = vmclock__advance(dr, vmclock__add(c->freq, c->slew));
		else
			t = vmclock__add(vmclock__advance(len,
					   vmclock__add(c->freq, c->slew)),
					 vmclock__advance(dr - len, c->freq));
	}
	*time_ns = vmclock__add(c->time_base, t);
	b = c->bound_base + 1 < c->bound_base ? UINT64_MAX : c->bound_base + 1;
	g = vmclock__umul_shr(vmclock__abs(dr), c->bound_growth,
			      VMCLOCK_TIME_FREQ_SHIFT);
	*bound_ns = b + g < b ? UINT64_MAX : b + g;
}

/*
 * A consistent copy of the page; with read_raw, CLOCK_MONOTONIC_RAW read
 * into *raw while that version of the page was current, as the module
 * reads the raw clock and its estimate together.
 */
static inline void vmclock__copy(const struct vmclock_time *vt,
				 struct vmclock_time_abi *c, int64_t *raw,
				 bool read_raw)
{
	const volatile struct vmclock_time_abi *p = vt->page;
	struct timespec ts;
	uint32_t seq;

	for (;;) {
		seq = p->seq;
		if (seq & 1)
			continue;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		c->status = p->status;
		c->disruptions = p->disruptions;
		c->raw_base = p->raw_base;
		c->time_base = p->time_base;
		c->freq = p->freq;
		c->slew = p->slew;
		c->slew_len = p->slew_len;
		c->bound_base = p->bound_base;
		c->bound_growth = p->bound_growth;
		c->tai_offset = p->tai_offset;
		if (read_raw) {
			clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
			*raw = ts.tv_sec * 1000000000LL + ts.tv_nsec;
		}
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (p->seq == seq)
			return;
	}
}

static inline int vmclock__result(const struct vmclock_time_abi *c,
				  int64_t raw, int64_t *time_ns,
				  uint64_t *bound_ns, unsigned int *status)
{
	if (status)
		*status = c->status;
	if (c->status == VMCLOCK_TIME_STATUS_GONE)
		return -ENODEV;
	if (c->status == VMCLOCK_TIME_UNSYNCHRONIZED ||
	    c->bound_base == VMCLOCK_TIME_BOUND_UNKNOWN)
		return -EAGAIN;
	vmclock__eval(c, raw, time_ns, bound_ns);
	return 0;
}

/*
 * The unified clock now: UTC in ns and its error bound in ns, and the
 * clock's status (VMCLOCK_TIME_SYNCHRONIZED, _HOLDOVER, _DISRUPTED,
 * _UNSYNCHRONIZED, or VMCLOCK_TIME_STATUS_GONE).  0 with *time_ns and
 * *bound_ns set; -EAGAIN while the clock is unsynchronized (no time),
 * -ENODEV once vmclock was unloaded (vmclock_close() and open again).
 * status may be NULL.
 */
static inline int vmclock_now(const struct vmclock_time *vt, int64_t *time_ns,
			      uint64_t *bound_ns, unsigned int *status)
{
	struct vmclock_time_abi c;
	int64_t raw;

	vmclock__copy(vt, &c, &raw, true);
	return vmclock__result(&c, raw, time_ns, bound_ns, status);
}

/* The same at a CLOCK_MONOTONIC_RAW time of the caller's, in ns. */
static inline int vmclock_at(const struct vmclock_time *vt, int64_t raw_ns,
			     int64_t *time_ns, uint64_t *bound_ns,
			     unsigned int *status)
{
	struct vmclock_time_abi c;

	vmclock__copy(vt, &c, NULL, false);
	return vmclock__result(&c, raw_ns, time_ns, bound_ns, status);
}

/* The interval UTC is in, from vmclock_now()'s figures (saturating). */
static inline int64_t vmclock_earliest(int64_t time_ns, uint64_t bound_ns)
{
	return bound_ns >= (uint64_t)time_ns - (uint64_t)INT64_MIN ?
	       INT64_MIN : time_ns - (int64_t)bound_ns;
}

static inline int64_t vmclock_latest(int64_t time_ns, uint64_t bound_ns)
{
	return bound_ns >= (uint64_t)INT64_MAX - (uint64_t)time_ns ?
	       INT64_MAX : time_ns + (int64_t)bound_ns;
}

/* Times the unified clock was disrupted since vmclock was loaded. */
static inline uint64_t vmclock_disruptions(const struct vmclock_time *vt)
{
	struct vmclock_time_abi c;

	vmclock__copy(vt, &c, NULL, false);
	return c.disruptions;
}

#ifdef __cplusplus
}
#endif

#endif /* VMCLOCK_TIME_LIB_H */

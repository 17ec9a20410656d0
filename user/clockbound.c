// SPDX-License-Identifier: GPL-2.0
/*
 * vmclockctl sync --clockbound: keep a ClockBound shared memory segment
 * (protocol version 2, clock-bound's docs/PROTOCOL.md) current, so that
 * ClockBound's client libraries read the bound of CLOCK_REALTIME from
 * vmclock with no ClockBound daemon and no chronyd.
 *
 * The segment, in the CPU's byte order: magic (8 bytes), segment size
 * (u32), version (u16, 2), generation (u16: odd while being written, even
 * after; it wraps to 2, not 0), as-of and void-after (two timespecs of
 * CLOCK_MONOTONIC_COARSE), the bound of CLOCK_REALTIME at as-of (i64 ns),
 * the disruption marker last read from the vmclock device (u64), the
 * maximum drift (u32 ppb), the clock status (i32) and whether clock
 * disruption support is on (u8).
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vmclockctl.h"

struct clockbound_shm {
	uint8_t magic[8];
	uint32_t size;
	uint16_t version;
	uint16_t generation;
	int64_t as_of_sec, as_of_nsec;
	int64_t void_after_sec, void_after_nsec;
	int64_t bound_ns;
	uint64_t disruption_marker;
	uint32_t max_drift_ppb;
	int32_t status;
	uint8_t disruption_support;
	uint8_t padding[7];
};

_Static_assert(sizeof(struct clockbound_shm) == 80, "ClockBound v2 layout");

static const uint8_t clockbound_magic[8] = {
	0x41, 0x4d, 0x5a, 0x4e, 0x43, 0x42, 0x02, 0x00
};

struct clockbound {
	volatile struct clockbound_shm *shm;
};

/*
 * Create or take over the segment at path (its directory must exist):
 * 0, or -errno.  A segment left by another writer is rewritten whole.
 */
int clockbound_open(struct clockbound **cbp, const char *path)
{
	struct clockbound *cb;
	void *m;
	int fd, err = 0;

	cb = calloc(1, sizeof(*cb));
	if (!cb)
		return -ENOMEM;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || ftruncate(fd, sizeof(struct clockbound_shm))) {
		err = -errno;
		goto out;
	}
	m = mmap(NULL, sizeof(struct clockbound_shm), PROT_READ | PROT_WRITE,
		 MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		err = -errno;
		goto out;
	}
	cb->shm = m;
	/* Readers see a half-written header as a bad magic or an odd one. */
	cb->shm->generation = 1;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memset((void *)&cb->shm->as_of_sec, 0,
	       sizeof(struct clockbound_shm) - offsetof(struct clockbound_shm,
							as_of_sec));
	cb->shm->size = sizeof(struct clockbound_shm);
	cb->shm->version = 2;
	memcpy((void *)cb->shm->magic, clockbound_magic, sizeof(clockbound_magic));
	__atomic_thread_fence(__ATOMIC_RELEASE);
	cb->shm->generation = 2;
out:
	if (fd >= 0)
		close(fd);
	if (err) {
		free(cb);
		return err;
	}
	*cbp = cb;
	return 0;
}

/*
 * One update: the bound of CLOCK_REALTIME now (ns), how fast it may grow
 * (ppb), for how long it may be trusted (ns), the status
 * (CLOCKBOUND_STATUS_*) and the vmclock device's disruption marker
 * (with_marker false: no device, disruption support off).
 */
void clockbound_write(struct clockbound *cb, int64_t bound_ns,
		      uint32_t max_drift_ppb, int64_t valid_ns, int status,
		      bool with_marker, uint64_t marker)
{
	volatile struct clockbound_shm *s = cb->shm;
	struct timespec now, until;
	uint16_t gen = s->generation;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	until = now;
	until.tv_sec += valid_ns / 1000000000;
	until.tv_nsec += valid_ns % 1000000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	s->generation = gen + 1;		/* odd: being written */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	s->as_of_sec = now.tv_sec;
	s->as_of_nsec = now.tv_nsec;
	s->void_after_sec = until.tv_sec;
	s->void_after_nsec = until.tv_nsec;
	s->bound_ns = bound_ns;
	s->disruption_marker = with_marker ? marker : 0;
	s->max_drift_ppb = max_drift_ppb;
	s->status = status;
	s->disruption_support = with_marker;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	/* even again; past 65534 it starts over at 2, never 0 */
	s->generation = gen >= 65534 ? 2 : gen + 2;
}

/* Only the status changes (the writer stops; the bound stays true). */
void clockbound_set_status(struct clockbound *cb, int status)
{
	volatile struct clockbound_shm *s = cb->shm;
	uint16_t gen = s->generation;

	s->generation = gen + 1;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	s->status = status;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	s->generation = gen >= 65534 ? 2 : gen + 2;
}

void clockbound_close(struct clockbound *cb)
{
	if (!cb)
		return;
	munmap((void *)cb->shm, sizeof(struct clockbound_shm));
	free(cb);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the stress programs (make stress): latency figures, a seeded
 * generator per thread, and threads that read the unified clock and check
 * that it never goes back for them.
 */
#ifndef VMCLOCK_STRESS_H
#define VMCLOCK_STRESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define FD_TO_CLOCKID(fd)	((~(clockid_t)(fd) << 3) | 3)

/* How long operations of one kind took, in seconds; when the worst ended. */
struct lat {
	unsigned long n;
	double sum, max, at;
};

void lat_add(struct lat *l, double s);
void lat_merge(struct lat *to, const struct lat *from);
double lat_mean(const struct lat *l);

/* splitmix64 */
uint64_t rnd_next(uint64_t *state);

/* The two ways the unified clock is read. */
enum read_kind { READ_GETTIME, READ_PRECISE, READ_KINDS };

/*
 * A thread reading the unified clock through its own open /dev/ptpN,
 * alternating clock_gettime() and PTP_SYS_OFFSET_PRECISE, and every eighth
 * time a file of /sys/kernel/vmclock (when sysfs is set): the global ones
 * and those of a source it finds listed.  Every value must be at or after
 * the thread's previous one.
 */
struct reader {
	/* set by the caller */
	int index;
	int phc;			/* N of /dev/ptpN */
	bool sysfs;
	volatile bool *stop;
	/* results */
	pthread_t thread;
	int open_errno;			/* opening the clock failed */
	unsigned long ok[READ_KINDS];
	unsigned long eagain;		/* no estimate yet */
	unsigned long errors;		/* any other error */
	int last_errno;
	unsigned long backwards;
	long long worst_back_ns;
	char back_what[200];
	unsigned long sysfs_reads;
	unsigned long sysfs_gone;	/* a source's file vanished under it */
	unsigned long sysfs_errors;	/* a global file failed */
	char sysfs_what[400];
	struct lat lat[READ_KINDS];
	struct lat lat_sysfs;
};

int reader_start(struct reader *r);
void reader_join(struct reader *r);
/* Sum of the readers' results into *sum (counts, worsts, latencies). */
void reader_sum(const struct reader *r, int n, struct reader *sum);

/*
 * A thread sleeping 10 ms again and again: how late it wakes up tells a
 * stall of the whole guest (or of its host) from a wait in vmclock.
 */
struct ticker {
	volatile bool *stop;
	pthread_t thread;
	struct lat late;
};

int ticker_start(struct ticker *t);
void ticker_join(struct ticker *t);

/* Log vmclockctl status and sources as TAP comments. */
void log_vmclock(void);

/* Wait up to timeout s for /sys/kernel/vmclock/status to read want. */
bool wait_status(const char *want, double timeout);

#endif /* VMCLOCK_STRESS_H */

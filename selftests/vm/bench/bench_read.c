// SPDX-License-Identifier: GPL-2.0
/*
 * bench_read: what a read of the time costs in the guest ("make
 * bench-read"): vmclock_now() of <vmclock/time.h> against
 * clock_gettime(CLOCK_REALTIME) (the vDSO; CLOCK_MONOTONIC_RAW too, which
 * vmclock_now() reads), clock_gettime() on the unified PHC,
 * PTP_SYS_OFFSET_PRECISE on it and, given a ClockBound segment that
 * vmclockctl sync keeps, what a ClockBound client's "now" costs on it
 * (lib/cb_reader.h).  Interleaved in 15 rounds of 40 ms per
 * read, the fastest round of each counts; prints ns per read and the
 * ratios, one TAP comment each, and checks the library's targets.
 *
 *   bench_read /dev/ptpN [SEGMENT]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/ptp_clock.h>

#include "vmclock/time.h"
#include "cb_reader.h"

#define FD_CLOCKID(fd)	((clockid_t)((((unsigned int)~(fd)) << 3) | 3))

static struct vmclock_time vt;
static const volatile uint8_t *seg;
static int phc;

static long long mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int read_realtime(void)
{
	struct timespec t;

	return clock_gettime(CLOCK_REALTIME, &t);
}

static int read_raw(void)
{
	struct timespec t;

	return clock_gettime(CLOCK_MONOTONIC_RAW, &t);
}

static int read_vmclock(void)
{
	int64_t now;
	uint64_t bound;

	return vmclock_now(&vt, &now, &bound, NULL);
}

static int read_phc(void)
{
	struct timespec t;

	return clock_gettime(FD_CLOCKID(phc), &t);
}

static int read_precise(void)
{
	struct ptp_sys_offset_precise p;

	memset(&p, 0, sizeof(p));
	return ioctl(phc, PTP_SYS_OFFSET_PRECISE, &p);
}

static int read_clockbound(void)
{
	struct cb_view v;
	int64_t now, bound;

	return cb_now(seg, &v, &now, &bound);
}

/* The reads timed, in the order of each round. */
enum { R_RT, R_RAW, R_VM, R_PHC, R_PRECISE, R_CB, N_READS };
static int (*const read_fn[N_READS])(void) = {
	read_realtime, read_raw, read_vmclock, read_phc, read_precise,
	read_clockbound,
};

#define ROUNDS		15
#define ROUND_NS	40000000LL	/* per read and round */

/*
 * ns per call of each read: in each of ROUNDS rounds every read runs for
 * ROUND_NS in turn, and the fastest round counts.  Interleaved, a slow
 * spell of the host (the guest is emulated) slows one round of each read
 * rather than all rounds of one: the ratios are steadier than from runs
 * one read after the other.
 */
static void cost(int nreads, double *best, long *failed)
{
	long long t0, t;
	int round, r, i;
	long n;

	for (r = 0; r < nreads; r++) {
		best[r] = 0;
		failed[r] = 0;
	}
	for (round = 0; round < ROUNDS; round++) {
		for (r = 0; r < nreads; r++) {
			t0 = mono_ns();
			n = 0;
			do {
				for (i = 0; i < 50; i++)
					failed[r] += read_fn[r]() != 0;
				n += 50;
				t = mono_ns();
			} while (t - t0 < ROUND_NS);
			if (!round || (double)(t - t0) / n < best[r])
				best[r] = (double)(t - t0) / n;
		}
	}
}

int main(int argc, char *argv[])
{
	double ns[N_READS];
	long failed[N_READS];
	int fd, bad = 0;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: bench_read /dev/ptpN [SEGMENT]\n");
		return 2;
	}
	phc = open(argv[1], O_RDONLY);
	if (phc < 0 || vmclock_open(&vt)) {
		perror("bench_read");
		return 1;
	}
	if (argc == 3) {
		fd = open(argv[2], O_RDONLY);
		seg = fd < 0 ? MAP_FAILED :
			mmap(NULL, 80, PROT_READ, MAP_SHARED, fd, 0);
		if (seg == MAP_FAILED) {
			perror(argv[2]);
			return 1;
		}
		close(fd);
	}
	cost(seg ? N_READS : R_CB, ns, failed);
	printf("1..2\n");
	printf("# clock_gettime(CLOCK_REALTIME)     %8.1f ns\n", ns[R_RT]);
	printf("# clock_gettime(CLOCK_MONOTONIC_RAW) %7.1f ns  (vmclock_now()'s own read)\n",
	       ns[R_RAW]);
	printf("# vmclock_now()                     %8.1f ns  %.2f x CLOCK_REALTIME\n",
	       ns[R_VM], ns[R_VM] / ns[R_RT]);
	printf("# clock_gettime(unified PHC)        %8.1f ns  %.1f x vmclock_now()\n",
	       ns[R_PHC], ns[R_PHC] / ns[R_VM]);
	printf("# PTP_SYS_OFFSET_PRECISE (unified)  %8.1f ns  %.1f x vmclock_now()\n",
	       ns[R_PRECISE], ns[R_PRECISE] / ns[R_VM]);
	if (seg)
		printf("# ClockBound client now (segment)   %8.1f ns  %.2f x vmclock_now()\n",
		       ns[R_CB], ns[R_CB] / ns[R_VM]);
	printf("# failed reads: %ld %ld %ld %ld %ld %ld\n", failed[R_RT],
	       failed[R_RAW], failed[R_VM], failed[R_PHC], failed[R_PRECISE],
	       seg ? failed[R_CB] : 0);
	if (ns[R_VM] > 2 * ns[R_RT] || failed[R_VM])
		bad |= 1;
	printf("%sok 1 vmclock_now() within 2 x clock_gettime(CLOCK_REALTIME)\n",
	       bad & 1 ? "not " : "");
	if (ns[R_PHC] < 10 * ns[R_VM])
		bad |= 2;
	printf("%sok 2 vmclock_now() at least 10 x cheaper than the PHC read\n",
	       bad & 2 ? "not " : "");
	vmclock_close(&vt);
	return bad ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * bench_read: what a read of the time costs in the guest ("make
 * bench-read"): vmclock_now() of <vmclock/time.h> against
 * clock_gettime(CLOCK_REALTIME) (the vDSO), clock_gettime() on the
 * unified PHC and PTP_SYS_OFFSET_PRECISE on it.  Each for about a second,
 * the fastest of three runs; prints ns per read and the ratios, one TAP
 * comment each, and checks the library's targets.
 *
 *   bench_read /dev/ptpN
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/ptp_clock.h>

#include "vmclock/time.h"

#define FD_CLOCKID(fd)	((clockid_t)((((unsigned int)~(fd)) << 3) | 3))

static struct vmclock_time vt;
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

/* ns per call of fn: the fastest of three runs of about 0.3 s each. */
static double cost(int (*fn)(void), long *failed)
{
	double best = 0;
	long long t0, t;
	long n;
	int run;

	*failed = 0;
	for (run = 0; run < 3; run++) {
		t0 = mono_ns();
		n = 0;
		do {
			int i;

			for (i = 0; i < 100; i++)
				*failed += fn() != 0;
			n += 100;
			t = mono_ns();
		} while (t - t0 < 300000000LL);
		if (!run || (double)(t - t0) / n < best)
			best = (double)(t - t0) / n;
	}
	return best;
}

int main(int argc, char *argv[])
{
	double rt, vm, ph, pr;
	long f_rt, f_vm, f_ph, f_pr;
	int bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_read /dev/ptpN\n");
		return 2;
	}
	phc = open(argv[1], O_RDONLY);
	if (phc < 0 || vmclock_open(&vt)) {
		perror("bench_read");
		return 1;
	}
	rt = cost(read_realtime, &f_rt);
	vm = cost(read_vmclock, &f_vm);
	ph = cost(read_phc, &f_ph);
	pr = cost(read_precise, &f_pr);
	printf("1..2\n");
	printf("# clock_gettime(CLOCK_REALTIME)     %8.1f ns\n", rt);
	printf("# vmclock_now()                     %8.1f ns  %.2f x CLOCK_REALTIME\n",
	       vm, vm / rt);
	printf("# clock_gettime(unified PHC)        %8.1f ns  %.1f x vmclock_now()\n",
	       ph, ph / vm);
	printf("# PTP_SYS_OFFSET_PRECISE (unified)  %8.1f ns  %.1f x vmclock_now()\n",
	       pr, pr / vm);
	printf("# failed reads: %ld %ld %ld %ld\n", f_rt, f_vm, f_ph, f_pr);
	if (vm > 2 * rt || f_vm)
		bad |= 1;
	printf("%sok 1 vmclock_now() within 2 x clock_gettime(CLOCK_REALTIME)\n",
	       bad & 1 ? "not " : "");
	if (ph < 10 * vm)
		bad |= 2;
	printf("%sok 2 vmclock_now() at least 10 x cheaper than the PHC read\n",
	       bad & 2 ? "not " : "");
	vmclock_close(&vt);
	return bad ? 1 : 0;
}

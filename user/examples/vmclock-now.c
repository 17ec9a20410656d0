// SPDX-License-Identifier: GPL-2.0
/*
 * vmclock-now: print the unified clock's time and bound, read through
 * <vmclock/time.h> without a system call.  Build with
 *	cc -o vmclock-now vmclock-now.c $(pkg-config --cflags vmclock-time)
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <vmclock/time.h>

int main(void)
{
	static const char *const names[] = {
		"unsynchronized", "synchronized", "holdover", "disrupted",
	};
	struct vmclock_time vt;
	unsigned int status;
	uint64_t bound;
	int64_t now;
	time_t sec;
	char buf[32];
	int err;

	err = vmclock_open(&vt);
	if (err) {
		fprintf(stderr, "vmclock-now: %s: %s\n", VMCLOCK_TIME_DEVICE,
			strerror(-err));
		return 1;
	}
	err = vmclock_now(&vt, &now, &bound, &status);
	if (err) {
		fprintf(stderr, "vmclock-now: %s\n",
			err == -ENODEV ? "vmclock was unloaded" :
			"the unified clock is not synchronized");
		return 1;
	}
	sec = now / 1000000000;
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", gmtime(&sec));
	printf("%s.%09" PRId64 "Z +/- %" PRIu64 " ns (%s)\n", buf,
	       now % 1000000000, bound,
	       status < 4 ? names[status] : "unknown");
	vmclock_close(&vt);
	return 0;
}

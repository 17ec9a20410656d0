// SPDX-License-Identifier: GPL-2.0
/*
 * bench_probe: CLOCK_REALTIME against the simulator's truth, for "make
 * bench-vm" (selftests/vm/bench/bench.sh).
 *
 *   bench_probe reset
 *	CLOCK_REALTIME set to the truth, the kernel's frequency to 0, the
 *	clock marked unsynchronized: every tool starts from the same state.
 *   bench_probe measure SECS EVENT_AT PATH VALUE
 *	Every 100 ms for SECS seconds: CLOCK_REALTIME - truth at one raw
 *	instant, and what adjtimex says (STA_UNSYNC, maxerror).  At EVENT_AT
 *	seconds (negative: never) VALUE is written to PATH (a simulator
 *	file).  Prints one line:
 *	rms_ns max_ns recover_s claimed covered probes
 *	recover_s: from the event until the error is under 10 us for good:
 *	the time of the last probe at 10 us or more, plus a probe interval
 *	(0 when none; "never" when it was still there in the last second;
 *	"none" without an event).  claimed: probes at which
 *	STA_UNSYNC was clear, so that maxerror was a claim; covered: those
 *	at which maxerror covered the error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

#define NS 1000000000LL
#define RECOVERED_NS 10000LL

static long long clock_ns(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return t.tv_sec * NS + t.tv_nsec;
}

static int write_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	close(fd);
	return n < 0 ? -errno : 0;
}

/*
 * Whatever the last tool left: a phase offset being slewed (cleared only
 * in PLL mode), a frequency, a tick length (chronyd sets it for large
 * corrections).
 */
static int reset(int tfd)
{
	struct timex pll = { .modes = ADJ_STATUS | ADJ_OFFSET, .status = STA_PLL };
	struct timex tx = { .modes = ADJ_FREQUENCY | ADJ_STATUS | ADJ_TICK |
				     ADJ_MAXERROR | ADJ_ESTERROR,
			    .status = STA_UNSYNC, .maxerror = 16000000,
			    .esterror = 16000000 };
	long long raw, t;
	struct timespec ts;

	tx.tick = 1000000 / sysconf(_SC_CLK_TCK);
	if (adjtimex(&pll) < 0 || adjtimex(&tx) < 0)
		return -errno;
	raw = clock_ns(CLOCK_MONOTONIC_RAW);
	t = sim_truth_at(tfd, raw + 1000000);
	if (t < 0)
		return -EIO;
	while (clock_ns(CLOCK_MONOTONIC_RAW) < raw + 1000000)
		;
	ts.tv_sec = t / NS;
	ts.tv_nsec = t % NS;
	return clock_settime(CLOCK_REALTIME, &ts) ? -errno : 0;
}

static int measure(int tfd, double secs, double event_at, const char *path,
		   const char *value)
{
	long long start = clock_ns(CLOCK_MONOTONIC), now, err;
	long long max = 0, event_ns = -1, last_bad = -1;
	long claimed = 0, covered = 0, n = 0;
	double sum2 = 0;
	struct timex tx;

	for (;;) {
		now = clock_ns(CLOCK_MONOTONIC) - start;
		if (now >= secs * NS)
			break;
		if (event_at >= 0 && event_ns < 0 && now >= event_at * NS) {
			if (write_file(path, value)) {
				fprintf(stderr, "bench_probe: cannot write %s to %s\n",
					value, path);
				return 1;
			}
			event_ns = now;
		}
		err = realtime_minus_truth(tfd, NULL);
		memset(&tx, 0, sizeof(tx));
		adjtimex(&tx);
		n++;
		sum2 += (double)err * err;
		if (llabs(err) > max)
			max = llabs(err);
		if (!(tx.status & STA_UNSYNC)) {
			claimed++;
			covered += tx.maxerror * 1000LL >= llabs(err);
		}
		/* the last probe after the event at 10 us or more */
		if (event_ns >= 0 && llabs(err) >= RECOVERED_NS)
			last_bad = now;
		usleep(100000);
	}
	printf("%.0f %lld ", sqrt(sum2 / n), max);
	if (event_at < 0)
		printf("none");
	else if (last_bad >= 0 && now - last_bad < NS)
		printf("never");
	else
		printf("%.1f", last_bad < 0 ? 0 : (last_bad - event_ns) / 1e9 + 0.1);
	printf(" %ld %ld %ld\n", claimed, covered, n);
	return 0;
}

int main(int argc, char *argv[])
{
	int tfd = open(SIM_DIR "/truth", O_RDWR);

	if (tfd < 0) {
		perror("bench_probe: " SIM_DIR "/truth");
		return 1;
	}
	if (argc == 2 && !strcmp(argv[1], "reset"))
		return reset(tfd) ? 1 : 0;
	if (argc == 6 && !strcmp(argv[1], "measure"))
		return measure(tfd, atof(argv[2]), atof(argv[3]), argv[4],
			       argv[5]);
	fprintf(stderr, "usage: bench_probe reset | measure SECS EVENT_AT PATH VALUE\n");
	return 2;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the stress programs: latency figures, random numbers, and
 * readers of the unified clock that check it never goes back.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/ptp_clock.h>

#include "stress.h"
#include "testlib.h"

void lat_add(struct lat *l, double s)
{
	l->n++;
	l->sum += s;
	if (s > l->max) {
		l->max = s;
		l->at = now_s();
	}
}

void lat_merge(struct lat *to, const struct lat *from)
{
	to->n += from->n;
	to->sum += from->sum;
	if (from->max > to->max) {
		to->max = from->max;
		to->at = from->at;
	}
}

double lat_mean(const struct lat *l)
{
	return l->n ? l->sum / l->n : 0;
}

uint64_t rnd_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void *ticker_main(void *arg)
{
	struct ticker *t = arg;
	double t0;

	while (!*t->stop) {
		t0 = now_s();
		usleep(10000);
		lat_add(&t->late, now_s() - t0 - 0.01);
	}
	return NULL;
}

int ticker_start(struct ticker *t)
{
	return pthread_create(&t->thread, NULL, ticker_main, t);
}

void ticker_join(struct ticker *t)
{
	pthread_join(t->thread, NULL);
}

void log_vmclock(void)
{
	fflush(stdout);
	if (system("{ vmclockctl status; vmclockctl sources; } 2>&1 | sed 's/^/#   /'"))
		printf("#   vmclockctl failed\n");
	fflush(stdout);
}

#define VMCLOCK_SYSFS "/sys/kernel/vmclock"

bool wait_status(const char *want, double timeout)
{
	double end = now_s() + timeout;
	char buf[32];

	for (;;) {
		if (!read_line(VMCLOCK_SYSFS "/status", buf, sizeof(buf)) &&
		    !strcmp(buf, want))
			return true;
		if (now_s() > end)
			return false;
		usleep(100000);
	}
}

static const char * const global_files[] = {
	"status", "phc", "offset_ns", "error_bound_ns", "freq_ppb", "selected",
};

static const char * const source_files[] = {
	"clock_name", "profile", "phc", "state", "poll_ms", "host_error_ns",
	"weight", "enabled", "reads", "samples", "errors", "last_error",
	"delay_ns", "delay_min_ns", "offset_ns", "freq_ppb", "jitter_ns",
	"error_bound_ns", "selected",
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A whole small file; its length, or -errno. */
static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY), n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return n;
}

/*
 * A file of a source listed now, picked at random; sources come and go
 * meanwhile, so its directory vanishing (ENOENT, ENODEV) is no error.
 */
static void read_source_file(struct reader *r, uint64_t *rs)
{
	char path[320], buf[128];
	struct dirent *e;
	int n = 0, pick, err;
	DIR *d;

	d = opendir(VMCLOCK_SYSFS "/sources");
	if (!d) {
		r->sysfs_errors++;
		snprintf(r->sysfs_what, sizeof(r->sysfs_what),
			 "opendir sources: %s", strerror(errno));
		return;
	}
	pick = rnd_next(rs) % 8;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), VMCLOCK_SYSFS "/sources/%s/%s",
			 e->d_name,
			 source_files[rnd_next(rs) % ARRAY_LEN(source_files)]);
		if (n++ == pick)
			break;
	}
	closedir(d);
	if (!n)
		return;
	err = read_file(path, buf, sizeof(buf));
	r->sysfs_reads++;
	if (err == -ENOENT || err == -ENODEV)
		r->sysfs_gone++;
	else if (err <= 0) {
		r->sysfs_errors++;
		snprintf(r->sysfs_what, sizeof(r->sysfs_what), "%s: %s", path,
			 err ? strerror(-err) : "empty");
	}
}

static void read_sysfs(struct reader *r, uint64_t *rs, unsigned long k)
{
	char path[96], buf[256];
	double t = now_s();
	int err;

	if (k % 3 == 0) {
		read_source_file(r, rs);
	} else {
		snprintf(path, sizeof(path), VMCLOCK_SYSFS "/%s",
			 global_files[rnd_next(rs) % ARRAY_LEN(global_files)]);
		err = read_file(path, buf, sizeof(buf));
		r->sysfs_reads++;
		if (err <= 0) {
			r->sysfs_errors++;
			snprintf(r->sysfs_what, sizeof(r->sysfs_what), "%s: %s",
				 path, err ? strerror(-err) : "empty");
		}
	}
	lat_add(&r->lat_sysfs, now_s() - t);
}

/* One read of kind k; 0 and the time in *ns, or -errno. */
static int read_clock(int fd, enum read_kind k, long long *ns)
{
	struct ptp_sys_offset_precise p;
	struct timespec ts;

	if (k == READ_GETTIME) {
		if (clock_gettime(FD_TO_CLOCKID(fd), &ts))
			return -errno;
		*ns = ts.tv_sec * 1000000000LL + ts.tv_nsec;
		return 0;
	}
	memset(&p, 0, sizeof(p));
	if (ioctl(fd, PTP_SYS_OFFSET_PRECISE, &p))
		return -errno;
	*ns = p.device.sec * 1000000000LL + p.device.nsec;
	return 0;
}

static const char * const kind_name[] = { "clock_gettime", "PRECISE" };

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	uint64_t rs = 0x5eed0000ULL + r->index;
	long long last = 0, ns = 0;
	enum read_kind k, last_kind = READ_GETTIME;
	unsigned long i;
	bool have = false;
	char path[32];
	double t;
	int fd, err;

	snprintf(path, sizeof(path), "/dev/ptp%d", r->phc);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		r->open_errno = errno;
		return NULL;
	}
	for (i = 0; !*r->stop; i++) {
		k = i % 2 ? READ_PRECISE : READ_GETTIME;
		t = now_s();
		err = read_clock(fd, k, &ns);
		t = now_s() - t;
		if (err == -EAGAIN) {
			r->eagain++;
		} else if (err) {
			r->errors++;
			r->last_errno = -err;
		} else {
			r->ok[k]++;
			lat_add(&r->lat[k], t);
			if (have && ns < last) {
				r->backwards++;
				if (last - ns > r->worst_back_ns) {
					r->worst_back_ns = last - ns;
					snprintf(r->back_what, sizeof(r->back_what),
						 "%s %lld after %s %lld (%lld ns back, read %lu)",
						 kind_name[k], ns, kind_name[last_kind],
						 last, last - ns, i);
				}
			}
			have = true;
			last = ns;
			last_kind = k;
		}
		if (r->sysfs && i % 8 == 7)
			read_sysfs(r, &rs, i / 8);
	}
	close(fd);
	return NULL;
}

int reader_start(struct reader *r)
{
	return pthread_create(&r->thread, NULL, reader_main, r);
}

void reader_join(struct reader *r)
{
	pthread_join(r->thread, NULL);
}

void reader_sum(const struct reader *r, int n, struct reader *sum)
{
	int i, k;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < n; i++) {
		for (k = 0; k < READ_KINDS; k++) {
			sum->ok[k] += r[i].ok[k];
			lat_merge(&sum->lat[k], &r[i].lat[k]);
		}
		sum->eagain += r[i].eagain;
		sum->errors += r[i].errors;
		if (r[i].errors)
			sum->last_errno = r[i].last_errno;
		if (r[i].open_errno)
			sum->open_errno = r[i].open_errno;
		sum->backwards += r[i].backwards;
		if (r[i].worst_back_ns > sum->worst_back_ns) {
			sum->worst_back_ns = r[i].worst_back_ns;
			snprintf(sum->back_what, sizeof(sum->back_what),
				 "reader %d: %s", i, r[i].back_what);
		}
		sum->sysfs_reads += r[i].sysfs_reads;
		sum->sysfs_gone += r[i].sysfs_gone;
		sum->sysfs_errors += r[i].sysfs_errors;
		if (r[i].sysfs_errors)
			snprintf(sum->sysfs_what, sizeof(sum->sysfs_what),
				 "reader %d: %s", i, r[i].sysfs_what);
		lat_merge(&sum->lat_sysfs, &r[i].lat_sysfs);
	}
}

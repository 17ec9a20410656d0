// SPDX-License-Identifier: GPL-2.0
/*
 * vmclockctl sync: discipline CLOCK_REALTIME to the unified clock.
 *
 * The unified clock is a linear function of CLOCK_MONOTONIC_RAW, and
 * PTP_SYS_OFFSET_PRECISE on it returns the unified time, CLOCK_REALTIME
 * and the raw time of one instant: the offset of the system clock is
 * measured with no read noise.  The module also publishes the unified
 * clock's rate against the raw clock (freq_ppb), which is what the system
 * clock's rate against the raw clock must be.  So the correction needs no
 * loop filter to learn a frequency: each update sets the kernel's
 * frequency to that rate, plus the rate that removes the measured offset
 * over one update interval, and the remainder is whatever changed in one
 * interval.  Large offsets are stepped (ADJ_SETOFFSET), but only in the
 * first updates after start and after a disruption of the unified clock,
 * as chrony's makestep: a step later would surprise the programs running.
 *
 * maxerror and esterror say how far the system clock may be from UTC: the
 * unified bound plus the offset just measured (the kernel then adds its
 * 500 us per second until the next update), and STA_UNSYNC is clear only
 * while the unified clock is synchronized.  Module events (status changes)
 * trigger an update at once; otherwise one runs every poll interval.
 * The kernel's TAI offset follows the one the vmclock device gives.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include <linux/ptp_clock.h>

#include "vmclockctl.h"
#include "vmclock/time.h"

#define SYNC_CONFIG	"/etc/vmclock/sync.conf"
#define SYSFS		"/sys/kernel/vmclock/"
#define NS_PER_S	1000000000LL
/* The kernel's limit on the frequency offset (MAXFREQ), ppb. */
#define MAX_FREQ_PPB	500000LL
/* maxerror the kernel gives up at (NTP_PHASE_LIMIT), us. */
#define MAXERROR_LIMIT_US	16000000L

/*
 * How long a ClockBound reader may trust a bound: the module's estimate
 * holds this long after its last update (EST_HORIZON_NS).
 */
#define CLOCKBOUND_VALID_NS	(16 * NS_PER_S)

/* Exit status of --once when the clock is not synchronized. */
#define EXIT_UNSYNC	3

/* FD_TO_CLOCKID as the kernel's posix-clock code expects it */
#define FD_CLOCKID(fd)	((clockid_t)((((unsigned int)~(fd)) << 3) | 3))

struct sync_config {
	char device[256];	/* empty: the unified clock's /dev/ptpN */
	uint64_t poll_ms;
	uint64_t tc_ms;		/* the offset is removed over this, 0: poll_ms */
	uint64_t step_threshold_us;
	int64_t step_limit;	/* updates after start that may step; -1: all */
	char clockbound[256];	/* the ClockBound segment, empty: none */
	bool force;
	bool once;
};

static const struct sync_config sync_defaults = {
	.device = "",
	.poll_ms = 1000,
	.step_threshold_us = 100000,
	.step_limit = 3,
};

struct sync_state {
	struct sync_config cfg;
	int fd;			/* the unified clock, -1 while not open */
	unsigned int status;	/* of the unified clock, as last read */
	bool have_status;
	bool synced;		/* STA_UNSYNC cleared by us */
	bool marked;		/* the system clock marked at least once */
	int64_t updates_left;	/* that may step; -1: no limit */
	uint64_t steps;
	struct clockbound *cb;
	struct vmclock_time vt;	/* the unified clock's bound growth */
	bool measured;		/* the last update measured the offset: */
	int64_t off;		/* CLOCK_REALTIME - unified after it, ns */
	int64_t bound;		/* the unified bound then, ns */
};

static volatile sig_atomic_t sync_stop;

static void sync_signal(int sig)
{
	(void)sig;
	sync_stop = 1;
}

static void __attribute__((format(printf, 1, 2))) sync_log(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG_NAME " sync: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- configuration ---- */

enum sync_key {
	KEY_DEVICE, KEY_POLL, KEY_TC, KEY_STEP_THRESHOLD, KEY_STEP_LIMIT,
	KEY_CLOCKBOUND, KEY_NR
};

static const char *const sync_keys[KEY_NR] = {
	[KEY_DEVICE] = "device",
	[KEY_POLL] = "poll-ms",
	[KEY_TC] = "time-constant-ms",
	[KEY_STEP_THRESHOLD] = "step-threshold-us",
	[KEY_STEP_LIMIT] = "step-limit",
	[KEY_CLOCKBOUND] = "clockbound",
};

/*
 * Set key to value; what names where the value came from in messages
 * ("--poll-ms", "sync.conf:3: poll-ms").  0, or -EINVAL with the error
 * said.
 */
static int sync_set(struct sync_config *c, enum sync_key key, const char *value,
		    const char *what)
{
	uint64_t v;
	int err = 0;

	switch (key) {
	case KEY_DEVICE:
		if (!strcmp(value, "auto")) {
			c->device[0] = '\0';
			return 0;
		}
		if (!*value || strlen(value) >= sizeof(c->device)) {
			err_msg("%s: '%s' is not a device path", what, value);
			return -EINVAL;
		}
		strcpy(c->device, value);
		return 0;
	case KEY_CLOCKBOUND:
		if (!strcmp(value, "off")) {
			c->clockbound[0] = '\0';
			return 0;
		}
		if (value[0] != '/' || strlen(value) >= sizeof(c->clockbound)) {
			err_msg("%s: '%s' is not an absolute path or off", what,
				value);
			return -EINVAL;
		}
		strcpy(c->clockbound, value);
		return 0;
	case KEY_POLL:
		err = parse_number(what, value, "a number of milliseconds",
				   100, 64000, &c->poll_ms);
		break;
	case KEY_TC:
		if (!strcmp(value, "poll")) {
			c->tc_ms = 0;
			return 0;
		}
		err = parse_number(what, value, "a number of milliseconds",
				   100, 1000000, &c->tc_ms);
		break;
	case KEY_STEP_THRESHOLD:
		err = parse_number(what, value, "a number of microseconds",
				   1, UINT32_MAX, &c->step_threshold_us);
		break;
	case KEY_STEP_LIMIT:
		if (!strcmp(value, "-1")) {
			c->step_limit = -1;
			return 0;
		}
		err = parse_number(what, value, "a number of updates or -1",
				   0, INT32_MAX, &v);
		if (!err)
			c->step_limit = (int64_t)v;
		break;
	default:
		return -EINVAL;
	}
	return err ? -EINVAL : 0;
}

static int sync_key_find(const char *name)
{
	int i;

	for (i = 0; i < KEY_NR; i++)
		if (!strcmp(name, sync_keys[i]))
			return i;
	return -1;
}

/*
 * Read a configuration file: "KEY VALUE" or "KEY = VALUE" per line, '#'
 * starts a comment.  A missing file is no error when it is the default
 * one.  0, or -errno with the error said, naming the line.
 */
static int sync_config_read(struct sync_config *c, const char *path,
			    bool must_exist)
{
	char line[512], where[300];
	unsigned int n = 0;
	int err = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT && !must_exist)
			return 0;
		err = -errno;
		err_msg("sync: cannot read %s: %s", path, strerror(errno));
		return err;
	}
	while (!err && fgets(line, sizeof(line), f)) {
		char *p = line, *key, *value, *end;
		int k;

		n++;
		if (!strchr(line, '\n') && !feof(f)) {
			err_msg("%s:%u: line too long", path, n);
			err = -EINVAL;
			break;
		}
		p[strcspn(p, "#\n")] = '\0';
		key = p + strspn(p, " \t");
		if (!*key)
			continue;
		end = key + strcspn(key, " \t=");
		value = end + strspn(end, " \t");
		if (*value == '=')
			value += 1 + strspn(value + 1, " \t");
		*end = '\0';
		end = value + strlen(value);
		while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		k = sync_key_find(key);
		if (k < 0) {
			err_msg("%s:%u: unknown key '%s' (keys: device, poll-ms, time-constant-ms, step-threshold-us, step-limit, clockbound)",
				path, n, key);
			err = -EINVAL;
		} else if (!*value) {
			err_msg("%s:%u: %s needs a value", path, n, key);
			err = -EINVAL;
		} else {
			snprintf(where, sizeof(where), "%s:%u: %s", path, n, key);
			err = sync_set(c, k, value, where);
		}
	}
	fclose(f);
	return err;
}

/* The time constant in force: the poll interval unless set. */
static uint64_t sync_tc_ms(const struct sync_config *c)
{
	return c->tc_ms ? c->tc_ms : c->poll_ms;
}

static void sync_config_print(const struct sync_config *c)
{
	printf("# vmclockctl sync, effective configuration\n");
	printf("%s %s\n", sync_keys[KEY_DEVICE],
	       c->device[0] ? c->device : "auto");
	printf("%s %" PRIu64 "\n", sync_keys[KEY_POLL], c->poll_ms);
	if (c->tc_ms)
		printf("%s %" PRIu64 "\n", sync_keys[KEY_TC], c->tc_ms);
	else
		printf("%s poll\n", sync_keys[KEY_TC]);
	printf("%s %" PRIu64 "\n", sync_keys[KEY_STEP_THRESHOLD],
	       c->step_threshold_us);
	printf("%s %" PRId64 "\n", sync_keys[KEY_STEP_LIMIT], c->step_limit);
	printf("%s %s\n", sync_keys[KEY_CLOCKBOUND],
	       c->clockbound[0] ? c->clockbound : "off");
}

/* ---- other disciplines ---- */

/* Whether process pid was started with the argument arg. */
static bool sync_proc_has_arg(long pid, const char *arg)
{
	char path[64], cmd[4096];
	size_t i, n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(cmd, 1, sizeof(cmd) - 1, f);
	fclose(f);
	cmd[n] = '\0';
	/* NUL-separated, the program first */
	for (i = strlen(cmd) + 1; i < n; i += strlen(cmd + i) + 1)
		if (!strcmp(cmd + i, arg))
			return true;
	return false;
}

/*
 * A process that steers the system clock, other than this one: its name
 * and pid into name/pid.
 */
static bool sync_other_discipline(char *name, size_t len, long *pid)
{
	static const char *const names[] = {
		"chronyd", "ntpd", "systemd-timesyn", "phc2sys", "ptp4l",
		"openntpd", "ntpdate",
	};
	const size_t nnames = sizeof(names) / sizeof(names[0]);
	char path[64], comm[32];
	struct dirent *e;
	bool found = false;
	size_t i;
	DIR *d;

	d = opendir("/proc");
	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		char *end;
		long p = strtol(e->d_name, &end, 10);

		if (*end || p <= 0 || p == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/comm", p);
		if (read_line(path, comm, sizeof(comm)))
			continue;
		for (i = 0; i < nnames && strcmp(comm, names[i]); i++)
			;
		if (i == nnames)
			continue;
		/* chronyd -x leaves the clock alone */
		if (!strcmp(comm, "chronyd") && sync_proc_has_arg(p, "-x"))
			continue;
		/* ptp4l steers the system clock only with -S */
		if (!strcmp(comm, "ptp4l") && !sync_proc_has_arg(p, "-S"))
			continue;
		snprintf(name, len, "%s", comm);
		*pid = p;
		found = true;
	}
	closedir(d);
	return found;
}

/* ---- the unified clock ---- */

static int sync_open(struct sync_state *s)
{
	char path[300], phc[32];

	if (s->fd >= 0)
		return 0;
	if (s->cfg.device[0]) {
		snprintf(path, sizeof(path), "%s", s->cfg.device);
	} else {
		if (read_line(SYSFS "phc", phc, sizeof(phc)))
			return -ENOENT;
		snprintf(path, sizeof(path), "/dev/%s", phc);
	}
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	return s->fd < 0 ? -errno : 0;
}

static void sync_close(struct sync_state *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static int64_t ts_ns(const struct ptp_clock_time *t)
{
	return t->sec * NS_PER_S + t->nsec;
}

/* CLOCK_REALTIME minus the unified clock at one instant, ns. */
static int sync_measure(struct sync_state *s, int64_t *offset)
{
	struct ptp_sys_offset_precise p;

	memset(&p, 0, sizeof(p));
	if (ioctl(s->fd, PTP_SYS_OFFSET_PRECISE, &p))
		return -errno;
	*offset = ts_ns(&p.sys_realtime) - ts_ns(&p.device);
	return 0;
}

/* A signed decimal from sysfs, or -ENODATA for "unknown". */
static int sync_sysfs_s64(const char *name, int64_t *v)
{
	char path[128], buf[64], *end;

	snprintf(path, sizeof(path), SYSFS "%s", name);
	if (read_line(path, buf, sizeof(buf)))
		return -ENOENT;
	errno = 0;
	*v = strtoll(buf, &end, 10);
	return errno || end == buf || *end ? -ENODATA : 0;
}

static int sync_read_status(unsigned int *status)
{
	char buf[32];
	unsigned int i;

	if (read_line(SYSFS "status", buf, sizeof(buf)))
		return -ENOENT;
	for (i = 0; i <= VMCLOCK_STATUS_MAX; i++)
		if (!strcmp(buf, status_name(i))) {
			*status = i;
			return 0;
		}
	return -EINVAL;
}

/* ---- the system clock ---- */

static int sync_adjtime(struct timex *tx)
{
	return clock_adjtime(CLOCK_REALTIME, tx) < 0 ? -errno : 0;
}

/*
 * Mark the system clock: synchronized with maxerror/esterror (us), or
 * not (STA_UNSYNC, maxerror at the kernel's limit).  The kernel's PLL
 * and FLL modes stay off: the frequency is set directly.
 */
static int sync_mark(bool synced, int64_t maxerr_ns, int64_t esterr_ns)
{
	struct timex tx = { 0 };
	int err;

	err = sync_adjtime(&tx);
	if (err)
		return err;
	tx.modes = ADJ_STATUS | ADJ_MAXERROR | ADJ_ESTERROR;
	tx.status &= ~(STA_UNSYNC | STA_PLL | STA_FLL | STA_PPSFREQ |
		       STA_PPSTIME);
	if (synced) {
		tx.maxerror = (long)((maxerr_ns + 999) / 1000);
		tx.esterror = (long)((esterr_ns + 999) / 1000);
		if (tx.maxerror > MAXERROR_LIMIT_US)
			tx.maxerror = MAXERROR_LIMIT_US;
		if (tx.esterror > MAXERROR_LIMIT_US)
			tx.esterror = MAXERROR_LIMIT_US;
	} else {
		tx.status |= STA_UNSYNC;
		tx.maxerror = MAXERROR_LIMIT_US;
		tx.esterror = MAXERROR_LIMIT_US;
	}
	return sync_adjtime(&tx);
}

static int sync_set_freq(int64_t ppb)
{
	struct timex tx = { .modes = ADJ_FREQUENCY };

	if (ppb > MAX_FREQ_PPB)
		ppb = MAX_FREQ_PPB;
	if (ppb < -MAX_FREQ_PPB)
		ppb = -MAX_FREQ_PPB;
	/* ppm with a 16-bit fraction */
	tx.freq = (long)(ppb * 65536 / 1000);
	return sync_adjtime(&tx);
}

static int sync_step(int64_t ns)
{
	struct timex tx = { .modes = ADJ_SETOFFSET | ADJ_NANO };
	int64_t sec = ns / NS_PER_S, rem = ns % NS_PER_S;

	if (rem < 0) {
		rem += NS_PER_S;
		sec--;
	}
	tx.time.tv_sec = sec;
	tx.time.tv_usec = rem;	/* nanoseconds with ADJ_NANO */
	return sync_adjtime(&tx);
}

/*
 * A phase offset left in the kernel by a previous NTP daemon is still
 * slewed away, PLL or not: set it to zero, which only the PLL mode takes.
 */
static int sync_reset_offset(void)
{
	struct timex tx = { 0 };
	int err = sync_adjtime(&tx);

	if (err)
		return err;
	tx.modes = ADJ_STATUS | ADJ_OFFSET;
	tx.status |= STA_PLL;
	tx.offset = 0;
	return sync_adjtime(&tx);
}

/*
 * The kernel's TAI offset from the one the vmclock device's page gives
 * (/sys/kernel/vmclock/tai_offset), when it gives one and the kernel's
 * differs.
 */
static int sync_tai(void)
{
	struct timex tx = { 0 };
	int64_t tai;
	int err;

	if (sync_sysfs_s64("tai_offset", &tai) || tai < 0 || tai > 1000)
		return 0;
	err = sync_adjtime(&tx);
	if (err || tx.tai == tai)
		return err;
	tx.modes = ADJ_TAI;
	tx.constant = (long)tai;
	err = sync_adjtime(&tx);
	if (!err)
		sync_log("TAI offset set to %" PRId64 " s", tai);
	return err;
}

/* The old adjtime(): the kernel slews the offset away at 500 ppm. */
static int sync_slew_once(int64_t ns)
{
	struct timex tx = { .modes = ADJ_OFFSET_SINGLESHOT };

	if (ns > 500000000LL)
		ns = 500000000LL;
	if (ns < -500000000LL)
		ns = -500000000LL;
	tx.offset = (long)(ns / 1000);
	return sync_adjtime(&tx);
}

/* ---- updates ---- */

static const char *sync_fmt_ns(char *buf, size_t len, int64_t ns)
{
	double a = (double)llabs(ns);

	if (a < 1e3)
		snprintf(buf, len, "%" PRId64 " ns", ns);
	else if (a < 1e6)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else if (a < 1e9)
		snprintf(buf, len, "%.3f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.6f s", ns / 1e9);
	return buf;
}

/* The system clock is not synchronized: say so once, and mark it. */
static int sync_lost(struct sync_state *s, const char *why)
{
	if (s->synced || !s->marked)
		sync_log("system clock unsynchronized: %s", why);
	s->synced = false;
	s->marked = true;
	return sync_mark(false, 0, 0);
}

/*
 * One update: measure, step or steer, mark.  0 when the system clock is
 * now synchronized, 1 when it is not, -errno on a failure to adjust it.
 */
static int sync_adjust(struct sync_state *s)
{
	unsigned int status, prev = s->status;
	bool had = s->have_status;
	int64_t off = 0, freq = 0, bound = 0, step_ns, ppb;
	char a[32], b[32];
	int err;

	s->measured = false;
	err = sync_read_status(&status);
	if (err) {
		sync_close(s);
		err = sync_lost(s, "vmclock is not loaded");
		s->have_status = false;
		return err ? err : 1;
	}
	s->status = status;
	s->have_status = true;
	if (!had || prev != status)
		sync_log("unified clock %s", status_name(status));
	/* After a disruption, the first updates may step again. */
	if (status == VMCLOCK_STATUS_DISRUPTED && s->cfg.step_limit >= 0)
		s->updates_left = s->cfg.step_limit;

	if (status != VMCLOCK_STATUS_SYNCHRONIZED &&
	    status != VMCLOCK_STATUS_HOLDOVER) {
		err = sync_lost(s, status_name(status));
		return err ? err : 1;
	}
	err = sync_open(s);
	if (!err)
		err = sync_measure(s, &off);
	if (!err)
		err = sync_sysfs_s64("freq_ppb", &freq);
	if (!err)
		err = sync_sysfs_s64("error_bound_ns", &bound);
	if (err) {
		if (err == -ENODEV || err == -EBADF)
			sync_close(s);
		err = sync_lost(s, "the unified clock cannot be read");
		return err ? err : 1;
	}

	step_ns = (int64_t)s->cfg.step_threshold_us * 1000;
	if ((off > step_ns || off < -step_ns) && s->updates_left) {
		err = sync_step(-off);
		if (err)
			return err;
		s->steps++;
		sync_log("stepped the system clock by %s",
			 sync_fmt_ns(a, sizeof(a), -off));
		off = 0;
		if (!s->cfg.once)
			err = sync_set_freq(freq);
	} else if (s->cfg.once) {
		err = sync_set_freq(freq);
		if (!err)
			err = sync_slew_once(-off);
	} else {
		/* Away from the offset over the time constant, at most 500 ppm. */
		ppb = freq - off * 1000 / (int64_t)sync_tc_ms(&s->cfg);
		err = sync_set_freq(ppb);
	}
	if (err)
		return err;
	if (s->updates_left > 0)
		s->updates_left--;
	s->measured = true;
	s->off = off;
	s->bound = bound;

	if (status != VMCLOCK_STATUS_SYNCHRONIZED) {
		err = sync_lost(s, "the unified clock is in holdover");
		return err ? err : 1;
	}
	err = sync_mark(true, bound + llabs(off), llabs(off));
	if (!err)
		err = sync_tai();
	if (err)
		return err;
	if (!s->synced)
		sync_log("system clock synchronized: offset %s, bound %s",
			 sync_fmt_ns(a, sizeof(a), off),
			 sync_fmt_ns(b, sizeof(b), bound + llabs(off)));
	s->synced = true;
	s->marked = true;
	return 0;
}

/* How fast the unified bound grows, ppb (rounded up), from its page. */
static uint64_t sync_growth_ppb(struct sync_state *s)
{
	if (s->vt.page && s->vt.page->status == VMCLOCK_TIME_STATUS_GONE)
		vmclock_close(&s->vt);
	if (!s->vt.page && vmclock_open(&s->vt))
		return 0;
	return (uint64_t)(((unsigned __int128)s->vt.page->bound_growth *
			   NS_PER_S) >> VMCLOCK_TIME_FREQ_SHIFT) + 1;
}

/*
 * The ClockBound segment after an update that returned rc: the bound of
 * CLOCK_REALTIME (the unified bound plus the offset just measured) and
 * how fast it may grow until the next update (the unified bound's growth
 * plus the rate at which the offset is being removed), with the status
 * in ClockBound's terms and the vmclock device's disruption marker.
 */
static void sync_clockbound(struct sync_state *s, int rc)
{
	int status = CLOCKBOUND_STATUS_UNKNOWN;
	uint64_t drift = 0, marker = 0;
	char buf[32], *end;
	bool with_marker;

	if (rc >= 0 && s->have_status && s->measured) {
		if (s->status == VMCLOCK_STATUS_SYNCHRONIZED && !rc)
			status = CLOCKBOUND_STATUS_SYNCHRONIZED;
		else if (s->status == VMCLOCK_STATUS_HOLDOVER)
			status = CLOCKBOUND_STATUS_FREE_RUNNING;
		drift = sync_growth_ppb(s) +
			(uint64_t)llabs(s->off) * 1000 / sync_tc_ms(&s->cfg);
	} else if (s->have_status && s->status == VMCLOCK_STATUS_DISRUPTED) {
		status = CLOCKBOUND_STATUS_DISRUPTED;
	}
	with_marker = !read_line(SYSFS "hv_marker", buf, sizeof(buf)) &&
		      !strncmp(buf, "0x", 2);
	if (with_marker) {
		marker = strtoull(buf, &end, 16);
		with_marker = !*end;
	}
	clockbound_write(s->cb, status == CLOCKBOUND_STATUS_UNKNOWN ? 0 :
			 s->bound + llabs(s->off),
			 drift > UINT32_MAX ? UINT32_MAX : (uint32_t)drift,
			 CLOCKBOUND_VALID_NS, status, with_marker, marker);
}

static int sync_update(struct sync_state *s)
{
	int rc = sync_adjust(s);

	if (s->cb)
		sync_clockbound(s, rc);
	return rc;
}

/* An event: update at once when the status may have changed. */
static int sync_event(int cmd, struct nlattr **tb, void *arg)
{
	bool *now = arg;

	(void)tb;
	if (cmd == VMCLOCK_CMD_STATUS_CHANGE_NTF || cmd == VMCLOCK_NL_EV_UNLOADED ||
	    cmd == VMCLOCK_NL_EV_LOADED)
		*now = true;
	return 0;
}

static int64_t mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

static int sync_run(struct sync_state *s)
{
	struct vmclock_nl *nl = vmclock_nl_open();
	int64_t next = 0, now;
	struct sigaction sa;
	bool at_once;
	int err = 0, c;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sync_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	/* Without events (module not loaded yet), polling alone serves. */
	if (nl && vmclock_nl_subscribe(nl)) {
		vmclock_nl_close(nl);
		nl = NULL;
	}
	sync_log("started: poll %" PRIu64 " ms, step above %" PRIu64
		 " us in the first %" PRId64 " updates", s->cfg.poll_ms,
		 s->cfg.step_threshold_us, s->cfg.step_limit);
	while (!sync_stop) {
		struct pollfd pfd = { .fd = nl ? vmclock_nl_fd(nl) : -1,
				      .events = POLLIN };

		now = mono_ms();
		if (now >= next) {
			err = sync_update(s);
			if (err < 0) {
				err_msg("sync: cannot adjust the system clock: %s",
					strerror(-err));
				break;
			}
			err = 0;
			next = now + (int64_t)s->cfg.poll_ms;
			continue;
		}
		if (poll(&pfd, 1, (int)(next - now)) > 0) {
			at_once = false;
			if (vmclock_nl_drain(nl, sync_event, &at_once) < 0) {
				vmclock_nl_close(nl);
				nl = NULL;
			}
			if (at_once)
				next = 0;
		}
	}
	if (nl)
		vmclock_nl_close(nl);
	/* The bound is still true, but nobody keeps the clock any more. */
	if (s->cb)
		clockbound_set_status(s->cb, CLOCKBOUND_STATUS_FREE_RUNNING);
	c = sync_mark(false, 0, 0);
	if (c)
		err_msg("sync: cannot mark the system clock unsynchronized: %s",
			strerror(-c));
	else
		sync_log("stopped: system clock marked unsynchronized, frequency kept");
	return err ? EXIT_ERROR : EXIT_OK;
}

static void sync_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s sync [OPTIONS]\n\n"
		"Discipline CLOCK_REALTIME to vmclock's unified clock.\n\n"
		"Options:\n"
		"  -c, --config FILE            configuration file (default %s)\n"
		"  -d, --device PATH            the unified clock (default: its /dev/ptpN)\n"
		"  -p, --poll-ms MS             update interval, 100..64000 (1000)\n"
		"  -t, --time-constant-ms MS    remove offsets over this, or poll (poll)\n"
		"  -s, --step-threshold-us US   step offsets larger than this (100000)\n"
		"  -l, --step-limit N           only in the first N updates, -1: always (3)\n"
		"  -b, --clockbound PATH        keep a ClockBound segment there (off)\n"
		"  -1, --once                   one update; exit 0 when synchronized, 3 when not\n"
		"  -f, --force                  run beside another program steering the clock\n"
		"  -P, --print-config           print the effective configuration and exit\n"
		"  -h, --help                   show this help\n",
		PROG_NAME, SYNC_CONFIG);
}

int sync_main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config",		required_argument, NULL, 'c' },
		{ "device",		required_argument, NULL, 'd' },
		{ "poll-ms",		required_argument, NULL, 'p' },
		{ "time-constant-ms",	required_argument, NULL, 't' },
		{ "step-threshold-us",	required_argument, NULL, 's' },
		{ "step-limit",		required_argument, NULL, 'l' },
		{ "clockbound",		required_argument, NULL, 'b' },
		{ "once",		no_argument, NULL, '1' },
		{ "force",		no_argument, NULL, 'f' },
		{ "print-config",	no_argument, NULL, 'P' },
		{ "help",		no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const values[] = {
		"a file", "a path", "milliseconds", "milliseconds", "microseconds",
		"a number of updates", "a path", "", "", "", "",
	};
	struct sync_state s = { .fd = -1 };
	const char *config = SYNC_CONFIG;
	bool config_given = false, print = false;
	struct { enum sync_key key; const char *value; char opt[24]; } set[8];
	int nset = 0, c, i, err;
	char other[32];
	long pid;

	s.cfg = sync_defaults;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:d:p:t:s:l:b:1fPh", longopts,
				NULL)) != -1) {
		enum sync_key key;

		switch (c) {
		case 'c':
			config = optarg;
			config_given = true;
			continue;
		case '1':
			s.cfg.once = true;
			continue;
		case 'f':
			s.cfg.force = true;
			continue;
		case 'P':
			print = true;
			continue;
		case 'h':
			sync_usage(stdout);
			return EXIT_OK;
		case 'd':
			key = KEY_DEVICE;
			break;
		case 'p':
			key = KEY_POLL;
			break;
		case 't':
			key = KEY_TC;
			break;
		case 's':
			key = KEY_STEP_THRESHOLD;
			break;
		case 'l':
			key = KEY_STEP_LIMIT;
			break;
		case 'b':
			key = KEY_CLOCKBOUND;
			break;
		default:
			opt_error("sync", c, longopts, values, argv,
				  "see vmclockctl sync --help");
			return EXIT_USAGE;
		}
		if (nset == (int)(sizeof(set) / sizeof(set[0]))) {
			err_msg("sync: too many options");
			return EXIT_USAGE;
		}
		set[nset].key = key;
		set[nset].value = optarg;
		snprintf(set[nset].opt, sizeof(set[nset].opt), "--%s",
			 sync_keys[key]);
		nset++;
	}
	if (optind < argc) {
		err_msg("sync: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	/* The file first, the command line over it. */
	if (sync_config_read(&s.cfg, config, config_given))
		return EXIT_USAGE;
	for (i = 0; i < nset; i++)
		if (sync_set(&s.cfg, set[i].key, set[i].value, set[i].opt))
			return EXIT_USAGE;
	if (print) {
		sync_config_print(&s.cfg);
		return EXIT_OK;
	}
	if (!s.cfg.force && sync_other_discipline(other, sizeof(other), &pid)) {
		err_msg("sync: %s (pid %ld) already disciplines the system clock; stop it, or use --force",
			other, pid);
		return EXIT_ERROR;
	}
	s.updates_left = s.cfg.step_limit;
	if (s.cfg.clockbound[0]) {
		err = clockbound_open(&s.cb, s.cfg.clockbound);
		if (err) {
			err_msg("sync: cannot write the ClockBound segment %s: %s",
				s.cfg.clockbound, strerror(-err));
			return EXIT_ERROR;
		}
	}
	err = sync_reset_offset();
	if (err) {
		err_msg("sync: cannot adjust the system clock: %s%s",
			strerror(-err), err == -EPERM ? " (needs CAP_SYS_TIME)" : "");
		return EXIT_ERROR;
	}

	if (s.cfg.once) {
		err = sync_update(&s);
		sync_close(&s);
		if (err < 0) {
			err_msg("sync: cannot adjust the system clock: %s",
				strerror(-err));
			return EXIT_ERROR;
		}
		return err ? EXIT_UNSYNC : EXIT_OK;
	}
	err = sync_run(&s);
	sync_close(&s);
	return err;
}

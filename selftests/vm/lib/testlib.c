// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the in-guest C tests: netlink requests that keep the
 * errno and extack message, sysfs reads, PTP devices, multicast events.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "testlib.h"

void reply_fill(struct nlattr **tb, struct reply *r)
{
	if (tb[VMCLOCK_A_SOURCE_ID])
		r->id = nla_get_u32(tb[VMCLOCK_A_SOURCE_ID]);
	if (tb[VMCLOCK_A_STATE])
		r->state = nla_get_u32(tb[VMCLOCK_A_STATE]);
	if (tb[VMCLOCK_A_PHC_INDEX])
		r->phc = nla_get_u32(tb[VMCLOCK_A_PHC_INDEX]);
	if (tb[VMCLOCK_A_POLL_MS])
		r->poll_ms = nla_get_u32(tb[VMCLOCK_A_POLL_MS]);
	if (tb[VMCLOCK_A_SAMPLES])
		r->samples = nla_get_u64(tb[VMCLOCK_A_SAMPLES]);
	if (tb[VMCLOCK_A_CLOCK_NAME])
		nla_strlcpy(r->name, tb[VMCLOCK_A_CLOCK_NAME], sizeof(r->name));
	if (tb[VMCLOCK_A_PROFILE])
		nla_strlcpy(r->profile, tb[VMCLOCK_A_PROFILE], sizeof(r->profile));
}

static int reply_cb(struct nlattr **tb, void *arg)
{
	reply_fill(tb, arg);
	return 0;
}

int send_req(struct vmclock_nl *nl, struct nl_msg *msg, struct reply *r)
{
	const char *ext;

	memset(r, 0, sizeof(*r));
	r->err = vmclock_nl_send(nl, msg, reply_cb, r);
	ext = vmclock_nl_extack(nl);
	snprintf(r->ext, sizeof(r->ext), "%s", ext ? ext : "");
	return r->err;
}

/* source add; fd < 0: no fd attribute; profile NULL, poll 0: not given. */
int add_req(struct vmclock_nl *nl, int fd, const char *profile,
	    unsigned int poll, struct reply *r)
{
	struct nl_msg *msg = vmclock_nl_msg(nl, VMCLOCK_CMD_SOURCE_ADD, 0);

	if (fd >= 0)
		nla_put_u32(msg, VMCLOCK_A_FD, fd);
	if (profile)
		nla_put_string(msg, VMCLOCK_A_PROFILE, profile);
	if (poll)
		nla_put_u32(msg, VMCLOCK_A_POLL_MS, poll);
	return send_req(nl, msg, r);
}

/* A command on one source, with an optional u32/u8 setting. */
int id_req(struct vmclock_nl *nl, int cmd, uint32_t id, int attr,
	   uint32_t val, struct reply *r)
{
	struct nl_msg *msg = vmclock_nl_msg(nl, cmd, 0);

	nla_put_u32(msg, VMCLOCK_A_SOURCE_ID, id);
	if (attr == VMCLOCK_A_ENABLED)
		nla_put_u8(msg, attr, val);
	else if (attr)
		nla_put_u32(msg, attr, val);
	return send_req(nl, msg, r);
}

long long source_sysfs(uint32_t id, const char *field, char *buf,
		       size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/vmclock/sources/%u/%s",
		 id, field);
	if (read_line(path, buf, len))
		return -1;
	return atoll(buf);
}

/* Index N of the first /dev/ptpN whose clock_name is not vmclock's. */
int foreign_phc(void)
{
	char path[128], name[64];
	int i;

	for (i = 0; i < 32; i++) {
		snprintf(path, sizeof(path), "/sys/class/ptp/ptp%d/clock_name", i);
		if (read_line(path, name, sizeof(name)))
			continue;
		if (strcmp(name, "vmclock-unified"))
			return i;
	}
	return -1;
}

int own_phc(void)
{
	char buf[32];

	if (read_line("/sys/kernel/vmclock/phc", buf, sizeof(buf)))
		return -1;
	return atoi(buf + 3);
}

int open_phc(int index)
{
	char path[32];

	snprintf(path, sizeof(path), "/dev/ptp%d", index);
	return open(path, O_RDONLY);
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int event_cb(struct nl_msg *msg, void *arg)
{
	struct events *e = arg;
	struct nlattr *tb[VMCLOCK_A_MAX + 1];
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(msg));

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, VMCLOCK_A_MAX, NULL) ||
	    e->n >= 256)
		return NL_OK;
	e->ev[e->n].cmd = g->cmd;
	e->ev[e->n].id = tb[VMCLOCK_A_SOURCE_ID] ?
		nla_get_u32(tb[VMCLOCK_A_SOURCE_ID]) : 0;
	/* A source's state, or for status events the clock's status. */
	e->ev[e->n].state = tb[VMCLOCK_A_STATE] ?
		nla_get_u32(tb[VMCLOCK_A_STATE]) : tb[VMCLOCK_A_STATUS] ?
		nla_get_u32(tb[VMCLOCK_A_STATUS]) : ~0U;
	e->n++;
	return NL_OK;
}

int events_open(struct events *e)
{
	int grp;

	memset(e, 0, sizeof(*e));
	e->sk = nl_socket_alloc();
	if (!e->sk || genl_connect(e->sk))
		return -1;
	nl_socket_disable_seq_check(e->sk);
	nl_socket_modify_cb(e->sk, NL_CB_VALID, NL_CB_CUSTOM, event_cb, e);
	grp = genl_ctrl_resolve_grp(e->sk, VMCLOCK_FAMILY_NAME,
				    VMCLOCK_MCGRP_EVENTS);
	if (grp < 0)
		return -1;
	return nl_socket_add_membership(e->sk, grp);
}

/* Wait up to timeout_s for an event (cmd, id[, state]); state ~0: any. */
bool events_wait(struct events *e, int cmd, uint32_t id, uint32_t state,
		 double timeout_s)
{
	double end = now_s() + timeout_s;
	int i;

	for (;;) {
		struct pollfd p = { .fd = nl_socket_get_fd(e->sk), .events = POLLIN };

		for (i = 0; i < e->n; i++)
			if (e->ev[i].cmd == cmd && e->ev[i].id == id &&
			    (state == ~0U || e->ev[i].state == state))
				return true;
		if (now_s() > end)
			return false;
		if (poll(&p, 1, 100) > 0)
			nl_recvmsgs_default(e->sk);
	}
}

/* The source attached through /dev/ptpN, from a dump. */
struct find { int phc; struct reply r; bool found; };

static int find_cb(struct nlattr **tb, void *arg)
{
	struct find *f = arg;
	struct reply r = { 0 };

	if (!tb[VMCLOCK_A_PHC_INDEX] ||
	    (int)nla_get_u32(tb[VMCLOCK_A_PHC_INDEX]) != f->phc ||
	    !tb[VMCLOCK_A_STATE] ||
	    nla_get_u32(tb[VMCLOCK_A_STATE]) == VMCLOCK_SOURCE_GONE)
		return 0;
	reply_fill(tb, &r);
	f->r = r;
	f->found = true;
	return 0;
}

bool source_of_phc(struct vmclock_nl *nl, int phc, struct reply *r)
{
	struct find f = { .phc = phc };

	if (vmclock_nl_request(nl, VMCLOCK_CMD_SOURCE_GET, NLM_F_DUMP,
			       find_cb, &f))
		return false;
	*r = f.r;
	return f.found;
}

/* Whether id is one of the space-separated numbers in list. */
bool id_in_list(const char *list, unsigned int id)
{
	char *end;

	while (*list) {
		unsigned long v = strtoul(list, &end, 10);

		if (end == list)
			break;
		if (v == id)
			return true;
		list = end;
	}
	return false;
}

/* Number of entries in a directory, -1 when it cannot be read. */
int dir_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * Delete every source sysfs lists, then the simulated clocks sim_base ..
 * sim_base + nsim - 1, whatever of them there are: what a test leaves.
 * The directory is read whole before any deletion changes it.
 */
void sources_clear(struct vmclock_nl *nl, int sim_base, int nsim)
{
	uint32_t ids[64];
	struct dirent *e;
	struct reply r;
	int i, n = 0;
	DIR *d;

	d = opendir("/sys/kernel/vmclock/sources");
	while (d && (e = readdir(d)) && n < 64)
		if (e->d_name[0] != '.')
			ids[n++] = strtoul(e->d_name, NULL, 10);
	if (d)
		closedir(d);
	for (i = 0; i < n; i++)
		id_req(nl, VMCLOCK_CMD_SOURCE_DEL, ids[i], 0, 0, &r);
	for (i = 0; i < nsim; i++)
		sim_ctl("del %d", sim_base + i);
}

/* ---- the simulator, selftests/sim (debugfs) ---- */

/* Write s to a file; 0 or -errno (debugfs answers bad input with it). */
int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? n : 0;
}

int sim_ctl(const char *fmt, ...)
{
	char buf[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return write_str(SIM_DIR "/ctl", buf);
}

int sim_set(int id, const char *file, long long v)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), SIM_DIR "/%d/%s", id, file);
	snprintf(buf, sizeof(buf), "%lld", v);
	return write_str(path, buf);
}

/* The number in file of clock id into *v: 0 or -errno. */
int sim_get(int id, const char *file, long long *v)
{
	char path[128], buf[32];
	int err;

	snprintf(path, sizeof(path), SIM_DIR "/%d/%s", id, file);
	err = read_line(path, buf, sizeof(buf));
	if (!err)
		*v = atoll(buf);
	return err;
}

/* N of the simulated clock's /dev/ptpN, -1 when unregistered. */
int sim_ptp(int id)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), SIM_DIR "/%d/ptp", id);
	if (read_line(path, buf, sizeof(buf)) || strncmp(buf, "ptp", 3))
		return -1;
	return atoi(buf + 3);
}

/* A "key N" line of the clock's stats file, -1 when absent. */
long long sim_stat(int id, const char *key)
{
	char path[128], line[128];
	size_t k = strlen(key);
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), SIM_DIR "/%d/stats", id);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, k) && line[k] == ' ')
			v = atoll(line + k + 1);
	fclose(f);
	return v;
}

/* Truth at raw, through an open truth file; -1 on failure. */
long long sim_truth_at(int tfd, long long raw)
{
	char buf[64];
	long long r = 0, t = 0;
	ssize_t n;

	n = snprintf(buf, sizeof(buf), "%lld", raw);
	if (pwrite(tfd, buf, n, 0) != n)
		return -1;
	n = pread(tfd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%lld %lld", &r, &t) != 2 || r != raw)
		return -1;
	return t;
}

static long long raw_clock_ns(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/*
 * CLOCK_REALTIME minus the truth at the raw instant between two raw reads
 * around it: of five tries the narrowest bracket, so that the vCPU
 * descheduled between the reads (other guests, the host) does not count
 * as an error of the clock.  *width (may be NULL): that bracket, ns; the
 * truth at the read is only known to within half of it.
 */
long long realtime_minus_truth(int tfd, long long *width)
{
	long long r0, r1, real, w = -1, best_real = 0, best_mid = 0;
	int i;

	for (i = 0; i < 5; i++) {
		r0 = raw_clock_ns(CLOCK_MONOTONIC_RAW);
		real = raw_clock_ns(CLOCK_REALTIME);
		r1 = raw_clock_ns(CLOCK_MONOTONIC_RAW);
		if (w < 0 || r1 - r0 < w) {
			w = r1 - r0;
			best_real = real;
			best_mid = r0 + (r1 - r0) / 2;
		}
	}
	if (width)
		*width = w;
	return best_real - sim_truth_at(tfd, best_mid);
}

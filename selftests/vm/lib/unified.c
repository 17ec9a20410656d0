// SPDX-License-Identifier: GPL-2.0
/*
 * The unified clock against the simulator's truth: the status with its
 * snapshot, PTP_SYS_OFFSET_PRECISE reads made from one known snapshot,
 * and the simulated clocks these tests start from.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <netlink/attr.h>

#include "unified.h"

static int status_cb(struct nlattr **tb, void *arg)
{
	struct status *st = arg;

	st->status = tb[VMCLOCK_A_STATUS] ? nla_get_u32(tb[VMCLOCK_A_STATUS]) : ~0U;
	st->have_snap = tb[VMCLOCK_A_SNAP_SEQ] && tb[VMCLOCK_A_SNAP_BOUND_GROWTH];
	if (!st->have_snap)
		return 0;
	st->snap.seq = nla_get_u32(tb[VMCLOCK_A_SNAP_SEQ]);
	st->snap.raw_base = nla_get_u64(tb[VMCLOCK_A_SNAP_RAW_BASE]);
	st->snap.time_base = nla_get_u64(tb[VMCLOCK_A_SNAP_TIME_BASE]);
	st->snap.freq = nla_get_u64(tb[VMCLOCK_A_SNAP_FREQ]);
	st->snap.slew = nla_get_u64(tb[VMCLOCK_A_SNAP_SLEW]);
	st->snap.slew_len = nla_get_u64(tb[VMCLOCK_A_SNAP_SLEW_LEN]);
	st->snap.bound_base = nla_get_u64(tb[VMCLOCK_A_SNAP_BOUND_BASE]);
	st->snap.bound_growth = nla_get_u64(tb[VMCLOCK_A_SNAP_BOUND_GROWTH]);
	st->snap.status = st->status;
	return 0;
}

int get_status(struct vmclock_nl *nl, struct status *st)
{
	memset(st, 0, sizeof(*st));
	return vmclock_nl_request(nl, VMCLOCK_CMD_STATUS_GET, 0, status_cb, st);
}

long long ts_ns(const struct ptp_clock_time *t)
{
	return t->sec * 1000000000LL + t->nsec;
}

/* Wait up to secs for the unified clock to be synchronized. */
bool wait_synced(struct vmclock_nl *nl, int secs)
{
	struct status st;
	int i;

	for (i = 0; i < secs * 10; i++) {
		if (!get_status(nl, &st) && st.status == VMCLOCK_STATUS_SYNCHRONIZED)
			return true;
		usleep(100000);
	}
	return false;
}

/*
 * One PTP_SYS_OFFSET_PRECISE read of the clock fd phc together with the
 * snapshot it was made from: the status before and after it must carry
 * the same seq. Returns 0, 1 if a new snapshot came in between (read
 * again), or -1 on an error (errno says which).
 */
int precise_at_snapshot(struct vmclock_nl *nl, int phc,
			struct ptp_sys_offset_precise *p, struct status *st)
{
	struct status after;

	memset(p, 0, sizeof(*p));
	if (get_status(nl, st) || ioctl(phc, PTP_SYS_OFFSET_PRECISE, p) ||
	    get_status(nl, &after))
		return -1;
	return !st->have_snap || after.snap.seq != st->snap.seq;
}

/*
 * Read the unified clock (fd phc) against the truth (an open truth file):
 * 0, -errno when the clock could not be read (EAGAIN: unsynchronized;
 * c->st.status is still the status before the read), or 1 when a new
 * snapshot came in between every time of five.
 */
int check_unified(struct vmclock_nl *nl, int phc, int truth, struct check *c)
{
	struct ptp_sys_offset_precise p;
	int tries, rc = 1;
	s64 eval;
	u64 b;

	errno = 0;
	for (tries = 0; tries < 5 && rc > 0; tries++)
		rc = precise_at_snapshot(nl, phc, &p, &c->st);
	if (rc < 0)
		return errno ? -errno : -EIO;
	if (rc)
		return 1;
	c->raw = ts_ns(&p.sys_monoraw);
	c->dev = ts_ns(&p.device);
	c->err = c->dev - sim_truth_at(truth, c->raw);
	est_snapshot_eval(&c->st.snap, c->raw, &eval, &b);
	c->bound = b;
	return 0;
}

/*
 * Clocks 0 (KVM-like, 20 ns of noise, 3 us off), 1 (Hyper-V-like) and 2
 * (ENA-like, 2 us off, reporting a 100 us error bound): somewhat off the
 * truth, as hosts are, each claiming 100 us, attached
 * with vmclockctl discover.
 */
int unified_open(struct vmclock_nl **nl, int *truth, int *phc)
{
	*nl = vmclock_nl_open();
	if (!*nl)
		return 1;
	if (sim_ctl("add 0 KVM virtual PTP") || sim_ctl("add 1 hyperv") ||
	    sim_ctl("add 2 ena-ptp-00"))
		return 2;
	/* The ENA-like host reports 100 us, the others' profile figure. */
	if (sim_set(0, "noise_ns", 20) || sim_set(0, "offset_ns", 3000) ||
	    sim_set(2, "offset_ns", -2000) ||
	    sim_set(2, "error_bound_ns", 100000))
		return 3;
	if (system("vmclockctl discover > /dev/null"))
		return 4;
	*truth = open(SIM_DIR "/truth", O_RDWR);
	if (*truth < 0)
		return 5;
	*phc = open_phc(own_phc());
	if (*phc < 0)
		return 6;
	return 0;
}

void unified_close(struct vmclock_nl *nl, int truth, int phc)
{
	close(phc);
	close(truth);
	sources_clear(nl, 0, 8);
	vmclock_nl_close(nl);
}

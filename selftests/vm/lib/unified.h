/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The unified clock against the simulator's truth, for the tests that
 * link kernel/estimator.c (they evaluate published snapshots with it).
 */
#ifndef VMCLOCK_TEST_UNIFIED_H
#define VMCLOCK_TEST_UNIFIED_H

#include <linux/ptp_clock.h>

#include "testlib.h"
#include "estimator.h"

/* The status reply: the status and the snapshot published with it. */
struct status {
	uint32_t status;
	struct est_snapshot snap;
	bool have_snap;
};

int get_status(struct vmclock_nl *nl, struct status *st);
long long ts_ns(const struct ptp_clock_time *t);
bool wait_synced(struct vmclock_nl *nl, int secs);
int precise_at_snapshot(struct vmclock_nl *nl, int phc,
			struct ptp_sys_offset_precise *p, struct status *st);

/* One cross timestamp of the unified clock against the truth. */
struct check {
	struct status st;		/* the snapshot it was made from */
	long long raw;			/* sys_monoraw */
	long long dev;			/* the unified clock at raw */
	long long err;			/* dev - truth(raw) */
	unsigned long long bound;	/* the snapshot's bound at raw */
};

int check_unified(struct vmclock_nl *nl, int phc, int truth, struct check *c);

/*
 * Simulated KVM, Hyper-V and ENA clocks (ids 0..2) attached, a netlink
 * socket, the open truth file and the unified clock: 0, or the step
 * that failed.  unified_close() detaches and deletes them all again.
 */
int unified_open(struct vmclock_nl **nl, int *truth, int *phc);
void unified_close(struct vmclock_nl *nl, int truth, int phc);

#endif /* VMCLOCK_TEST_UNIFIED_H */

/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMCLOCK_TESTLIB_H
#define VMCLOCK_TESTLIB_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "vmclockctl.h"

struct nl_sock;
struct nlattr;

/* What a request got back: errno, extack message, the source's fields. */
struct reply {
	int err;
	char ext[256];
	uint32_t id, phc, poll_ms;
	int state;		/* enum vmclock_source_state */
	uint64_t samples;
	char name[64], profile[16];
};

/* Multicast events, as (cmd, source id, state or status) triples. */
struct events {
	struct nl_sock *sk;
	int n;
	struct { int cmd; uint32_t id, state; } ev[256];
};

/* Fill r from the attributes of a source message. */
void reply_fill(struct nlattr **tb, struct reply *r);
int send_req(struct vmclock_nl *nl, struct nl_msg *msg, struct reply *r);
int add_req(struct vmclock_nl *nl, int fd, const char *profile,
	    unsigned int poll, struct reply *r);
int id_req(struct vmclock_nl *nl, int cmd, uint32_t id, int attr,
	   uint32_t val, struct reply *r);
long long source_sysfs(uint32_t id, const char *field, char *buf,
		       size_t len);
int foreign_phc(void);
int own_phc(void);
int open_phc(int index);
double now_s(void);
int events_open(struct events *e);
bool events_wait(struct events *e, int cmd, uint32_t id, uint32_t state,
		 double timeout_s);

/* The live source attached through /dev/ptpN, found with a dump. */
bool source_of_phc(struct vmclock_nl *nl, int phc, struct reply *r);
bool id_in_list(const char *list, unsigned int id);
/* Number of entries in a directory, -1 when it cannot be read. */
int dir_entries(const char *path);

/* The simulator (selftests/sim), through debugfs. */
#define SIM_DIR "/sys/kernel/debug/vmclock_sim"
int write_str(const char *path, const char *s);
int __attribute__((format(printf, 1, 2))) sim_ctl(const char *fmt, ...);
int sim_set(int id, const char *file, long long v);
int sim_get(int id, const char *file, long long *v);
int sim_ptp(int id);
long long sim_stat(int id, const char *key);
long long sim_truth_at(int tfd, long long raw);
long long realtime_minus_truth(int tfd, long long *width);
/* Delete every source, then simulated clocks sim_base .. + nsim - 1. */
void sources_clear(struct vmclock_nl *nl, int sim_base, int nsim);

#endif /* VMCLOCK_TESTLIB_H */

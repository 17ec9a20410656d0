/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMCLOCKCTL_H
#define VMCLOCKCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "uapi/vmclock.h"

#define PROG_NAME "vmclockctl"

/* Exit codes, as documented in vmclockctl(8). */
enum {
	EXIT_OK		= 0,
	EXIT_ERROR	= 1,	/* the request failed */
	EXIT_USAGE	= 2,	/* bad command line */
};

struct options {
	bool json;
};

extern struct options opts;

/* A subcommand: argv[0] is the subcommand's own name. */
struct command {
	const char *name;
	int (*main)(int argc, char *argv[]);
	const char *help;
};

int status_main(int argc, char *argv[]);
int sources_main(int argc, char *argv[]);
int source_main(int argc, char *argv[]);
int discover_main(int argc, char *argv[]);
int monitor_main(int argc, char *argv[]);
int sync_main(int argc, char *argv[]);

/* netlink.c */
struct vmclock_nl;
struct nlattr;
struct nl_msg;

/*
 * Called once per reply message with its attributes indexed by type
 * (tb[VMCLOCK_A_*], NULL when absent).  Return 0 to go on, negative errno
 * to stop with that error.
 */
typedef int (*vmclock_nl_reply_fn)(struct nlattr **tb, void *arg);

struct vmclock_nl *vmclock_nl_open(void);
void vmclock_nl_close(struct vmclock_nl *nl);
/* A request message with the genetlink header filled in, or NULL. */
struct nl_msg *vmclock_nl_msg(struct vmclock_nl *nl, int cmd, int flags);
/* Send msg (consumed, may be NULL: -ENOMEM) and wait for the answer. */
int vmclock_nl_send(struct vmclock_nl *nl, struct nl_msg *msg,
		    vmclock_nl_reply_fn fn, void *arg);
/* The same for a request without attributes. */
int vmclock_nl_request(struct vmclock_nl *nl, int cmd, int flags,
		       vmclock_nl_reply_fn fn, void *arg);
const char *vmclock_nl_extack(const struct vmclock_nl *nl);

/*
 * An event: its command and attributes; non-zero stops listening.  Besides
 * the family's own commands, cmd may be one of these, with tb NULL.
 */
enum {
	VMCLOCK_NL_EV_UNLOADED = -1,	/* the family went away */
	VMCLOCK_NL_EV_LOADED = -2,	/* it is back; events follow again */
};
typedef int (*vmclock_nl_event_fn)(int cmd, struct nlattr **tb, void *arg);
int vmclock_nl_subscribe(struct vmclock_nl *nl);
int vmclock_nl_listen(struct vmclock_nl *nl, vmclock_nl_event_fn fn, void *arg);
int vmclock_nl_drain(struct vmclock_nl *nl, vmclock_nl_event_fn fn, void *arg);
int vmclock_nl_fd(const struct vmclock_nl *nl);
const char *nl_strerror(const struct vmclock_nl *nl, int err, char *buf,
			size_t len);
int nl_fail(const struct vmclock_nl *nl, const char *what, int err);

/*
 * Checking what was received (exported for the unit tests): attributes of
 * a vmclock message against the family's policy into tb[VMCLOCK_A_MAX + 1]
 * (0 or -EBADMSG); whether the sender is the kernel; and a controller
 * notification about a family.
 */
struct nlmsghdr;
struct vmclock_nl_family {
	int cmd;		/* CTRL_CMD_NEWFAMILY, CTRL_CMD_DELFAMILY, ... */
	char name[16];		/* GENL_NAMSIZ */
	int id;
	int events_group;	/* id of its "events" group, -1: none */
};
int vmclock_nl_parse(struct nlmsghdr *nlh, struct nlattr **tb);
bool vmclock_nl_from_kernel(struct nl_msg *msg);
int vmclock_nl_parse_ctrl(struct nlmsghdr *nlh, struct vmclock_nl_family *f);

/* util.c */
void __attribute__((format(printf, 1, 2))) err_msg(const char *fmt, ...);
void json_string(FILE *f, const char *s);
int read_line(const char *path, char *buf, size_t len);
bool extra_args(int argc, char *argv[]);
const char *name_in(const char *const *names, size_t n, unsigned int i);
/* The name of value i in a table of names indexed by value. */
#define NAME_IN(names, i)	name_in(names, sizeof(names) / sizeof((names)[0]), i)
const char *status_name(unsigned int status);
int parse_number(const char *what, const char *arg, const char *noun,
		 uint64_t min, uint64_t max, uint64_t *out);
struct option;
void opt_error(const char *cmd, int c, const struct option *longopts,
	       const char *const *values, char *argv[], const char *valid);

/* source.c */
#define MAX_SOURCES 256


struct source {
	uint32_t id;
	char clock_name[64];
	char profile[16];
	uint32_t phc_index;
	uint32_t state;
	uint32_t poll_ms;
	uint64_t host_error_ns;
	uint32_t weight;
	bool enabled;
	uint64_t reads, samples, errors;
	uint32_t last_error;
	uint64_t delay_ns, delay_min_ns;
	int64_t offset_ns;
	bool estimated;		/* the estimator's figures below are known */
	bool selected;
	int64_t freq_ppb;
	uint64_t jitter_ns;
	bool bound_known;
	uint64_t bound_ns;
	uint32_t read_method;
	char read_note[64];
	bool reported;		/* the host reports its own error */
	uint64_t reported_error_ns;
	uint64_t host_error_used_ns;	/* known when estimated */
};

struct source_list {
	int n;
	struct source s[MAX_SOURCES];
};

/* Source settings given on the command line; false/NULL: not given. */
struct settings {
	const char *profile;
	bool poll, host_error, weight, enabled;
	uint64_t poll_ms, host_error_ns, weight_v;
	bool enabled_v;
};

const char *source_state_name(unsigned int state);
const char *read_method_name(unsigned int method);
void source_parse(struct nlattr **tb, struct source *s);
void source_json(const struct source *s);
int sources_fetch(struct vmclock_nl *nl, struct source_list *l);
struct vmclock_nl *sources_open(const char *what, struct source_list *l,
				int *exit_code);
int source_add(struct vmclock_nl *nl, const char *path,
	       const struct settings *st, struct source *out);
int source_del(struct vmclock_nl *nl, uint32_t id);

/* clockbound.c: a ClockBound segment (protocol version 2) */
enum {
	CLOCKBOUND_STATUS_UNKNOWN = 0,
	CLOCKBOUND_STATUS_SYNCHRONIZED = 1,
	CLOCKBOUND_STATUS_FREE_RUNNING = 2,
	CLOCKBOUND_STATUS_DISRUPTED = 3,
};
struct clockbound;
int clockbound_open(struct clockbound **cbp, const char *path);
void clockbound_write(struct clockbound *cb, int64_t bound_ns,
		      uint32_t max_drift_ppb, int64_t valid_ns, int status,
		      bool with_marker, uint64_t marker);
void clockbound_set_status(struct clockbound *cb, int status);
void clockbound_close(struct clockbound *cb);

/* discover.c */
bool is_hypervisor_clock(const char *clock_name);

#endif /* VMCLOCKCTL_H */

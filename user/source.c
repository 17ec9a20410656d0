// SPDX-License-Identifier: GPL-2.0
/*
 * vmclockctl source add|del|set, sources, discover.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "vmclockctl.h"

static const char *const state_names[] = {
	[VMCLOCK_SOURCE_INIT]		= "init",
	[VMCLOCK_SOURCE_OK]		= "ok",
	[VMCLOCK_SOURCE_STALE]		= "stale",
	[VMCLOCK_SOURCE_ERROR]		= "error",
	[VMCLOCK_SOURCE_GONE]		= "gone",
	[VMCLOCK_SOURCE_DISABLED]	= "disabled",
	[VMCLOCK_SOURCE_FALSETICKER]	= "falseticker",
};

const char *source_state_name(unsigned int state)
{
	return NAME_IN(state_names, state);
}

static const char *const read_method_names[] = {
	[VMCLOCK_READ_CLOCK_GETTIME]	= "clock_gettime",
	[VMCLOCK_READ_GETTIME64]	= "gettime64",
	[VMCLOCK_READ_GETTIMEX64]	= "gettimex64",
	[VMCLOCK_READ_CROSSTSTAMP]	= "crosststamp",
};

const char *read_method_name(unsigned int method)
{
	return NAME_IN(read_method_names, method);
}

static uint64_t get_u64(struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

static uint32_t get_u32(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

static void get_str(struct nlattr *a, char *buf, size_t len)
{
	buf[0] = '\0';
	if (a)
		nla_strlcpy(buf, a, len);
}

void source_parse(struct nlattr **tb, struct source *s)
{
	memset(s, 0, sizeof(*s));
	s->id = get_u32(tb[VMCLOCK_A_SOURCE_ID]);
	get_str(tb[VMCLOCK_A_CLOCK_NAME], s->clock_name, sizeof(s->clock_name));
	get_str(tb[VMCLOCK_A_PROFILE], s->profile, sizeof(s->profile));
	s->phc_index = get_u32(tb[VMCLOCK_A_PHC_INDEX]);
	s->state = get_u32(tb[VMCLOCK_A_STATE]);
	s->poll_ms = get_u32(tb[VMCLOCK_A_POLL_MS]);
	s->host_error_ns = get_u64(tb[VMCLOCK_A_HOST_ERROR_NS]);
	s->weight = get_u32(tb[VMCLOCK_A_WEIGHT]);
	s->enabled = tb[VMCLOCK_A_ENABLED] && nla_get_u8(tb[VMCLOCK_A_ENABLED]);
	s->reads = get_u64(tb[VMCLOCK_A_READS]);
	s->samples = get_u64(tb[VMCLOCK_A_SAMPLES]);
	s->errors = get_u64(tb[VMCLOCK_A_ERRORS]);
	s->last_error = get_u32(tb[VMCLOCK_A_LAST_ERROR]);
	s->delay_ns = get_u64(tb[VMCLOCK_A_DELAY_NS]);
	s->delay_min_ns = get_u64(tb[VMCLOCK_A_DELAY_MIN_NS]);
	s->offset_ns = tb[VMCLOCK_A_OFFSET_NS] ?
		(int64_t)nla_get_u64(tb[VMCLOCK_A_OFFSET_NS]) : 0;
	s->estimated = tb[VMCLOCK_A_SELECTED];
	s->selected = tb[VMCLOCK_A_SELECTED] &&
		      nla_get_u8(tb[VMCLOCK_A_SELECTED]);
	s->freq_ppb = tb[VMCLOCK_A_FREQ_PPB] ?
		(int64_t)nla_get_u64(tb[VMCLOCK_A_FREQ_PPB]) : 0;
	s->jitter_ns = get_u64(tb[VMCLOCK_A_JITTER_NS]);
	s->bound_known = tb[VMCLOCK_A_ERROR_BOUND_NS];
	s->bound_ns = get_u64(tb[VMCLOCK_A_ERROR_BOUND_NS]);
	s->read_method = get_u32(tb[VMCLOCK_A_READ_METHOD]);
	get_str(tb[VMCLOCK_A_READ_NOTE], s->read_note, sizeof(s->read_note));
	s->reported = tb[VMCLOCK_A_REPORTED_ERROR_NS];
	s->reported_error_ns = get_u64(tb[VMCLOCK_A_REPORTED_ERROR_NS]);
	s->host_error_used_ns = get_u64(tb[VMCLOCK_A_HOST_ERROR_USED_NS]);
}

static int source_one_cb(struct nlattr **tb, void *arg)
{
	if (!tb[VMCLOCK_A_SOURCE_ID])
		return -EBADMSG;
	source_parse(tb, arg);
	return 0;
}

static int source_list_cb(struct nlattr **tb, void *arg)
{
	struct source_list *l = arg;

	if (!tb[VMCLOCK_A_SOURCE_ID])
		return -EBADMSG;
	if (l->n >= MAX_SOURCES)
		return 0;
	source_parse(tb, &l->s[l->n++]);
	return 0;
}

void source_json(const struct source *s)
{
	printf("{\"id\":%" PRIu32 ",\"phc\":\"ptp%" PRIu32 "\",\"clock_name\":",
	       s->id, s->phc_index);
	json_string(stdout, s->clock_name);
	printf(",\"profile\":");
	json_string(stdout, s->profile);
	printf(",\"state\":\"%s\",\"enabled\":%s,\"poll_ms\":%" PRIu32
	       ",\"host_error_ns\":%" PRIu64 ",\"weight\":%" PRIu32
	       ",\"reads\":%" PRIu64 ",\"samples\":%" PRIu64
	       ",\"errors\":%" PRIu64 ",\"last_error\":%" PRIu32
	       ",\"delay_ns\":%" PRIu64 ",\"delay_min_ns\":%" PRIu64
	       ",\"offset_ns\":%" PRId64,
	       source_state_name(s->state), s->enabled ? "true" : "false",
	       s->poll_ms, s->host_error_ns, s->weight, s->reads, s->samples,
	       s->errors, s->last_error, s->delay_ns, s->delay_min_ns,
	       s->offset_ns);
	if (s->estimated)
		printf(",\"selected\":%s,\"freq_ppb\":%" PRId64
		       ",\"jitter_ns\":%" PRIu64 ",\"host_error_used_ns\":%" PRIu64,
		       s->selected ? "true" : "false", s->freq_ppb,
		       s->jitter_ns, s->host_error_used_ns);
	else
		fputs(",\"selected\":false,\"freq_ppb\":null,\"jitter_ns\":null"
		      ",\"host_error_used_ns\":null", stdout);
	if (s->bound_known)
		printf(",\"error_bound_ns\":%" PRIu64, s->bound_ns);
	else
		fputs(",\"error_bound_ns\":null", stdout);
	printf(",\"read_method\":\"%s\",\"read_note\":",
	       read_method_name(s->read_method));
	json_string(stdout, s->read_note);
	if (s->reported)
		printf(",\"reported_error_ns\":%" PRIu64 "}", s->reported_error_ns);
	else
		fputs(",\"reported_error_ns\":null}", stdout);
}

/* "12.3us" style, for the table; whole nanoseconds below 1 us. */
static const char *fmt_ns(char *buf, size_t len, int64_t ns, bool sign)
{
	static const struct { double div; const char *unit; } units[] = {
		{ 1e9, "s" }, { 1e6, "ms" }, { 1e3, "us" },
	};
	double a = ns < 0 ? -(double)ns : (double)ns;
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (a >= units[i].div) {
			snprintf(buf, len, sign ? "%+.1f%s" : "%.1f%s",
				 ns / units[i].div, units[i].unit);
			return buf;
		}
	snprintf(buf, len, sign ? "%+" PRId64 "ns" : "%" PRId64 "ns", ns);
	return buf;
}

int sources_fetch(struct vmclock_nl *nl, struct source_list *l)
{
	l->n = 0;
	return vmclock_nl_request(nl, VMCLOCK_CMD_SOURCE_GET, NLM_F_DUMP,
				  source_list_cb, l);
}

/*
 * Open the netlink socket and fetch every source; on failure say why and
 * return NULL with the exit code in *exit_code.
 */
struct vmclock_nl *sources_open(const char *what, struct source_list *l,
				int *exit_code)
{
	struct vmclock_nl *nl = vmclock_nl_open();
	int err;

	*exit_code = EXIT_ERROR;
	if (!nl)
		return NULL;
	err = sources_fetch(nl, l);
	if (err) {
		*exit_code = nl_fail(nl, what, err);
		vmclock_nl_close(nl);
		return NULL;
	}
	return nl;
}

int sources_main(int argc, char *argv[])
{
	static struct source_list list;
	struct vmclock_nl *nl;
	char b1[32], b2[32], b3[32];
	int err, i;

	if (extra_args(argc, argv))
		return EXIT_USAGE;
	nl = sources_open("sources", &list, &err);
	if (!nl)
		return err;
	vmclock_nl_close(nl);

	if (opts.json) {
		putchar('[');
		for (i = 0; i < list.n; i++) {
			if (i)
				putchar(',');
			source_json(&list.s[i]);
		}
		puts("]");
		return EXIT_OK;
	}
	/* S: '*' used for the unified clock, 'x' falseticker. */
	printf("S %-4s %-6s %-8s %-11s %7s %8s %7s %9s %11s %9s  %-13s %s\n",
	       "ID", "PHC", "Profile", "State", "Poll", "Samples", "Errors",
	       "Delay", "Offset", "Bound", "Read", "Clock name");
	for (i = 0; i < list.n; i++) {
		const struct source *s = &list.s[i];
		char phc[16];

		snprintf(phc, sizeof(phc), "ptp%" PRIu32, s->phc_index);
		printf("%c %-4" PRIu32 " %-6s %-8s %-11s %5" PRIu32 "ms %8" PRIu64
		       " %7" PRIu64 " %9s %11s %9s  %-13s %s\n",
		       s->selected ? '*' :
		       s->state == VMCLOCK_SOURCE_FALSETICKER ? 'x' : ' ',
		       s->id, phc, s->profile,
		       source_state_name(s->state), s->poll_ms, s->samples,
		       s->errors, fmt_ns(b1, sizeof(b1), s->delay_ns, false),
		       fmt_ns(b2, sizeof(b2), s->offset_ns, true),
		       s->bound_known ? fmt_ns(b3, sizeof(b3), s->bound_ns, false) :
					"-", read_method_name(s->read_method),
		       s->clock_name);
		/* Below the line: why not read better; the host's own error. */
		if (s->read_note[0])
			printf("       read by %s: %s\n",
			       read_method_name(s->read_method), s->read_note);
		if (s->reported)
			printf("       the host reports its error: %s\n",
			       fmt_ns(b1, sizeof(b1), s->reported_error_ns, false));
	}
	return EXIT_OK;
}

enum { OPT_PROFILE = 256, OPT_POLL, OPT_HOST_ERROR, OPT_WEIGHT, OPT_ENABLE,
	OPT_DISABLE };

/* The kernel's limit on a profile name. */
#define PROFILE_NAME_MAX 15
#define PROFILE_NAMES "kvm, hyperv, ena, vmclock or generic"

/* source add takes all of them, source set all but the first. */
static const struct option settings_opts[] = {
	{ "profile",	required_argument, NULL, OPT_PROFILE },
	{ "poll",	required_argument, NULL, OPT_POLL },
	{ "host-error",	required_argument, NULL, OPT_HOST_ERROR },
	{ "weight",	required_argument, NULL, OPT_WEIGHT },
	{ "enable",	no_argument, NULL, OPT_ENABLE },
	{ "disable",	no_argument, NULL, OPT_DISABLE },
	{ NULL, 0, NULL, 0 }
};

static const char *const settings_values[] = {
	PROFILE_NAMES, "milliseconds", "nanoseconds", "1..100", NULL, NULL,
};

static const char *const add_usage =
	"source add /dev/ptpN [--profile P] [--poll MS] [--host-error NS] "
	"[--weight W] [--disable]";
static const char *const set_usage =
	"source set ID [--poll MS] [--host-error NS] [--weight W] "
	"[--enable|--disable]";

/* A bare word that is an option's name: the user forgot the dashes. */
static void unexpected(const char *cmd, const char *arg)
{
	size_t i;

	for (i = 0; settings_opts[i].name; i++)
		if (!strcmp(arg, settings_opts[i].name)) {
			err_msg("%s: unexpected argument '%s' (did you mean --%s?)",
				cmd, arg, arg);
			return;
		}
	err_msg("%s: unexpected argument '%s'", cmd, arg);
}

/* Parse options of source add/set; returns the index of the first operand. */
static int parse_settings(int argc, char *argv[], bool add, struct settings *st)
{
	const char *cmd = add ? "source add" : "source set";
	const char *valid = add ?
		"--profile, --poll, --host-error, --weight, --enable, --disable" :
		"--poll, --host-error, --weight, --enable, --disable";
	const struct option *longopts = add ? settings_opts : settings_opts + 1;
	const char *const *values = add ? settings_values : settings_values + 1;
	int c;

	memset(st, 0, sizeof(*st));
	optind = 0;	/* 0: reinitialise getopt, main() parsed with "+" */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_PROFILE:
			if (strlen(optarg) > PROFILE_NAME_MAX) {
				err_msg("--profile: '%.20s%s' is not a profile (%s)",
					optarg, strlen(optarg) > 20 ? "..." : "",
					PROFILE_NAMES);
				return -1;
			}
			st->profile = optarg;
			break;
		case OPT_POLL:
			if (parse_number("--poll", optarg, "a number of milliseconds",
					 VMCLOCK_POLL_MS_MIN, VMCLOCK_POLL_MS_MAX,
					 &st->poll_ms))
				return -1;
			st->poll = true;
			break;
		case OPT_HOST_ERROR:
			if (parse_number("--host-error", optarg,
					 "a number of nanoseconds", 0,
					 VMCLOCK_HOST_ERROR_NS_MAX,
					 &st->host_error_ns))
				return -1;
			st->host_error = true;
			break;
		case OPT_WEIGHT:
			if (parse_number("--weight", optarg, "a whole number",
					 VMCLOCK_WEIGHT_MIN, VMCLOCK_WEIGHT_MAX,
					 &st->weight_v))
				return -1;
			st->weight = true;
			break;
		case OPT_ENABLE:
		case OPT_DISABLE:
			if (st->enabled && st->enabled_v != (c == OPT_ENABLE)) {
				err_msg("%s: --enable and --disable contradict each other",
					cmd);
				return -1;
			}
			st->enabled = true;
			st->enabled_v = c == OPT_ENABLE;
			break;
		default:
			if (!add && !optopt &&
			    (!strcmp(argv[optind - 1], "--profile") ||
			     !strncmp(argv[optind - 1], "--profile=", 10))) {
				err_msg("source set: --profile is only for source add (to change the profile, del the source and add it again)");
				return -1;
			}
			opt_error(cmd, c, longopts, values, argv, valid);
			return -1;
		}
	}
	return optind;
}

static int put_settings(struct nl_msg *msg, const struct settings *st)
{
	if ((st->profile && nla_put_string(msg, VMCLOCK_A_PROFILE, st->profile)) ||
	    (st->poll && nla_put_u32(msg, VMCLOCK_A_POLL_MS, st->poll_ms)) ||
	    (st->host_error &&
	     nla_put_u64(msg, VMCLOCK_A_HOST_ERROR_NS, st->host_error_ns)) ||
	    (st->weight && nla_put_u32(msg, VMCLOCK_A_WEIGHT, st->weight_v)) ||
	    (st->enabled && nla_put_u8(msg, VMCLOCK_A_ENABLED, st->enabled_v)))
		return -EMSGSIZE;
	return 0;
}

/*
 * Send msg, or say that it could not be built: a request too large for a
 * netlink message is not "out of memory".
 */
static int send_built(struct vmclock_nl *nl, struct nl_msg *msg, int built,
		      vmclock_nl_reply_fn fn, void *arg)
{
	if (msg && built) {
		nlmsg_free(msg);
		return built;
	}
	return vmclock_nl_send(nl, msg, fn, arg);
}

/* Attach the PHC at path; on success *out describes the new source. */
int source_add(struct vmclock_nl *nl, const char *path,
	       const struct settings *st, struct source *out)
{
	struct nl_msg *msg;
	int fd, err, built = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		err_msg("%s: %s", path, strerror(errno));
		return err;
	}
	msg = vmclock_nl_msg(nl, VMCLOCK_CMD_SOURCE_ADD, 0);
	if (msg && (nla_put_u32(msg, VMCLOCK_A_FD, fd) || put_settings(msg, st)))
		built = -EMSGSIZE;
	err = send_built(nl, msg, built, source_one_cb, out);
	close(fd);
	if (err)
		nl_fail(nl, path, err);
	return err;
}

static void print_added(const char *path, const struct source *s)
{
	if (opts.json) {
		source_json(s);
		putchar('\n');
		return;
	}
	printf("source %" PRIu32 ": %s \"%s\" (profile %s)\n", s->id, path,
	       s->clock_name, s->profile);
}

static int source_add_main(int argc, char *argv[])
{
	struct vmclock_nl *nl;
	struct settings st;
	struct source s;
	int first, err;

	first = parse_settings(argc, argv, true, &st);
	if (first < 0)
		return EXIT_USAGE;
	if (argc - first < 1) {
		err_msg("source add: missing device (usage: %s)", add_usage);
		return EXIT_USAGE;
	}
	if (argc - first > 1) {
		unexpected("source add", argv[first + 1]);
		return EXIT_USAGE;
	}
	nl = vmclock_nl_open();
	if (!nl)
		return EXIT_ERROR;
	err = source_add(nl, argv[first], &st, &s);
	vmclock_nl_close(nl);
	if (err)
		return EXIT_ERROR;
	print_added(argv[first], &s);
	return EXIT_OK;
}

static int parse_id(const char *cmd, const char *arg, uint32_t *id)
{
	uint64_t v;

	if (parse_number(cmd, arg, "a source id (see vmclockctl sources)", 1,
			 UINT32_MAX, &v))
		return -1;
	*id = v;
	return 0;
}

static int source_id_request(struct vmclock_nl *nl, int cmd, uint32_t id,
			     const struct settings *st, const char *what)
{
	struct nl_msg *msg = vmclock_nl_msg(nl, cmd, 0);
	int err, built = 0;

	if (msg && (nla_put_u32(msg, VMCLOCK_A_SOURCE_ID, id) ||
		    (st && put_settings(msg, st))))
		built = -EMSGSIZE;
	err = send_built(nl, msg, built, NULL, NULL);
	if (err) {
		char buf[64];

		snprintf(buf, sizeof(buf), "%s %" PRIu32, what, id);
		nl_fail(nl, buf, err);
	}
	return err;
}

int source_del(struct vmclock_nl *nl, uint32_t id)
{
	return source_id_request(nl, VMCLOCK_CMD_SOURCE_DEL, id, NULL,
				 "source del");
}

/* One source by id; 0 or -errno, said on stderr as WHAT ID: reason. */
static int source_get(struct vmclock_nl *nl, uint32_t id, struct source *s,
		      const char *what)
{
	struct nl_msg *msg = vmclock_nl_msg(nl, VMCLOCK_CMD_SOURCE_GET, 0);
	int err, built = 0;

	if (msg && nla_put_u32(msg, VMCLOCK_A_SOURCE_ID, id))
		built = -EMSGSIZE;
	err = send_built(nl, msg, built, source_one_cb, s);
	if (err) {
		char buf[64];

		snprintf(buf, sizeof(buf), "%s %" PRIu32, what, id);
		nl_fail(nl, buf, err);
	}
	return err;
}

/* A source id and nothing else, or say what is wrong. */
static int one_id(const char *cmd, const char *usage, int argc, char *argv[],
		  uint32_t *id)
{
	if (argc < 1) {
		err_msg("%s: missing source id (usage: %s; ids: vmclockctl sources)",
			cmd, usage);
		return -1;
	}
	if (argc > 1) {
		unexpected(cmd, argv[1]);
		return -1;
	}
	return parse_id(cmd, argv[0], id);
}

static int source_del_main(int argc, char *argv[])
{
	struct vmclock_nl *nl;
	uint32_t id;
	int err;

	if (one_id("source del", "source del ID", argc - 1, argv + 1, &id))
		return EXIT_USAGE;
	nl = vmclock_nl_open();
	if (!nl)
		return EXIT_ERROR;
	err = source_del(nl, id);
	vmclock_nl_close(nl);
	if (err)
		return EXIT_ERROR;
	if (opts.json)
		printf("{\"id\":%" PRIu32 ",\"removed\":true}\n", id);
	return EXIT_OK;
}

static int source_set_main(int argc, char *argv[])
{
	struct vmclock_nl *nl;
	struct settings st;
	struct source s;
	uint32_t id;
	int first, err;

	first = parse_settings(argc, argv, false, &st);
	if (first < 0)
		return EXIT_USAGE;
	if (one_id("source set", set_usage, argc - first, argv + first, &id))
		return EXIT_USAGE;
	if (!(st.poll || st.host_error || st.weight || st.enabled)) {
		err_msg("source set %" PRIu32 ": nothing to change (give --poll, --host-error, --weight, --enable or --disable)",
			id);
		return EXIT_USAGE;
	}
	nl = vmclock_nl_open();
	if (!nl)
		return EXIT_ERROR;
	err = source_id_request(nl, VMCLOCK_CMD_SOURCE_SET, id, &st,
				"source set");
	/* Under -j, the source as it is now, as source add prints it. */
	if (!err && opts.json)
		err = source_get(nl, id, &s, "source set");
	vmclock_nl_close(nl);
	if (err)
		return EXIT_ERROR;
	if (opts.json) {
		source_json(&s);
		putchar('\n');
	}
	return EXIT_OK;
}

int source_main(int argc, char *argv[])
{
	if (argc < 2) {
		err_msg("source: missing command (add, del or set)");
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "add"))
		return source_add_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "del"))
		return source_del_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "set"))
		return source_set_main(argc - 1, argv + 1);
	err_msg("source: unknown command '%s' (add, del or set)", argv[1]);
	return EXIT_USAGE;
}

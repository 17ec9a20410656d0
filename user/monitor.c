// SPDX-License-Identifier: GPL-2.0
/*
 * vmclockctl monitor: print vmclock's events as they arrive.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>

#include "vmclockctl.h"

struct monitor {
	long left;		/* events still to print; < 0: no limit */
};

static const char *event_name(int cmd)
{
	switch (cmd) {
	case VMCLOCK_CMD_SOURCE_ADD_NTF:
		return "source-added";
	case VMCLOCK_CMD_SOURCE_DEL_NTF:
		return "source-removed";
	case VMCLOCK_CMD_SOURCE_CHANGE_NTF:
		return "source-changed";
	case VMCLOCK_CMD_STATUS_CHANGE_NTF:
		return "status-changed";
	case VMCLOCK_CMD_SOURCE_STEP_NTF:
		return "source-stepped";
	default:
		return NULL;
	}
}

static int monitor_event(int cmd, struct nlattr **tb, void *arg)
{
	struct monitor *m = arg;
	const char *name = event_name(cmd);
	struct source s;

	if (!name)
		return 0;	/* an event this version does not know */
	if (cmd == VMCLOCK_CMD_STATUS_CHANGE_NTF) {
		unsigned int status = tb[VMCLOCK_A_STATUS] ?
			nla_get_u32(tb[VMCLOCK_A_STATUS]) : ~0U;

		if (opts.json)
			printf("{\"event\":\"%s\",\"status\":\"%s\"}\n", name,
			       status_name(status));
		else
			printf("%s: %s\n", name, status_name(status));
		goto out;
	}
	if (!tb[VMCLOCK_A_SOURCE_ID])
		return 0;
	source_parse(tb, &s);
	if (opts.json) {
		printf("{\"event\":\"%s\",\"source\":", name);
		source_json(&s);
		puts("}");
	} else {
		printf("%s: source %" PRIu32 " ptp%" PRIu32 " \"%s\" (%s) state %s\n",
		       name, s.id, s.phc_index, s.clock_name, s.profile,
		       source_state_name(s.state));
	}
out:
	fflush(stdout);
	if (m->left > 0 && --m->left == 0)
		return 1;
	return 0;
}

int monitor_main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	struct monitor m = { .left = -1 };
	struct vmclock_nl *nl;
	char *end;
	int c, err;

	optind = 0;	/* reinitialise: main() parsed with "+" */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			errno = 0;
			m.left = strtol(optarg, &end, 10);
			if (errno || *end || m.left < 1) {
				err_msg("monitor: --count: '%s' is not a positive number",
					optarg);
				return EXIT_USAGE;
			}
			break;
		default:
			err_msg("monitor: unknown option '%s'", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		err_msg("monitor: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	nl = vmclock_nl_open();
	if (!nl)
		return EXIT_ERROR;
	err = vmclock_nl_subscribe(nl);
	if (!err)
		err = vmclock_nl_listen(nl, monitor_event, &m);
	if (err)
		err = nl_fail(nl, "monitor", err);
	vmclock_nl_close(nl);
	return err ? EXIT_ERROR : EXIT_OK;
}

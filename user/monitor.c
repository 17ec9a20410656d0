// SPDX-License-Identifier: GPL-2.0
/*
 * vmclockctl monitor: print vmclock's events as they arrive.
 *
 * The socket also hears the generic netlink controller, so that the module
 * being unloaded is noticed: monitor then fails, or with --follow waits
 * for the module to come back and goes on.
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
	uint64_t left;		/* events still to print; 0: no limit */
	bool follow;
	bool unloaded;		/* stopped because the module went away */
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
	case VMCLOCK_NL_EV_UNLOADED:
		return "module-unloaded";
	case VMCLOCK_NL_EV_LOADED:
		return "module-loaded";
	default:
		return NULL;
	}
}

static int monitor_event(int cmd, struct nlattr **tb, void *arg)
{
	struct monitor *m = arg;
	const char *name = event_name(cmd);
	struct source s;

	if (cmd == VMCLOCK_NL_EV_UNLOADED && !m->follow) {
		m->unloaded = true;
		return 1;
	}
	if (!name)
		return 0;	/* an event this version does not know */
	if (!tb) {
		if (opts.json)
			printf("{\"event\":\"%s\"}\n", name);
		else
			printf("%s\n", name);
		goto out;
	}
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
		{ "follow", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const values[] = { "a number of events", NULL };
	struct monitor m = { 0 };
	struct vmclock_nl *nl;
	int c, err;

	optind = 0;	/* reinitialise: main() parsed with "+" */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:f", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (parse_number("--count", optarg, "a number of events",
					 1, UINT64_MAX, &m.left))
				return EXIT_USAGE;
			break;
		case 'f':
			m.follow = true;
			break;
		default:
			opt_error("monitor", c, longopts, values, argv,
				  "--count, --follow");
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
	else if (m.unloaded) {
		err_msg("monitor: the vmclock module was unloaded (--follow waits for it to come back)");
		err = EXIT_ERROR;
	}
	vmclock_nl_close(nl);
	return err ? EXIT_ERROR : EXIT_OK;
}

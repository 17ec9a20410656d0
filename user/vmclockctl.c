// SPDX-License-Identifier: GPL-2.0
/*
 * vmclockctl: configure and inspect the vmclock kernel module.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "vmclockctl.h"

struct options opts;

static const struct command commands[] = {
	{ "status", status_main, "show the state of the unified clock" },
	{ "sources", sources_main, "list the attached sources" },
	{ "source", source_main, "add|del|set a source" },
	{ "discover", discover_main, "attach every hypervisor PTP clock" },
	{ "monitor", monitor_main, "print events as they arrive" },
	{ "sync", sync_main, "discipline the system clock to the unified clock" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s [-j] [COMMAND [ARGS...]]\n"
		"       %s --help | --version\n\n"
		"Options:\n"
		"  -j, --json     print JSON instead of text\n"
		"  -h, --help     show this help\n"
		"  -V, --version  show the version\n\n"
		"Commands (default: status):\n", PROG_NAME, PROG_NAME);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json",	no_argument, NULL, 'j' },
		{ "help",	no_argument, NULL, 'h' },
		{ "version",	no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	static char *default_argv[] = { "status", NULL };
	size_t i;
	int c;

	/* '+': options after the command belong to the command. */
	while ((c = getopt_long(argc, argv, "+jhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			opts.json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("%s %s\n", PROG_NAME, VMCLOCK_VERSION);
			return EXIT_OK;
		default:
			fprintf(stderr, "Try '%s --help'.\n", PROG_NAME);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		argc = 1;
		argv = default_argv;
	}
	if (!strcmp(argv[0], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[0], commands[i].name))
			return commands[i].main(argc, argv);

	err_msg("unknown command '%s' (see %s --help)", argv[0], PROG_NAME);
	return EXIT_USAGE;
}

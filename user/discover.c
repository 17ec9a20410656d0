// SPDX-License-Identifier: GPL-2.0
/*
 * vmclockctl discover: attach every hypervisor PTP clock not yet attached.
 *
 * Idempotent: clocks that are sources already are left alone, sources whose
 * clock went away (state gone) are removed first, so that a clock that came
 * back after a driver reload is attached again.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmclockctl.h"

#define PTP_SYSFS "/sys/class/ptp"

/* clock_names of hypervisor clocks; the kernel's profiles match the same. */
static const struct {
	const char *name;
	bool prefix;
} known_clocks[] = {
	{ "KVM virtual PTP", false },
	{ "hyperv", false },
	{ "ena-ptp-", true },
	{ "vmclock", true },
};

bool is_hypervisor_clock(const char *clock_name)
{
	size_t i;

	/* vmclock's own unified clock is never a source. */
	if (!strcmp(clock_name, "vmclock-unified"))
		return false;
	for (i = 0; i < sizeof(known_clocks) / sizeof(known_clocks[0]); i++) {
		const char *k = known_clocks[i].name;

		if (known_clocks[i].prefix ? !strncmp(clock_name, k, strlen(k)) :
					     !strcmp(clock_name, k))
			return true;
	}
	return false;
}

static int by_index(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int discover_main(int argc, char *argv[])
{
	static struct source_list list;
	struct vmclock_nl *nl;
	int idx[256], n_idx = 0, found = 0, failed = 0, err, i, j;
	struct dirent *de;
	DIR *dir;

	if (extra_args(argc, argv))
		return EXIT_USAGE;
	nl = sources_open("discover", &list, &err);
	if (!nl)
		return err;

	for (i = 0; i < list.n; i++) {
		struct source *s = &list.s[i];

		if (s->state != VMCLOCK_SOURCE_GONE)
			continue;
		if (source_del(nl, s->id))
			failed++;
		else
			printf("source %" PRIu32 ": \"%s\" was gone, removed\n",
			       s->id, s->clock_name);
	}

	dir = opendir(PTP_SYSFS);
	while (dir && (de = readdir(dir)) && n_idx < 256)
		if (!strncmp(de->d_name, "ptp", 3) && de->d_name[3])
			idx[n_idx++] = atoi(de->d_name + 3);
	if (dir)
		closedir(dir);
	qsort(idx, n_idx, sizeof(idx[0]), by_index);

	for (i = 0; i < n_idx; i++) {
		char path[64], name[64], dev[32];
		struct settings none = { 0 };
		struct source added;
		bool attached = false;

		snprintf(path, sizeof(path), PTP_SYSFS "/ptp%d/clock_name", idx[i]);
		if (read_line(path, name, sizeof(name)) || !is_hypervisor_clock(name))
			continue;
		found++;
		for (j = 0; j < list.n; j++) {
			if (list.s[j].state != VMCLOCK_SOURCE_GONE &&
			    list.s[j].phc_index == (uint32_t)idx[i]) {
				printf("source %" PRIu32 ": /dev/ptp%d \"%s\" already attached\n",
				       list.s[j].id, idx[i], name);
				attached = true;
			}
		}
		if (attached)
			continue;
		snprintf(dev, sizeof(dev), "/dev/ptp%d", idx[i]);
		if (source_add(nl, dev, &none, &added))
			failed++;
		else
			printf("source %" PRIu32 ": %s \"%s\" attached (profile %s)\n",
			       added.id, dev, added.clock_name, added.profile);
	}
	vmclock_nl_close(nl);
	if (!found)
		printf("no hypervisor PTP clock found\n");
	return failed ? EXIT_ERROR : EXIT_OK;
}

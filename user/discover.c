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

/* What discover did, for -j: sources by what happened to them. */
struct outcome {
	struct source_list removed, attached, already;
	int n_failed;
	struct {
		const char *action;
		uint32_t id;		/* 0: none yet */
		char device[32];
		char clock_name[64];
		int err;
	} failed[MAX_SOURCES];
};

static void failed(struct outcome *o, const char *action, uint32_t id,
		   const char *device, const char *clock_name, int err)
{
	if (o->n_failed >= MAX_SOURCES)
		return;
	o->failed[o->n_failed].action = action;
	o->failed[o->n_failed].id = id;
	snprintf(o->failed[o->n_failed].device,
		 sizeof(o->failed[0].device), "%s", device);
	snprintf(o->failed[o->n_failed].clock_name,
		 sizeof(o->failed[0].clock_name), "%s", clock_name);
	o->failed[o->n_failed].err = err;
	o->n_failed++;
}

static void add_to(struct source_list *l, const struct source *s)
{
	if (l->n < MAX_SOURCES)
		l->s[l->n++] = *s;
}

static void json_list(const char *key, const struct source_list *l)
{
	int i;

	printf("\"%s\":[", key);
	for (i = 0; i < l->n; i++) {
		if (i)
			putchar(',');
		source_json(&l->s[i]);
	}
	putchar(']');
}

static void outcome_json(const struct outcome *o)
{
	int i;

	putchar('{');
	json_list("removed", &o->removed);
	putchar(',');
	json_list("attached", &o->attached);
	putchar(',');
	json_list("already_attached", &o->already);
	fputs(",\"failed\":[", stdout);
	for (i = 0; i < o->n_failed; i++) {
		printf("%s{\"action\":\"%s\",\"id\":", i ? "," : "",
		       o->failed[i].action);
		if (o->failed[i].id)
			printf("%" PRIu32, o->failed[i].id);
		else
			fputs("null", stdout);
		fputs(",\"device\":", stdout);
		json_string(stdout, o->failed[i].device);
		fputs(",\"clock_name\":", stdout);
		json_string(stdout, o->failed[i].clock_name);
		fputs(",\"error\":", stdout);
		json_string(stdout, strerror(-o->failed[i].err));
		putchar('}');
	}
	puts("]}");
}

int discover_main(int argc, char *argv[])
{
	static struct source_list list;
	static struct outcome o;
	struct vmclock_nl *nl;
	int idx[256], n_idx = 0, found = 0, err, i, j;
	struct dirent *de;
	DIR *dir;

	if (extra_args(argc, argv))
		return EXIT_USAGE;
	nl = sources_open("discover", &list, &err);
	if (!nl)
		return err;

	for (i = 0; i < list.n; i++) {
		struct source *s = &list.s[i];
		char dev[32];

		if (s->state != VMCLOCK_SOURCE_GONE)
			continue;
		snprintf(dev, sizeof(dev), "/dev/ptp%" PRIu32, s->phc_index);
		err = source_del(nl, s->id);
		if (err) {
			failed(&o, "remove", s->id, dev, s->clock_name, err);
			continue;
		}
		add_to(&o.removed, s);
		if (!opts.json)
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
				add_to(&o.already, &list.s[j]);
				if (!opts.json)
					printf("source %" PRIu32 ": /dev/ptp%d \"%s\" already attached\n",
					       list.s[j].id, idx[i], name);
				attached = true;
			}
		}
		if (attached)
			continue;
		snprintf(dev, sizeof(dev), "/dev/ptp%d", idx[i]);
		err = source_add(nl, dev, &none, &added);
		if (err) {
			failed(&o, "attach", 0, dev, name, err);
			continue;
		}
		add_to(&o.attached, &added);
		if (!opts.json)
			printf("source %" PRIu32 ": %s \"%s\" attached (profile %s)\n",
			       added.id, dev, added.clock_name, added.profile);
	}
	vmclock_nl_close(nl);
	if (opts.json)
		outcome_json(&o);
	else if (!found)
		printf("no hypervisor PTP clock found\n");
	return o.n_failed ? EXIT_ERROR : EXIT_OK;
}

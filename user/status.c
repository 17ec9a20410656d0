// SPDX-License-Identifier: GPL-2.0
/*
 * vmclockctl status: the state of the unified clock.
 */
#include <errno.h>
#include <inttypes.h>

#include <netlink/attr.h>

#include "vmclockctl.h"

struct status {
	bool have_status;
	unsigned int status;
	char version[64];
	int phc;		/* -1: not reported */
	bool have_estimate;	/* offset and bound known */
	int64_t offset_ns;
	uint64_t bound_ns;
	int64_t freq_ppb;
};

static int status_reply(struct nlattr **tb, void *arg)
{
	struct status *st = arg;

	if (tb[VMCLOCK_A_STATUS]) {
		st->status = nla_get_u32(tb[VMCLOCK_A_STATUS]);
		st->have_status = true;
	}
	if (tb[VMCLOCK_A_VERSION])
		nla_strlcpy(st->version, tb[VMCLOCK_A_VERSION],
			    sizeof(st->version));
	if (tb[VMCLOCK_A_PHC])
		st->phc = nla_get_u32(tb[VMCLOCK_A_PHC]);
	if (tb[VMCLOCK_A_FREQ_PPB])
		st->freq_ppb = (int64_t)nla_get_u64(tb[VMCLOCK_A_FREQ_PPB]);
	if (tb[VMCLOCK_A_OFFSET_NS] && tb[VMCLOCK_A_ERROR_BOUND_NS]) {
		st->have_estimate = true;
		st->offset_ns = (int64_t)nla_get_u64(tb[VMCLOCK_A_OFFSET_NS]);
		st->bound_ns = nla_get_u64(tb[VMCLOCK_A_ERROR_BOUND_NS]);
	}
	return 0;
}

static void status_print(const struct status *st)
{
	if (opts.json) {
		fputs("{\"status\":", stdout);
		json_string(stdout, status_name(st->status));
		fputs(",\"module_version\":", stdout);
		json_string(stdout, st->version);
		if (st->phc >= 0)
			printf(",\"phc\":\"ptp%d\"", st->phc);
		if (st->have_estimate)
			printf(",\"offset_ns\":%" PRId64 ",\"error_bound_ns\":%" PRIu64,
			       st->offset_ns, st->bound_ns);
		else
			fputs(",\"offset_ns\":null,\"error_bound_ns\":null", stdout);
		printf(",\"freq_ppb\":%" PRId64 "}\n", st->freq_ppb);
		return;
	}
	printf("Status          : %s\n", status_name(st->status));
	if (st->phc >= 0)
		printf("Unified clock   : /dev/ptp%d\n", st->phc);
	if (st->have_estimate) {
		printf("Offset          : %+.9f seconds (unified minus system clock)\n",
		       st->offset_ns / 1e9);
		printf("Error bound     : %.9f seconds\n", st->bound_ns / 1e9);
	} else {
		printf("Offset          : unknown\n");
		printf("Error bound     : unknown\n");
	}
	printf("Frequency       : %+.3f ppm (against the raw clock)\n",
	       st->freq_ppb / 1e3);
	printf("Module version  : %s\n", st->version);
}

int status_main(int argc, char *argv[])
{
	struct status st = { .phc = -1 };
	struct vmclock_nl *nl;
	int err;

	if (extra_args(argc, argv))
		return EXIT_USAGE;
	nl = vmclock_nl_open();
	if (!nl)
		return EXIT_ERROR;
	err = vmclock_nl_request(nl, VMCLOCK_CMD_STATUS_GET, 0,
				 status_reply, &st);
	if (!err && !st.have_status)
		err = -EBADMSG;
	if (err) {
		err = nl_fail(nl, "status", err);
		vmclock_nl_close(nl);
		return err;
	}
	vmclock_nl_close(nl);
	status_print(&st);
	return EXIT_OK;
}

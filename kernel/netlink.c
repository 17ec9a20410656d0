// SPDX-License-Identifier: GPL-2.0
/*
 * vmclock: the "vmclock" generic netlink family.
 * Described in Documentation/netlink/specs/vmclock.yaml.
 *
 * Read operations are open to every user; operations that change state carry
 * GENL_ADMIN_PERM (CAP_NET_ADMIN in the initial user namespace).
 */

#include <net/genetlink.h>

#include "vmclock.h"

static struct genl_family vmclock_genl_family;

static int vmclock_nl_status_get_doit(struct sk_buff *skb,
				      struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &vmclock_genl_family, 0,
				VMCLOCK_CMD_STATUS_GET);
	if (!hdr)
		goto err_free;

	if (nla_put_u32(msg, VMCLOCK_A_STATUS, vmclock_status()) ||
	    nla_put_string(msg, VMCLOCK_A_VERSION, VMCLOCK_VERSION))
		goto err_free;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct genl_ops vmclock_genl_ops[] = {
	{
		.cmd	= VMCLOCK_CMD_STATUS_GET,
		.doit	= vmclock_nl_status_get_doit,
	},
};

static const struct genl_multicast_group vmclock_genl_mcgrps[] = {
	{ .name = VMCLOCK_MCGRP_EVENTS, },
};

static struct genl_family vmclock_genl_family __ro_after_init = {
	.name		= VMCLOCK_FAMILY_NAME,
	.version	= VMCLOCK_FAMILY_VERSION,
	.module		= THIS_MODULE,
	.ops		= vmclock_genl_ops,
	.n_ops		= ARRAY_SIZE(vmclock_genl_ops),
	.mcgrps		= vmclock_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(vmclock_genl_mcgrps),
	/*
	 * Commands from resv_start_op on get strict validation (reserved
	 * header fields, no attributes without a policy); the ones below it
	 * are legacy.  All of ours are new: start at the first.
	 */
	VMCLOCK_GENL_RESV_START_OP(VMCLOCK_CMD_STATUS_GET)
};

int __init vmclock_netlink_init(void)
{
	return genl_register_family(&vmclock_genl_family);
}

void vmclock_netlink_exit(void)
{
	genl_unregister_family(&vmclock_genl_family);
}

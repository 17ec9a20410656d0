// SPDX-License-Identifier: GPL-2.0
/*
 * vmclock: the "vmclock" generic netlink family.
 * Described in Documentation/netlink/specs/vmclock.yaml.
 *
 * Read operations are open to every user; operations that change state carry
 * GENL_ADMIN_PERM (CAP_NET_ADMIN in the initial user namespace).  Events go
 * to the "events" multicast group.
 *
 * Handlers run in parallel (parallel_ops), not under genl_mutex.  A handler
 * finds its source under vmclock_lock and keeps it by a reference of its
 * kobject; source.c takes the locks a change needs, and the rest (status,
 * replies, events) reads published snapshots, per-source stats under their
 * spinlock and settings with READ_ONCE().  A dump walks the source list
 * under vmclock_lock.
 */

#include <linux/file.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>

#include "estimator.h"
#include "vmclock.h"

static struct genl_family vmclock_genl_family;

/*
 * The unified clock: status, its figures now (offset from CLOCK_REALTIME,
 * frequency, bound, when there is an estimate) and the published snapshot
 * itself, from which a reader can evaluate the clock at any raw time.
 */
static int vmclock_nl_put_status(struct sk_buff *msg)
{
	struct system_time_snapshot sys;
	struct est_snapshot snap;
	bool estimate;
	s64 t;
	u64 bound;

	/* One snapshot for the whole reply, figures and attributes alike. */
	estimate = !vmclock_clock_at_snapshot(&sys, &snap, &t, &bound);
	if (nla_put_u32(msg, VMCLOCK_A_STATUS, snap.status) ||
	    nla_put_string(msg, VMCLOCK_A_VERSION, VMCLOCK_VERSION) ||
	    nla_put_u32(msg, VMCLOCK_A_PHC, vmclock_phc_index()) ||
	    nla_put_s64(msg, VMCLOCK_A_FREQ_PPB,
			div_s64(snap.freq, EST_FREQ_PPB), VMCLOCK_A_PAD) ||
	    nla_put_u32(msg, VMCLOCK_A_SNAP_SEQ, snap.seq) ||
	    nla_put_s64(msg, VMCLOCK_A_SNAP_RAW_BASE, snap.raw_base,
			VMCLOCK_A_PAD) ||
	    nla_put_s64(msg, VMCLOCK_A_SNAP_TIME_BASE, snap.time_base,
			VMCLOCK_A_PAD) ||
	    nla_put_s64(msg, VMCLOCK_A_SNAP_FREQ, snap.freq, VMCLOCK_A_PAD) ||
	    nla_put_s64(msg, VMCLOCK_A_SNAP_SLEW, snap.slew, VMCLOCK_A_PAD) ||
	    nla_put_u64_64bit(msg, VMCLOCK_A_SNAP_SLEW_LEN, snap.slew_len,
			      VMCLOCK_A_PAD) ||
	    nla_put_u64_64bit(msg, VMCLOCK_A_SNAP_BOUND_BASE, snap.bound_base,
			      VMCLOCK_A_PAD) ||
	    nla_put_u64_64bit(msg, VMCLOCK_A_SNAP_BOUND_GROWTH,
			      snap.bound_growth, VMCLOCK_A_PAD))
		return -EMSGSIZE;
	if (!estimate)
		return 0;
	if (nla_put_s64(msg, VMCLOCK_A_OFFSET_NS, t - ktime_to_ns(sys.systime),
			VMCLOCK_A_PAD) ||
	    nla_put_u64_64bit(msg, VMCLOCK_A_ERROR_BOUND_NS, bound,
			      VMCLOCK_A_PAD))
		return -EMSGSIZE;
	return 0;
}

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
	if (!hdr || vmclock_nl_put_status(msg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int vmclock_nl_put_read_note(struct sk_buff *msg,
				    struct vmclock_source *src)
{
	char note[sizeof(src->read_note)];

	vmclock_source_get_note(src, note, sizeof(note));
	return note[0] ? nla_put_string(msg, VMCLOCK_A_READ_NOTE, note) : 0;
}

/* All attributes of one source, in a message already started. */
static int vmclock_nl_put_source(struct sk_buff *msg, struct vmclock_source *src)
{
	struct vmclock_source_stats st;
	struct vmclock_source_est est;

	vmclock_source_get_stats(src, &st);
	if (nla_put_u32(msg, VMCLOCK_A_SOURCE_ID, src->id) ||
	    nla_put_string(msg, VMCLOCK_A_CLOCK_NAME, src->clock_name) ||
	    nla_put_string(msg, VMCLOCK_A_PROFILE, src->profile->name) ||
	    nla_put_u32(msg, VMCLOCK_A_PHC_INDEX, src->phc_index) ||
	    nla_put_u32(msg, VMCLOCK_A_STATE, st.state) ||
	    nla_put_u32(msg, VMCLOCK_A_POLL_MS, READ_ONCE(src->poll_ms)) ||
	    nla_put_u64_64bit(msg, VMCLOCK_A_HOST_ERROR_NS,
			      READ_ONCE(src->host_error_ns), VMCLOCK_A_PAD) ||
	    nla_put_u32(msg, VMCLOCK_A_WEIGHT, READ_ONCE(src->weight)) ||
	    nla_put_u8(msg, VMCLOCK_A_ENABLED, READ_ONCE(src->enabled)) ||
	    nla_put_u64_64bit(msg, VMCLOCK_A_READS, st.reads, VMCLOCK_A_PAD) ||
	    nla_put_u64_64bit(msg, VMCLOCK_A_SAMPLES, st.samples,
			      VMCLOCK_A_PAD) ||
	    nla_put_u64_64bit(msg, VMCLOCK_A_ERRORS, st.errors, VMCLOCK_A_PAD) ||
	    nla_put_u32(msg, VMCLOCK_A_LAST_ERROR, st.last_error) ||
	    nla_put_u64_64bit(msg, VMCLOCK_A_DELAY_NS, st.delay_ns,
			      VMCLOCK_A_PAD) ||
	    nla_put_u64_64bit(msg, VMCLOCK_A_DELAY_MIN_NS, st.delay_min_ns,
			      VMCLOCK_A_PAD) ||
	    nla_put_s64(msg, VMCLOCK_A_OFFSET_NS, st.offset_ns, VMCLOCK_A_PAD) ||
	    nla_put_u32(msg, VMCLOCK_A_READ_METHOD, READ_ONCE(src->method)) ||
	    (st.reported_error_ns != VMCLOCK_NO_REPORT &&
	     nla_put_u64_64bit(msg, VMCLOCK_A_REPORTED_ERROR_NS,
			       st.reported_error_ns, VMCLOCK_A_PAD)) ||
	    vmclock_nl_put_read_note(msg, src))
		return -EMSGSIZE;
	if (!vmclock_clock_source_info(src, &est))
		return 0;
	if (nla_put_u8(msg, VMCLOCK_A_SELECTED, est.selected) ||
	    nla_put_s64(msg, VMCLOCK_A_FREQ_PPB, est.freq_ppb, VMCLOCK_A_PAD) ||
	    nla_put_u64_64bit(msg, VMCLOCK_A_JITTER_NS, est.jitter_ns,
			      VMCLOCK_A_PAD) ||
	    nla_put_u64_64bit(msg, VMCLOCK_A_HOST_ERROR_USED_NS,
			      est.host_error_ns, VMCLOCK_A_PAD) ||
	    (est.bound_ns != EST_BOUND_UNKNOWN &&
	     nla_put_u64_64bit(msg, VMCLOCK_A_ERROR_BOUND_NS, est.bound_ns,
			       VMCLOCK_A_PAD)))
		return -EMSGSIZE;
	return 0;
}

static int vmclock_nl_reply_source(struct genl_info *info,
				   struct vmclock_source *src, u8 cmd)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &vmclock_genl_family, 0, cmd);
	if (!hdr || vmclock_nl_put_source(msg, src)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/*
 * Tell the "events" group: cmd is one of the *_NTF commands, put() fills
 * in the attributes.
 */
static void vmclock_notify(u8 cmd, int (*put)(struct sk_buff *, void *),
			   void *arg)
{
	struct sk_buff *msg;
	void *hdr;

	/*
	 * Unloading: whoever passed this test before vmclock began to stop
	 * (a sampler, the tick, a request) is waited for before the family
	 * is unregistered; whoever comes after sends nothing.
	 */
	if (vmclock_sources_stopping() ||
	    !genl_has_listeners(&vmclock_genl_family, &init_net, 0))
		return;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &vmclock_genl_family, 0, cmd);
	if (!hdr || put(msg, arg)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&vmclock_genl_family, msg, 0, 0, GFP_KERNEL);
}

static int vmclock_nl_put_source_arg(struct sk_buff *msg, void *src)
{
	return vmclock_nl_put_source(msg, src);
}

static int vmclock_nl_put_status_arg(struct sk_buff *msg, void *unused)
{
	return vmclock_nl_put_status(msg);
}

void vmclock_notify_source(struct vmclock_source *src, u8 cmd)
{
	vmclock_notify(cmd, vmclock_nl_put_source_arg, src);
}

void vmclock_notify_status(void)
{
	vmclock_notify(VMCLOCK_CMD_STATUS_CHANGE_NTF, vmclock_nl_put_status_arg,
		       NULL);
}

/* The source named by VMCLOCK_A_SOURCE_ID, with a reference. */
static struct vmclock_source *vmclock_nl_source(struct genl_info *info)
{
	struct vmclock_source *src;

	if (!info->attrs[VMCLOCK_A_SOURCE_ID]) {
		NL_SET_ERR_MSG(info->extack, "missing source id");
		return ERR_PTR(-EINVAL);
	}
	src = vmclock_source_get(nla_get_u32(info->attrs[VMCLOCK_A_SOURCE_ID]));
	if (!src) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[VMCLOCK_A_SOURCE_ID],
				    "no source with this id");
		return ERR_PTR(-ENOENT);
	}
	return src;
}

/*
 * Settings present in the request; absent ones stay < 0.  The casts
 * matter: "u32 ? : -1" would make the -1 unsigned.
 */
static void vmclock_nl_config(struct genl_info *info,
			      struct vmclock_source_config *cfg)
{
	struct nlattr **a = info->attrs;

	cfg->poll_ms = a[VMCLOCK_A_POLL_MS] ?
		(s64)nla_get_u32(a[VMCLOCK_A_POLL_MS]) : -1;
	/* The policy limits it to 1 s, so it fits an s64. */
	cfg->host_error_ns = a[VMCLOCK_A_HOST_ERROR_NS] ?
		(s64)nla_get_u64(a[VMCLOCK_A_HOST_ERROR_NS]) : -1;
	cfg->weight = a[VMCLOCK_A_WEIGHT] ?
		(s64)nla_get_u32(a[VMCLOCK_A_WEIGHT]) : -1;
	cfg->enabled = a[VMCLOCK_A_ENABLED] ?
		(s32)nla_get_u8(a[VMCLOCK_A_ENABLED]) : -1;
}

static int vmclock_nl_source_add_doit(struct sk_buff *skb,
				      struct genl_info *info)
{
	const struct vmclock_profile *profile = NULL;
	struct vmclock_source_config cfg;
	struct vmclock_source *src;
	struct file *file;
	int err;

	if (!info->attrs[VMCLOCK_A_FD]) {
		NL_SET_ERR_MSG(info->extack, "missing fd of the PTP clock");
		return -EINVAL;
	}
	if (info->attrs[VMCLOCK_A_PROFILE]) {
		profile = vmclock_profile_find(nla_data(info->attrs[VMCLOCK_A_PROFILE]));
		if (!profile) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[VMCLOCK_A_PROFILE],
					    "unknown profile (" VMCLOCK_PROFILE_NAMES ")");
			return -EINVAL;
		}
	}
	vmclock_nl_config(info, &cfg);

	/*
	 * The doit handler runs in the sender's context: its fd table.
	 * fget_raw(): an O_PATH fd is found too, and refused with its reason.
	 */
	file = fget_raw(nla_get_u32(info->attrs[VMCLOCK_A_FD]));
	if (!file) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VMCLOCK_A_FD],
				    "fd is not open in the sender");
		return -EBADF;
	}

	err = vmclock_source_add(file, profile, &cfg, info->extack, &src);
	fput(file);
	if (err)
		return err;
	err = vmclock_nl_reply_source(info, src, VMCLOCK_CMD_SOURCE_ADD);
	vmclock_source_put(src);
	return err;
}

static int vmclock_nl_source_del_doit(struct sk_buff *skb,
				      struct genl_info *info)
{
	struct vmclock_source *src;
	int err;

	src = vmclock_nl_source(info);
	if (IS_ERR(src))
		return PTR_ERR(src);
	err = vmclock_source_del(src, info->extack);
	vmclock_source_put(src);
	return err;
}

static int vmclock_nl_source_set_doit(struct sk_buff *skb,
				      struct genl_info *info)
{
	struct vmclock_source_config cfg;
	struct vmclock_source *src;
	int err;

	vmclock_nl_config(info, &cfg);
	src = vmclock_nl_source(info);
	if (IS_ERR(src))
		return PTR_ERR(src);
	err = vmclock_source_set(src, &cfg, info->extack);
	vmclock_source_put(src);
	return err;
}

static int vmclock_nl_source_get_doit(struct sk_buff *skb,
				      struct genl_info *info)
{
	struct vmclock_source *src;
	int err;

	src = vmclock_nl_source(info);
	if (IS_ERR(src))
		return PTR_ERR(src);
	err = vmclock_nl_reply_source(info, src, VMCLOCK_CMD_SOURCE_GET);
	vmclock_source_put(src);
	return err;
}

/*
 * cb->args[0]: id of the last source dumped.  The list is in the order of
 * ids, so the next part of the dump goes on after it.
 */
static int vmclock_nl_source_get_dumpit(struct sk_buff *skb,
					struct netlink_callback *cb)
{
	struct vmclock_source *src;
	void *hdr;
	int err = 0;

	mutex_lock(&vmclock_lock);
	list_for_each_entry(src, &vmclock_sources, node) {
		if (src->id <= cb->args[0])
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &vmclock_genl_family,
				  NLM_F_MULTI, VMCLOCK_CMD_SOURCE_GET);
		if (!hdr) {
			err = -EMSGSIZE;
			break;
		}
		if (vmclock_nl_put_source(skb, src)) {
			genlmsg_cancel(skb, hdr);
			err = -EMSGSIZE;
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = src->id;
	}
	mutex_unlock(&vmclock_lock);
	/* A full skb ends this part of the dump; the rest follows. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

/* Not const: 6.1's nla_policy points to writable range structures. */
static struct netlink_range_validation vmclock_poll_range = {
	.min = VMCLOCK_POLL_MS_MIN,
	.max = VMCLOCK_POLL_MS_MAX,
};

static struct netlink_range_validation vmclock_host_error_range = {
	.max = VMCLOCK_HOST_ERROR_NS_MAX,
};

#define VMCLOCK_SETTINGS_POLICY						\
	[VMCLOCK_A_POLL_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &vmclock_poll_range), \
	[VMCLOCK_A_HOST_ERROR_NS] =					\
		NLA_POLICY_FULL_RANGE(NLA_U64, &vmclock_host_error_range), \
	[VMCLOCK_A_WEIGHT] = NLA_POLICY_RANGE(NLA_U32, VMCLOCK_WEIGHT_MIN, \
					      VMCLOCK_WEIGHT_MAX),	\
	[VMCLOCK_A_ENABLED] = NLA_POLICY_MAX(NLA_U8, 1)

static const struct nla_policy vmclock_source_add_policy[VMCLOCK_A_MAX + 1] = {
	[VMCLOCK_A_FD] = { .type = NLA_U32 },
	[VMCLOCK_A_PROFILE] = { .type = NLA_NUL_STRING, .len = 15 },
	VMCLOCK_SETTINGS_POLICY,
};

static const struct nla_policy vmclock_source_set_policy[VMCLOCK_A_MAX + 1] = {
	[VMCLOCK_A_SOURCE_ID] = { .type = NLA_U32 },
	VMCLOCK_SETTINGS_POLICY,
};

static const struct nla_policy vmclock_source_id_policy[VMCLOCK_A_MAX + 1] = {
	[VMCLOCK_A_SOURCE_ID] = { .type = NLA_U32 },
};

static const struct genl_ops vmclock_genl_ops[] = {
	{
		.cmd	= VMCLOCK_CMD_STATUS_GET,
		.doit	= vmclock_nl_status_get_doit,
	},
	{
		.cmd	= VMCLOCK_CMD_SOURCE_GET,
		.doit	= vmclock_nl_source_get_doit,
		.dumpit	= vmclock_nl_source_get_dumpit,
		.policy	= vmclock_source_id_policy,
		.maxattr = VMCLOCK_A_MAX,
	},
	{
		.cmd	= VMCLOCK_CMD_SOURCE_ADD,
		.doit	= vmclock_nl_source_add_doit,
		.policy	= vmclock_source_add_policy,
		.maxattr = VMCLOCK_A_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= VMCLOCK_CMD_SOURCE_DEL,
		.doit	= vmclock_nl_source_del_doit,
		.policy	= vmclock_source_id_policy,
		.maxattr = VMCLOCK_A_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= VMCLOCK_CMD_SOURCE_SET,
		.doit	= vmclock_nl_source_set_doit,
		.policy	= vmclock_source_set_policy,
		.maxattr = VMCLOCK_A_MAX,
		.flags	= GENL_ADMIN_PERM,
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
	 * Without this every handler runs under the global genl_mutex, and
	 * one waiting for a source's blocked read stalls every generic
	 * netlink family.  Handlers take the locks they need themselves.
	 */
	.parallel_ops	= true,
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

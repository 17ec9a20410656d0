// SPDX-License-Identifier: GPL-2.0
/*
 * Talking to the vmclock generic netlink family with libnl-genl-3.
 *
 * Nothing received is trusted: every message must come from the kernel
 * (netlink source port 0; the socket is also connected to the kernel, so
 * the kernel itself refuses unicasts from other sockets) and every
 * attribute is checked against a policy before it is read, so that a
 * short or unterminated attribute is an error and never an over-read.
 *
 * libnl 3.7 has no extended-ack helper, so the socket asks for
 * NETLINK_EXT_ACK and the error callback reads NLMSGERR_ATTR_MSG itself.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "vmclockctl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct vmclock_nl {
	struct nl_sock *sk;
	int family;
	char extack[256];
};

struct request {
	struct vmclock_nl *nl;
	vmclock_nl_reply_fn fn;
	void *arg;
	int err;		/* 1 while waiting, then 0 or -errno */
};

/* Exactly the size of the type: the family's integers never change. */
#define POL_U8		{ .type = NLA_U8, .minlen = 1, .maxlen = 1 }
#define POL_U16		{ .type = NLA_U16, .minlen = 2, .maxlen = 2 }
#define POL_U32		{ .type = NLA_U32, .minlen = 4, .maxlen = 4 }
#define POL_U64		{ .type = NLA_U64, .minlen = 8, .maxlen = 8 }
#define POL_S64		{ .type = NLA_S64, .minlen = 8, .maxlen = 8 }
/* Not empty, and NUL-terminated (libnl checks the last byte). */
#define POL_STRING	{ .type = NLA_STRING, .minlen = 1 }
#define POL_NESTED	{ .type = NLA_NESTED }

/* What replies and events of the family may carry, as the spec says. */
static struct nla_policy vmclock_policy[VMCLOCK_A_MAX + 1] = {
	[VMCLOCK_A_STATUS]		= POL_U32,
	[VMCLOCK_A_VERSION]		= POL_STRING,
	[VMCLOCK_A_SOURCE_ID]		= POL_U32,
	[VMCLOCK_A_FD]			= POL_U32,
	[VMCLOCK_A_PROFILE]		= POL_STRING,
	[VMCLOCK_A_CLOCK_NAME]		= POL_STRING,
	[VMCLOCK_A_PHC_INDEX]		= POL_U32,
	[VMCLOCK_A_STATE]		= POL_U32,
	[VMCLOCK_A_POLL_MS]		= POL_U32,
	[VMCLOCK_A_HOST_ERROR_NS]	= POL_U64,
	[VMCLOCK_A_WEIGHT]		= POL_U32,
	[VMCLOCK_A_ENABLED]		= POL_U8,
	[VMCLOCK_A_SAMPLES]		= POL_U64,
	[VMCLOCK_A_ERRORS]		= POL_U64,
	[VMCLOCK_A_LAST_ERROR]		= POL_U32,
	[VMCLOCK_A_DELAY_NS]		= POL_U64,
	[VMCLOCK_A_DELAY_MIN_NS]	= POL_U64,
	[VMCLOCK_A_OFFSET_NS]		= POL_S64,
	[VMCLOCK_A_READS]		= POL_U64,
	[VMCLOCK_A_PHC]			= POL_U32,
	[VMCLOCK_A_FREQ_PPB]		= POL_S64,
	[VMCLOCK_A_ERROR_BOUND_NS]	= POL_U64,
	[VMCLOCK_A_JITTER_NS]		= POL_U64,
	[VMCLOCK_A_SELECTED]		= POL_U8,
	[VMCLOCK_A_SNAP_SEQ]		= POL_U32,
	[VMCLOCK_A_SNAP_RAW_BASE]	= POL_S64,
	[VMCLOCK_A_SNAP_TIME_BASE]	= POL_S64,
	[VMCLOCK_A_SNAP_FREQ]		= POL_S64,
	[VMCLOCK_A_SNAP_SLEW]		= POL_S64,
	[VMCLOCK_A_SNAP_SLEW_LEN]	= POL_U64,
	[VMCLOCK_A_SNAP_BOUND_BASE]	= POL_U64,
	[VMCLOCK_A_SNAP_BOUND_GROWTH]	= POL_U64,
	[VMCLOCK_A_READ_METHOD]		= POL_U32,
	[VMCLOCK_A_READ_NOTE]		= POL_STRING,
	[VMCLOCK_A_REPORTED_ERROR_NS]	= POL_U64,
	[VMCLOCK_A_HOST_ERROR_USED_NS]	= POL_U64,
};

/* The controller's family notifications, and their nested groups. */
static struct nla_policy ctrl_policy[CTRL_ATTR_MAX + 1] = {
	[CTRL_ATTR_FAMILY_ID]		= POL_U16,
	[CTRL_ATTR_FAMILY_NAME]		= POL_STRING,
	[CTRL_ATTR_MCAST_GROUPS]	= POL_NESTED,
};

static struct nla_policy ctrl_grp_policy[CTRL_ATTR_MCAST_GRP_MAX + 1] = {
	[CTRL_ATTR_MCAST_GRP_NAME]	= POL_STRING,
	[CTRL_ATTR_MCAST_GRP_ID]	= POL_U32,
};

static struct nla_policy extack_policy[NLMSGERR_ATTR_MAX + 1] = {
	[NLMSGERR_ATTR_MSG]		= POL_STRING,
};

int vmclock_nl_parse(struct nlmsghdr *nlh, struct nlattr **tb)
{
	return genlmsg_parse(nlh, 0, tb, VMCLOCK_A_MAX, vmclock_policy) < 0 ?
		-EBADMSG : 0;
}

bool vmclock_nl_from_kernel(struct nl_msg *msg)
{
	const struct sockaddr_nl *src = nlmsg_get_src(msg);

	return src && src->nl_family == AF_NETLINK && src->nl_pid == 0;
}

int vmclock_nl_parse_ctrl(struct nlmsghdr *nlh, struct vmclock_nl_family *f)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1], *grp;
	int rem;

	memset(f, 0, sizeof(*f));
	f->events_group = -1;
	if (genlmsg_parse(nlh, 0, tb, CTRL_ATTR_MAX, ctrl_policy) < 0 ||
	    !tb[CTRL_ATTR_FAMILY_NAME] || !tb[CTRL_ATTR_FAMILY_ID])
		return -EBADMSG;
	f->cmd = ((struct genlmsghdr *)nlmsg_data(nlh))->cmd;
	nla_strlcpy(f->name, tb[CTRL_ATTR_FAMILY_NAME], sizeof(f->name));
	f->id = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return 0;
	/* An array: one nest per group, each with a name and an id. */
	nla_for_each_nested(grp, tb[CTRL_ATTR_MCAST_GROUPS], rem) {
		struct nlattr *g[CTRL_ATTR_MCAST_GRP_MAX + 1];

		if (nla_parse_nested(g, CTRL_ATTR_MCAST_GRP_MAX, grp,
				     ctrl_grp_policy) < 0)
			return -EBADMSG;
		if (g[CTRL_ATTR_MCAST_GRP_NAME] && g[CTRL_ATTR_MCAST_GRP_ID] &&
		    !strcmp(nla_get_string(g[CTRL_ATTR_MCAST_GRP_NAME]),
			    VMCLOCK_MCGRP_EVENTS))
			f->events_group = nla_get_u32(g[CTRL_ATTR_MCAST_GRP_ID]);
	}
	return 0;
}

/* Every callback set of the socket starts here: drop what is not the kernel's. */
static int from_kernel_cb(struct nl_msg *msg, void *arg)
{
	(void)arg;
	return vmclock_nl_from_kernel(msg) ? NL_OK : NL_SKIP;
}

static struct nl_cb *socket_cb(struct vmclock_nl *nl)
{
	struct nl_cb *sock_cb = nl_socket_get_cb(nl->sk);
	struct nl_cb *cb = nl_cb_clone(sock_cb);

	nl_cb_put(sock_cb);
	return cb;
}

static int resolve_family(struct vmclock_nl *nl)
{
	nl->family = genl_ctrl_resolve(nl->sk, VMCLOCK_FAMILY_NAME);
	if (nl->family >= 0)
		return 0;
	if (nl->family == -NLE_OBJ_NOTFOUND)
		err_msg("vmclock module not loaded (modprobe vmclock)");
	else
		err_msg("resolving netlink family %s: %s",
			VMCLOCK_FAMILY_NAME, nl_geterror(nl->family));
	return -ENOENT;
}

struct vmclock_nl *vmclock_nl_open(void)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct vmclock_nl *nl;
	int one = 1;
	int err;

	nl = calloc(1, sizeof(*nl));
	if (!nl) {
		err_msg("out of memory");
		return NULL;
	}
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		err_msg("out of memory");
		goto err_free;
	}
	err = genl_connect(nl->sk);
	if (err < 0) {
		err_msg("generic netlink: %s", nl_geterror(err));
		goto err_sock;
	}
	/* Only the kernel may then send to this socket's port. */
	if (connect(nl_socket_get_fd(nl->sk), (struct sockaddr *)&kernel,
		    sizeof(kernel)) < 0) {
		err_msg("generic netlink: %s", strerror(errno));
		goto err_sock;
	}
	/* libnl's own requests (genl_ctrl_resolve) clone this set too. */
	nl_socket_modify_cb(nl->sk, NL_CB_MSG_IN, NL_CB_CUSTOM, from_kernel_cb,
			    NULL);
	/* Older kernels lack extended acks: messages are then just missing. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));

	if (resolve_family(nl))
		goto err_sock;
	return nl;

err_sock:
	nl_socket_free(nl->sk);
err_free:
	free(nl);
	return NULL;
}

void vmclock_nl_close(struct vmclock_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

const char *vmclock_nl_extack(const struct vmclock_nl *nl)
{
	return nl->extack[0] ? nl->extack : NULL;
}

static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[VMCLOCK_A_MAX + 1];
	int err;

	if (nlh->nlmsg_type != req->nl->family ||
	    vmclock_nl_parse(nlh, tb)) {
		req->err = -EBADMSG;
		return NL_STOP;
	}
	if (req->fn) {
		err = req->fn(tb, req->arg);
		if (err < 0) {
			req->err = err;
			return NL_STOP;
		}
	}
	return NL_OK;
}

static int finish_cb(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;

	(void)msg;
	if (req->err > 0)
		req->err = 0;
	return NL_STOP;
}

static int ack_cb(struct nl_msg *msg, void *arg)
{
	return finish_cb(msg, arg);
}

/* Copy NLMSGERR_ATTR_MSG, when the kernel sent one, into nl->extack. */
static void read_extack(struct vmclock_nl *nl, const struct nlmsgerr *e)
{
	const struct nlmsghdr *nlh = (const void *)((const char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = NLMSG_HDRLEN + sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* Unless capped, the request is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
	if (nlh->nlmsg_len <= off)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + off),
		      nlh->nlmsg_len - off, extack_policy) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(nl->extack, tb[NLMSGERR_ATTR_MSG],
			    sizeof(nl->extack));
}

static int error_cb(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct request *req = arg;

	/* MSG_IN dropped other senders before; this is a second guard. */
	if (who->nl_pid != 0)
		return NL_SKIP;
	req->err = e->error < 0 ? e->error : -EPROTO;
	read_extack(req->nl, e);
	return NL_STOP;
}

struct nl_msg *vmclock_nl_msg(struct vmclock_nl *nl, int cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
				flags, cmd, VMCLOCK_FAMILY_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

int vmclock_nl_send(struct vmclock_nl *nl, struct nl_msg *msg,
		    vmclock_nl_reply_fn fn, void *arg)
{
	struct request req = { .nl = nl, .fn = fn, .arg = arg, .err = 1 };
	struct nl_cb *cb;
	int err;

	nl->extack[0] = '\0';
	cb = socket_cb(nl);
	if (!msg || !cb) {
		err = -ENOMEM;
		goto out;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, &req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, finish_cb, &req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ack_cb, &req);
	nl_cb_err(cb, NL_CB_CUSTOM, error_cb, &req);

	err = nl_send_auto(nl->sk, msg);
	if (err < 0) {
		/* libnl reports its own codes; the socket call set errno. */
		err = errno ? -errno : -EIO;
		goto out;
	}
	while (req.err > 0) {
		err = nl_recvmsgs(nl->sk, cb);
		if (err < 0 && req.err > 0) {
			req.err = -EIO;
			break;
		}
	}
	err = req.err;
out:
	if (cb)
		nl_cb_put(cb);
	nlmsg_free(msg);
	return err;
}

int vmclock_nl_request(struct vmclock_nl *nl, int cmd, int flags,
		       vmclock_nl_reply_fn fn, void *arg)
{
	return vmclock_nl_send(nl, vmclock_nl_msg(nl, cmd, flags), fn, arg);
}

/*
 * Join the controller's "notify" group, to hear of the family going and
 * coming back, and vmclock's "events" group; the socket then only listens.
 * The family is resolved again once notifications are heard, so that an
 * unload and reload since vmclock_nl_open() is not missed.
 */
int vmclock_nl_subscribe(struct vmclock_nl *nl)
{
	int grp;

	grp = genl_ctrl_resolve_grp(nl->sk, "nlctrl", "notify");
	if (grp < 0 || nl_socket_add_membership(nl->sk, grp) < 0)
		return -EIO;
	if (resolve_family(nl))
		return -ENOENT;
	grp = genl_ctrl_resolve_grp(nl->sk, VMCLOCK_FAMILY_NAME,
				    VMCLOCK_MCGRP_EVENTS);
	if (grp < 0)
		return -ENOENT;
	return nl_socket_add_membership(nl->sk, grp) < 0 ? -EIO : 0;
}

/* Events carry sequence number 0: accept every one. */
static int no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

struct listen {
	struct vmclock_nl *nl;
	vmclock_nl_event_fn fn;
	void *arg;
	int ret;		/* 0 while listening */
};

/* The controller announced a family: only vmclock's going or coming back. */
static int ctrl_event(struct listen *l, struct nlmsghdr *nlh)
{
	struct vmclock_nl_family f;

	if (vmclock_nl_parse_ctrl(nlh, &f) ||
	    strcmp(f.name, VMCLOCK_FAMILY_NAME))
		return 0;
	switch (f.cmd) {
	case CTRL_CMD_DELFAMILY:
		if (f.id != l->nl->family)
			return 0;
		l->nl->family = -1;
		return l->fn(VMCLOCK_NL_EV_UNLOADED, NULL, l->arg);
	case CTRL_CMD_NEWFAMILY:
		/* Memberships went with the old family: join the new group. */
		if (f.events_group < 0 ||
		    nl_socket_add_membership(l->nl->sk, f.events_group) < 0)
			return -EIO;
		l->nl->family = f.id;
		return l->fn(VMCLOCK_NL_EV_LOADED, NULL, l->arg);
	default:
		return 0;
	}
}

static int event_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[VMCLOCK_A_MAX + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct listen *l = arg;

	if (nlh->nlmsg_type == GENL_ID_CTRL)
		l->ret = ctrl_event(l, nlh);
	else if (nlh->nlmsg_type != l->nl->family || vmclock_nl_parse(nlh, tb))
		return NL_SKIP;
	else
		l->ret = l->fn(((struct genlmsghdr *)nlmsg_data(nlh))->cmd, tb,
			       l->arg);
	return l->ret ? NL_STOP : NL_OK;
}

/*
 * Hand events to fn until it returns non-zero (negative: an error) or
 * receiving fails; without wait, also once no event is left to read.
 */
static int listen_events(struct vmclock_nl *nl, vmclock_nl_event_fn fn,
			 void *arg, bool wait)
{
	struct listen l = { .nl = nl, .fn = fn, .arg = arg };
	struct nl_cb *cb = socket_cb(nl);
	int err;

	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, event_cb, &l);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	if (!wait && nl_socket_set_nonblocking(nl->sk) < 0)
		l.ret = -EIO;
	while (!l.ret) {
		/* the number of messages read: 0 when none was waiting */
		err = nl_recvmsgs_report(nl->sk, cb);
		if (err < 0 && err != -NLE_INTR && err != -NLE_AGAIN) {
			l.ret = -EIO;
			break;
		}
		if (!wait && err <= 0)
			break;
	}
	nl_cb_put(cb);
	return l.ret < 0 ? l.ret : 0;
}

int vmclock_nl_listen(struct vmclock_nl *nl, vmclock_nl_event_fn fn, void *arg)
{
	return listen_events(nl, fn, arg, true);
}

/* The events already received, without waiting for more; as listen. */
int vmclock_nl_drain(struct vmclock_nl *nl, vmclock_nl_event_fn fn, void *arg)
{
	return listen_events(nl, fn, arg, false);
}

/* The socket, for poll(): readable when an event is waiting. */
int vmclock_nl_fd(const struct vmclock_nl *nl)
{
	return nl_socket_get_fd(nl->sk);
}

/* "strerror[: kernel message]" of a failed request, into buf. */
const char *nl_strerror(const struct vmclock_nl *nl, int err, char *buf,
			size_t len)
{
	const char *ext = nl ? vmclock_nl_extack(nl) : NULL;

	snprintf(buf, len, "%s%s%s%s", strerror(-err),
		 err == -EPERM ? " (needs CAP_NET_ADMIN)" : "",
		 ext ? ": " : "", ext ? ext : "");
	return buf;
}

/*
 * Report a failed request as "vmclockctl: WHAT: strerror[: kernel message]"
 * and return the exit code for it.
 */
int nl_fail(const struct vmclock_nl *nl, const char *what, int err)
{
	char buf[512];

	err_msg("%s: %s", what, nl_strerror(nl, err, buf, sizeof(buf)));
	return EXIT_ERROR;
}

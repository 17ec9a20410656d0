// SPDX-License-Identifier: GPL-2.0
/*
 * Talking to the vmclock generic netlink family with libnl-genl-3.
 *
 * libnl 3.7 has no extended-ack helper, so the socket asks for
 * NETLINK_EXT_ACK and the error callback reads NLMSGERR_ATTR_MSG itself.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

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

struct vmclock_nl *vmclock_nl_open(void)
{
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
	/* Older kernels lack extended acks: messages are then just missing. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));

	nl->family = genl_ctrl_resolve(nl->sk, VMCLOCK_FAMILY_NAME);
	if (nl->family < 0) {
		if (nl->family == -NLE_OBJ_NOTFOUND)
			err_msg("vmclock module not loaded (modprobe vmclock)");
		else
			err_msg("resolving netlink family %s: %s",
				VMCLOCK_FAMILY_NAME, nl_geterror(nl->family));
		goto err_sock;
	}
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
	struct nlattr *tb[VMCLOCK_A_MAX + 1];
	int err;

	err = genlmsg_parse(nlmsg_hdr(msg), 0, tb, VMCLOCK_A_MAX, NULL);
	if (err < 0) {
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
	const char *s;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* Unless capped, the request is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
	if (nlh->nlmsg_len <= off)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + off),
		      nlh->nlmsg_len - off, NULL) < 0)
		return;
	if (!tb[NLMSGERR_ATTR_MSG])
		return;
	s = nla_get_string(tb[NLMSGERR_ATTR_MSG]);
	snprintf(nl->extack, sizeof(nl->extack), "%.*s",
		 (int)strnlen(s, nla_len(tb[NLMSGERR_ATTR_MSG])), s);
}

static int error_cb(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct request *req = arg;

	(void)who;
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
	cb = nl_cb_alloc(NL_CB_DEFAULT);
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
	nl_cb_put(cb);
	nlmsg_free(msg);
	return err;
}

int vmclock_nl_request(struct vmclock_nl *nl, int cmd, int flags,
		       vmclock_nl_reply_fn fn, void *arg)
{
	return vmclock_nl_send(nl, vmclock_nl_msg(nl, cmd, flags), fn, arg);
}

/* Join the "events" multicast group; the socket then only listens. */
int vmclock_nl_subscribe(struct vmclock_nl *nl)
{
	int grp;

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
	vmclock_nl_event_fn fn;
	void *arg;
	int ret;		/* 0 while listening */
};

static int event_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[VMCLOCK_A_MAX + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct listen *l = arg;

	if (genlmsg_parse(nlh, 0, tb, VMCLOCK_A_MAX, NULL) < 0)
		return NL_SKIP;
	l->ret = l->fn(((struct genlmsghdr *)nlmsg_data(nlh))->cmd, tb, l->arg);
	return l->ret ? NL_STOP : NL_OK;
}

/*
 * Hand every event to fn until it returns non-zero (negative: an error) or
 * receiving fails.
 */
int vmclock_nl_listen(struct vmclock_nl *nl, vmclock_nl_event_fn fn, void *arg)
{
	struct listen l = { .fn = fn, .arg = arg };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err;

	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, event_cb, &l);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	while (!l.ret) {
		err = nl_recvmsgs(nl->sk, cb);
		if (err < 0 && err != -NLE_INTR) {
			l.ret = -EIO;
			break;
		}
	}
	nl_cb_put(cb);
	return l.ret < 0 ? l.ret : 0;
}

/*
 * Report a failed request as "vmclockctl: WHAT: strerror[: kernel message]"
 * and return the exit code for it.
 */
int nl_fail(const struct vmclock_nl *nl, const char *what, int err)
{
	const char *ext = nl ? vmclock_nl_extack(nl) : NULL;

	if (err == -EPERM)
		err_msg("%s: %s (needs CAP_NET_ADMIN)%s%s", what, strerror(-err),
			ext ? ": " : "", ext ? ext : "");
	else
		err_msg("%s: %s%s%s", what, strerror(-err),
			ext ? ": " : "", ext ? ext : "");
	return EXIT_ERROR;
}

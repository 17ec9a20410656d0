// SPDX-License-Identifier: GPL-2.0
/*
 * In-guest tests of the vmclock generic netlink family.  Needs the module
 * loaded and root (one test drops to an unprivileged user by itself).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "kselftest_harness.h"
#include "testlib.h"

/* The commands with handlers, and which of them only read. */
static const struct {
	int cmd;
	bool read_only;
} expected_ops[] = {
	{ VMCLOCK_CMD_STATUS_GET, true },
	{ VMCLOCK_CMD_SOURCE_GET, true },
	{ VMCLOCK_CMD_SOURCE_ADD, false },
	{ VMCLOCK_CMD_SOURCE_DEL, false },
	{ VMCLOCK_CMD_SOURCE_SET, false },
};

static int status_cb(struct nlattr **tb, void *arg)
{
	int *status = arg;

	if (!tb[VMCLOCK_A_STATUS])
		return -EBADMSG;
	*status = nla_get_u32(tb[VMCLOCK_A_STATUS]);
	return 0;
}

TEST(status_agrees_with_sysfs)
{
	struct vmclock_nl *nl = vmclock_nl_open();
	char sysfs[64];
	int status = -1;

	ASSERT_NE(NULL, nl);
	ASSERT_EQ(0, vmclock_nl_request(nl, VMCLOCK_CMD_STATUS_GET, 0,
					status_cb, &status));
	ASSERT_EQ(0, read_line("/sys/kernel/vmclock/status", sysfs,
				sizeof(sysfs)));
	EXPECT_STREQ(sysfs, status_name(status));
	vmclock_nl_close(nl);
}

static int version_cb(struct nlattr **tb, void *arg)
{
	if (!tb[VMCLOCK_A_VERSION])
		return -EBADMSG;
	nla_strlcpy(arg, tb[VMCLOCK_A_VERSION], 64);
	return 0;
}

TEST(status_reply_carries_module_version)
{
	struct vmclock_nl *nl = vmclock_nl_open();
	char version[64], want[64];
	struct nl_msg *msg;

	ASSERT_NE(NULL, nl);
	ASSERT_EQ(0, read_line("/sys/module/vmclock/version", want,
				sizeof(want)));
	msg = vmclock_nl_msg(nl, VMCLOCK_CMD_STATUS_GET, 0);
	ASSERT_NE(NULL, msg);
	version[0] = '\0';
	ASSERT_EQ(0, vmclock_nl_send(nl, msg, version_cb, version));
	EXPECT_STREQ(want, version);
	vmclock_nl_close(nl);
}

/* Dropping root drops CAP_NET_ADMIN: reads must still work. */
TEST(unprivileged_status_read)
{
	pid_t pid = fork();
	int wstatus;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct vmclock_nl *nl;
		int status = -1;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(10);
		if (geteuid() == 0)
			_exit(11);
		nl = vmclock_nl_open();
		if (!nl)
			_exit(12);
		if (vmclock_nl_request(nl, VMCLOCK_CMD_STATUS_GET, 0,
				       status_cb, &status))
			_exit(13);
		_exit(status >= 0 ? 0 : 14);
	}
	ASSERT_EQ(pid, waitpid(pid, &wstatus, 0));
	ASSERT_TRUE(WIFEXITED(wstatus));
	EXPECT_EQ(0, WEXITSTATUS(wstatus));
}

/* Strict validation: status-get takes no attributes. */
TEST(attribute_on_status_get_rejected)
{
	struct vmclock_nl *nl = vmclock_nl_open();
	struct nl_msg *msg;

	ASSERT_NE(NULL, nl);
	msg = vmclock_nl_msg(nl, VMCLOCK_CMD_STATUS_GET, 0);
	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_u32(msg, VMCLOCK_A_STATUS, 1));
	EXPECT_EQ(-EINVAL, vmclock_nl_send(nl, msg, NULL, NULL));
	vmclock_nl_close(nl);
}

TEST(unknown_command_rejected)
{
	struct vmclock_nl *nl = vmclock_nl_open();

	ASSERT_NE(NULL, nl);
	EXPECT_EQ(-EOPNOTSUPP, vmclock_nl_request(nl, VMCLOCK_CMD_MAX + 1, 0,
						  NULL, NULL));
	/* Notifications are sent, never handled. */
	EXPECT_EQ(-EOPNOTSUPP, vmclock_nl_request(nl, VMCLOCK_CMD_SOURCE_ADD_NTF,
						  0, NULL, NULL));
	vmclock_nl_close(nl);
}

/* What the kernel's genetlink controller says about the family. */
struct family_info {
	int n_ops;
	int cmd[64];
	unsigned int flags[64];
	bool has_events;
	int version;
};

static int family_cb(struct nl_msg *msg, void *arg)
{
	struct family_info *fi = arg;
	struct nlattr *tb[CTRL_ATTR_MAX + 1], *nest;
	int rem;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, CTRL_ATTR_MAX, NULL))
		return NL_SKIP;
	if (tb[CTRL_ATTR_VERSION])
		fi->version = nla_get_u32(tb[CTRL_ATTR_VERSION]);
	if (tb[CTRL_ATTR_OPS]) {
		nla_for_each_nested(nest, tb[CTRL_ATTR_OPS], rem) {
			struct nlattr *op[CTRL_ATTR_OP_MAX + 1];

			if (fi->n_ops >= 64 ||
			    nla_parse_nested(op, CTRL_ATTR_OP_MAX, nest, NULL))
				continue;
			fi->cmd[fi->n_ops] = op[CTRL_ATTR_OP_ID] ?
				(int)nla_get_u32(op[CTRL_ATTR_OP_ID]) : -1;
			fi->flags[fi->n_ops] = op[CTRL_ATTR_OP_FLAGS] ?
				nla_get_u32(op[CTRL_ATTR_OP_FLAGS]) : 0;
			fi->n_ops++;
		}
	}
	if (tb[CTRL_ATTR_MCAST_GROUPS]) {
		nla_for_each_nested(nest, tb[CTRL_ATTR_MCAST_GROUPS], rem) {
			struct nlattr *grp[CTRL_ATTR_MCAST_GRP_MAX + 1];

			if (nla_parse_nested(grp, CTRL_ATTR_MCAST_GRP_MAX, nest,
					     NULL))
				continue;
			if (grp[CTRL_ATTR_MCAST_GRP_NAME] &&
			    !strcmp(nla_get_string(grp[CTRL_ATTR_MCAST_GRP_NAME]),
				    VMCLOCK_MCGRP_EVENTS))
				fi->has_events = true;
		}
	}
	return NL_OK;
}

TEST(privileged_ops_need_cap_net_admin)
{
	struct family_info fi = { 0 };
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_msg *msg;
	int i, j;

	ASSERT_NE(NULL, sk);
	ASSERT_EQ(0, genl_connect(sk));
	msg = nlmsg_alloc();
	ASSERT_NE(NULL, msg);
	ASSERT_NE(NULL, genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL,
				    0, 0, CTRL_CMD_GETFAMILY, 1));
	ASSERT_EQ(0, nla_put_string(msg, CTRL_ATTR_FAMILY_NAME,
				    VMCLOCK_FAMILY_NAME));
	ASSERT_LE(0, nl_send_auto(sk, msg));
	nlmsg_free(msg);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, family_cb, &fi);
	ASSERT_LE(0, nl_recvmsgs_default(sk));
	ASSERT_LE(0, nl_wait_for_ack(sk));
	nl_socket_free(sk);

	EXPECT_EQ(VMCLOCK_FAMILY_VERSION, fi.version);
	EXPECT_TRUE(fi.has_events);
	ASSERT_EQ((int)ARRAY_SIZE(expected_ops), fi.n_ops);
	for (j = 0; j < (int)ARRAY_SIZE(expected_ops); j++) {
		for (i = 0; i < fi.n_ops; i++)
			if (fi.cmd[i] == expected_ops[j].cmd)
				break;
		ASSERT_LT(i, fi.n_ops) TH_LOG("no op for cmd %d",
					      expected_ops[j].cmd);
		TH_LOG("cmd %d flags %#x", fi.cmd[i], fi.flags[i]);
		/* The harness macros are not if/else safe: braces. */
		if (expected_ops[j].read_only) {
			EXPECT_EQ(0U, fi.flags[i] & GENL_ADMIN_PERM);
		} else {
			EXPECT_NE(0U, fi.flags[i] & GENL_ADMIN_PERM);
		}
	}
}

/* A fresh module has no estimate: reads of its clock fail with EAGAIN. */
TEST(unified_clock_unsynchronized_read)
{
	int fd = open_phc(own_phc());
	char name[64], path[64];
	struct timespec ts;

	ASSERT_LE(0, fd);
	snprintf(path, sizeof(path), "/sys/class/ptp/ptp%d/clock_name", own_phc());
	ASSERT_EQ(0, read_line(path, name, sizeof(name)));
	EXPECT_STREQ("vmclock-unified", name);
	EXPECT_EQ(-1, clock_gettime(((~(clockid_t)fd) << 3) | 3, &ts));
	EXPECT_EQ(EAGAIN, errno);
	close(fd);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of what vmclockctl accepts from netlink (user/netlink.c,
 * user/source.c) and from its command line (user/util.c).  Built with
 * AddressSanitizer: messages are copied into buffers of their exact size,
 * so that reading past an attribute is caught, not just wrong.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "kselftest_harness.h"
#include "vmclockctl.h"

struct options opts;

#define FAMILY 0x20

/* A message of the family with one attribute of any length. */
static struct nl_msg *msg_with(int type, const void *data, int len)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg || !genlmsg_put(msg, 0, 0, FAMILY, 0, 0,
				 VMCLOCK_CMD_SOURCE_ADD_NTF, 1) ||
	    nla_put(msg, type, len, data)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* nlh copied into a buffer of exactly its length (free it). */
static struct nlmsghdr *exact_copy(const struct nlmsghdr *nlh)
{
	struct nlmsghdr *copy = malloc(nlh->nlmsg_len);

	if (copy)
		memcpy(copy, nlh, nlh->nlmsg_len);
	return copy;
}

FIXTURE(attr) {
	struct nlmsghdr *nlh;
};

FIXTURE_VARIANT(attr) {
	int type;
	const char *data;
	int len;
	bool ok;
};

#define V(name, t, d, l, o) \
	FIXTURE_VARIANT_ADD(attr, name) { .type = t, .data = d, .len = l, .ok = o }

V(u64_whole, VMCLOCK_A_ERROR_BOUND_NS, "12345678", 8, true);
V(u64_short, VMCLOCK_A_ERROR_BOUND_NS, "1234", 4, false);
V(u64_empty, VMCLOCK_A_ERROR_BOUND_NS, "", 0, false);
V(u64_long, VMCLOCK_A_SAMPLES, "123456789012", 12, false);
V(s64_short, VMCLOCK_A_OFFSET_NS, "1234567", 7, false);
V(s64_whole, VMCLOCK_A_FREQ_PPB, "12345678", 8, true);
V(u32_whole, VMCLOCK_A_SOURCE_ID, "1234", 4, true);
V(u32_short, VMCLOCK_A_SOURCE_ID, "12", 2, false);
V(u32_long, VMCLOCK_A_STATUS, "12345678", 8, false);
V(u8_whole, VMCLOCK_A_SELECTED, "\1", 1, true);
V(u8_empty, VMCLOCK_A_ENABLED, "", 0, false);
V(string_ok, VMCLOCK_A_CLOCK_NAME, "KVM virtual PTP", 16, true);
V(string_unterminated, VMCLOCK_A_CLOCK_NAME, "KVM virtual PTP", 15, false);
V(string_empty, VMCLOCK_A_PROFILE, "", 0, false);
V(string_nul_inside, VMCLOCK_A_VERSION, "0.1\0x", 5, false);
V(unknown_type_ignored, VMCLOCK_A_MAX + 3, "abc", 3, true);

FIXTURE_SETUP(attr)
{
	struct nl_msg *msg = msg_with(variant->type, variant->data, variant->len);

	ASSERT_NE(NULL, msg);
	self->nlh = exact_copy(nlmsg_hdr(msg));
	nlmsg_free(msg);
	ASSERT_NE(NULL, self->nlh);
}

FIXTURE_TEARDOWN(attr)
{
	free(self->nlh);
}

TEST_F(attr, checked_against_the_policy)
{
	struct nlattr *tb[VMCLOCK_A_MAX + 1];

	EXPECT_EQ(variant->ok ? 0 : -EBADMSG, vmclock_nl_parse(self->nlh, tb));
	if (variant->ok && variant->type <= VMCLOCK_A_MAX)
		EXPECT_NE(NULL, tb[variant->type]);
}

/* An attribute longer than what is left of the message is never read. */
TEST(attribute_past_the_end)
{
	struct nl_msg *msg = msg_with(VMCLOCK_A_OFFSET_NS, "12345678", 8);
	struct nlattr *tb[VMCLOCK_A_MAX + 1];
	struct nlmsghdr *nlh;

	ASSERT_NE(NULL, msg);
	nlh = exact_copy(nlmsg_hdr(msg));
	nlmsg_free(msg);
	ASSERT_NE(NULL, nlh);
	/* Cut the message inside the attribute's value. */
	nlh->nlmsg_len -= 4;
	nlh = realloc(nlh, nlh->nlmsg_len);
	ASSERT_NE(NULL, nlh);
	if (!vmclock_nl_parse(nlh, tb))
		EXPECT_EQ(NULL, tb[VMCLOCK_A_OFFSET_NS]);
	free(nlh);
}

TEST(no_room_for_the_genetlink_header)
{
	struct nlmsghdr *nlh = calloc(1, NLMSG_HDRLEN + 2);
	struct nlattr *tb[VMCLOCK_A_MAX + 1];

	ASSERT_NE(NULL, nlh);
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	nlh->nlmsg_type = FAMILY;
	EXPECT_EQ(-EBADMSG, vmclock_nl_parse(nlh, tb));
	free(nlh);
}

/*
 * Random attribute streams: whatever is accepted has the sizes the policy
 * promises, and source_parse() reads it without going past the buffer
 * (AddressSanitizer watches).  Fixed seed: a failure can be replayed.
 */
TEST(random_attributes)
{
	static const int sizes[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 16 };
	struct nlattr *tb[VMCLOCK_A_MAX + 1];
	int i, j, accepted = 0;

	srandom(20261123);
	for (i = 0; i < 20000; i++) {
		struct nl_msg *msg = nlmsg_alloc();
		struct nlmsghdr *nlh;
		struct source s;
		int n = 1 + random() % 6;

		ASSERT_NE(NULL, msg);
		ASSERT_NE(NULL, genlmsg_put(msg, 0, 0, FAMILY, 0, 0,
					    VMCLOCK_CMD_SOURCE_ADD_NTF, 1));
		for (j = 0; j < n; j++) {
			unsigned char data[16];
			int len = sizes[random() % ARRAY_SIZE(sizes)];
			size_t k;

			for (k = 0; k < sizeof(data); k++)
				data[k] = random() % 4 ? 'a' + random() % 26 : 0;
			ASSERT_EQ(0, nla_put(msg, random() % (VMCLOCK_A_MAX + 3),
					     len, data));
		}
		nlh = exact_copy(nlmsg_hdr(msg));
		nlmsg_free(msg);
		ASSERT_NE(NULL, nlh);
		if (vmclock_nl_parse(nlh, tb)) {
			free(nlh);
			continue;
		}
		accepted++;
		for (j = 1; j <= VMCLOCK_A_MAX; j++) {
			if (!tb[j] || j == VMCLOCK_A_PAD)
				continue;
			switch (j) {
			case VMCLOCK_A_VERSION:
			case VMCLOCK_A_PROFILE:
			case VMCLOCK_A_CLOCK_NAME:
			case VMCLOCK_A_READ_NOTE:
				ASSERT_LE(1, nla_len(tb[j]));
				ASSERT_EQ(0, ((char *)nla_data(tb[j]))[nla_len(tb[j]) - 1]);
				break;
			case VMCLOCK_A_ENABLED:
			case VMCLOCK_A_SELECTED:
				ASSERT_EQ(1, nla_len(tb[j]));
				break;
			default:
				ASSERT_TRUE(nla_len(tb[j]) == 4 || nla_len(tb[j]) == 8)
					TH_LOG("attr %d len %d", j, nla_len(tb[j]));
			}
		}
		source_parse(tb, &s);
		free(nlh);
	}
	TH_LOG("%d of 20000 accepted", accepted);
	EXPECT_LT(100, accepted);
}

/* Replies and events count only from the kernel: source port 0. */
TEST(sender_must_be_the_kernel)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK, .nl_pid = 0 };
	struct sockaddr_nl process = { .nl_family = AF_NETLINK, .nl_pid = 4242 };
	struct nl_msg *msg = msg_with(VMCLOCK_A_SOURCE_ID, "1234", 4);

	ASSERT_NE(NULL, msg);
	nlmsg_set_src(msg, &kernel);
	EXPECT_TRUE(vmclock_nl_from_kernel(msg));
	nlmsg_set_src(msg, &process);
	EXPECT_FALSE(vmclock_nl_from_kernel(msg));
	/* The header's port is the sender's to choose: it proves nothing. */
	nlmsg_hdr(msg)->nlmsg_pid = 0;
	EXPECT_FALSE(vmclock_nl_from_kernel(msg));
	nlmsg_free(msg);
}

/* The controller's NEWFAMILY, with the nested group list. */
static struct nlmsghdr *ctrl_msg(int cmd, const char *name, int id_len,
				 int grp_id_len, bool terminate_grp_name)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nlattr *grps, *grp;
	uint32_t id = 0x21, grp_id = 7;
	struct nlmsghdr *nlh;

	if (!msg || !genlmsg_put(msg, 0, 0, GENL_ID_CTRL, 0, 0, cmd, 2) ||
	    (name && nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, name)) ||
	    nla_put(msg, CTRL_ATTR_FAMILY_ID, id_len, &id))
		goto fail;
	grps = nla_nest_start(msg, CTRL_ATTR_MCAST_GROUPS);
	grp = nla_nest_start(msg, 1);
	if (!grps || !grp ||
	    nla_put(msg, CTRL_ATTR_MCAST_GRP_NAME, terminate_grp_name ? 7 : 6,
		    "events") ||
	    nla_put(msg, CTRL_ATTR_MCAST_GRP_ID, grp_id_len, &grp_id))
		goto fail;
	nla_nest_end(msg, grp);
	nla_nest_end(msg, grps);
	nlh = exact_copy(nlmsg_hdr(msg));
	nlmsg_free(msg);
	return nlh;
fail:
	nlmsg_free(msg);
	return NULL;
}

TEST(ctrl_notification_parsed)
{
	struct nlmsghdr *nlh = ctrl_msg(CTRL_CMD_NEWFAMILY, "vmclock", 2, 4, true);
	struct vmclock_nl_family f;

	ASSERT_NE(NULL, nlh);
	ASSERT_EQ(0, vmclock_nl_parse_ctrl(nlh, &f));
	EXPECT_EQ(CTRL_CMD_NEWFAMILY, f.cmd);
	EXPECT_STREQ("vmclock", f.name);
	EXPECT_EQ(0x21, f.id);
	EXPECT_EQ(7, f.events_group);
	free(nlh);
}

FIXTURE(bad_ctrl) {
	struct nlmsghdr *nlh;
};

FIXTURE_VARIANT(bad_ctrl) {
	const char *name;
	int id_len, grp_id_len;
	bool terminated;
};

FIXTURE_VARIANT_ADD(bad_ctrl, no_name) { NULL, 2, 4, true };
FIXTURE_VARIANT_ADD(bad_ctrl, short_family_id) { "vmclock", 1, 4, true };
FIXTURE_VARIANT_ADD(bad_ctrl, long_family_id) { "vmclock", 4, 4, true };
FIXTURE_VARIANT_ADD(bad_ctrl, short_group_id) { "vmclock", 2, 2, true };
FIXTURE_VARIANT_ADD(bad_ctrl, group_name_unterminated) { "vmclock", 2, 4, false };

FIXTURE_SETUP(bad_ctrl)
{
	self->nlh = ctrl_msg(CTRL_CMD_NEWFAMILY, variant->name, variant->id_len,
			     variant->grp_id_len, variant->terminated);
	ASSERT_NE(NULL, self->nlh);
}

FIXTURE_TEARDOWN(bad_ctrl)
{
	free(self->nlh);
}

TEST_F(bad_ctrl, rejected)
{
	struct vmclock_nl_family f;

	EXPECT_EQ(-EBADMSG, vmclock_nl_parse_ctrl(self->nlh, &f));
}

FIXTURE(number) {
	int dummy;
};

FIXTURE_VARIANT(number) {
	const char *arg;
	int ret;
	uint64_t want;
};

FIXTURE_VARIANT_ADD(number, plain) { "500", 0, 500 };
FIXTURE_VARIANT_ADD(number, min) { "50", 0, 50 };
FIXTURE_VARIANT_ADD(number, below) { "49", -ERANGE, 0 };
FIXTURE_VARIANT_ADD(number, above) { "3600001", -ERANGE, 0 };
FIXTURE_VARIANT_ADD(number, overflow) { "99999999999999999999999", -ERANGE, 0 };
FIXTURE_VARIANT_ADD(number, negative) { "-5", -EINVAL, 0 };
FIXTURE_VARIANT_ADD(number, space_negative) { " -5", -EINVAL, 0 };
FIXTURE_VARIANT_ADD(number, space) { " 500", -EINVAL, 0 };
FIXTURE_VARIANT_ADD(number, plus) { "+500", -EINVAL, 0 };
FIXTURE_VARIANT_ADD(number, trailing) { "500ms", -EINVAL, 0 };
FIXTURE_VARIANT_ADD(number, empty) { "", -EINVAL, 0 };
FIXTURE_VARIANT_ADD(number, hex) { "0x100", -EINVAL, 0 };

FIXTURE_SETUP(number) {}
FIXTURE_TEARDOWN(number) {}

TEST_F(number, parsed_or_refused)
{
	uint64_t v = 0;

	EXPECT_EQ(variant->ret, parse_number("--poll", variant->arg,
					     "a number of milliseconds", 50,
					     3600000, &v));
	EXPECT_EQ(variant->want, v);
}

TEST_HARNESS_MAIN

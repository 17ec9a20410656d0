// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of vmclockctl's helpers (user/util.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "vmclockctl.h"

static char *json_of(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	json_string(f, s);
	fclose(f);
	return buf;
}

FIXTURE(json) {
	char *out;
};

FIXTURE_VARIANT(json) {
	const char *in;
	const char *want;
};

FIXTURE_VARIANT_ADD(json, plain) { .in = "synchronized", .want = "\"synchronized\"" };
FIXTURE_VARIANT_ADD(json, empty) { .in = "", .want = "\"\"" };
FIXTURE_VARIANT_ADD(json, quote_backslash) { .in = "a\"b\\c", .want = "\"a\\\"b\\\\c\"" };
FIXTURE_VARIANT_ADD(json, newline_tab) { .in = "a\nb\tc", .want = "\"a\\nb\\tc\"" };
FIXTURE_VARIANT_ADD(json, control) { .in = "\x01\x1f", .want = "\"\\u0001\\u001f\"" };
FIXTURE_VARIANT_ADD(json, utf8_kept) { .in = "\xc2\xb5s", .want = "\"\xc2\xb5s\"" };

FIXTURE_SETUP(json)
{
	self->out = NULL;
}

FIXTURE_TEARDOWN(json)
{
	free(self->out);
}

TEST_F(json, escapes)
{
	self->out = json_of(variant->in);
	ASSERT_NE(NULL, self->out);
	EXPECT_STREQ(variant->want, self->out);
}

TEST(status_names)
{
	EXPECT_STREQ("unsynchronized", status_name(VMCLOCK_STATUS_UNSYNCHRONIZED));
	EXPECT_STREQ("synchronized", status_name(VMCLOCK_STATUS_SYNCHRONIZED));
	EXPECT_STREQ("holdover", status_name(VMCLOCK_STATUS_HOLDOVER));
	EXPECT_STREQ("disrupted", status_name(VMCLOCK_STATUS_DISRUPTED));
	EXPECT_STREQ("unknown", status_name(VMCLOCK_STATUS_MAX + 1));
	EXPECT_STREQ("unknown", status_name(~0U));
}

TEST(read_line_strips_newline_and_reports_errors)
{
	char path[] = "/tmp/vmclock-util-XXXXXX", buf[16];
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	ASSERT_EQ(12, write(fd, "ptp3\nsecond\n", 12));
	close(fd);
	EXPECT_EQ(0, read_line(path, buf, sizeof(buf)));
	EXPECT_STREQ("ptp3", buf);
	/* Too long for the buffer: cut, still terminated. */
	EXPECT_EQ(0, read_line(path, buf, 3));
	EXPECT_STREQ("pt", buf);
	unlink(path);
	EXPECT_EQ(-ENOENT, read_line(path, buf, sizeof(buf)));
	EXPECT_STREQ("", buf);
}

TEST(extra_args_detected)
{
	char *one[] = { "sources", NULL };
	char *two[] = { "sources", "x", NULL };

	EXPECT_FALSE(extra_args(1, one));
	EXPECT_TRUE(extra_args(2, two));
}

TEST_HARNESS_MAIN

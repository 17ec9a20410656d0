// SPDX-License-Identifier: GPL-2.0
/*
 * In-guest tests of vmclock sources: what source add rejects (errno and
 * message), and the life of a real driver's PHC (emulated e1000e): attach,
 * sampling, settings, the driver unloaded underneath, re-attach.
 * Needs the vmclock module loaded, the e1000e module loaded and root.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "kselftest_harness.h"
#include "testlib.h"

/* ---- virtual clocks (n_vclocks) ---- */

/*
 * Give PTP clock phc n virtual clocks; returns the index of the first (a
 * device below phc's own), 0 for n = 0, -1 on failure.
 */
static int vclocks_set(int phc, int n)
{
	char path[128], buf[16];
	int i;

	snprintf(path, sizeof(path), "/sys/class/ptp/ptp%d/n_vclocks", phc);
	snprintf(buf, sizeof(buf), "%d", n);
	if (write_str(path, buf))
		return -1;
	if (!n)
		return 0;
	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/sys/class/ptp/ptp%d/ptp%d", phc, i);
		if (!access(path, F_OK))
			return i;
	}
	return -1;
}

/* ---- what source add refuses ---- */

FIXTURE(reject) {
	struct vmclock_nl *nl;
	int fd;
	int vclock_of;		/* clock given a virtual clock, or -1 */
};

FIXTURE_VARIANT(reject) {
	const char *what;	/* how to make the fd */
	int err;
	const char *msg;
};

FIXTURE_VARIANT_ADD(reject, dev_null) {
	.what = "/dev/null", .err = -EINVAL,
	.msg = "fd is not a PTP clock (/dev/ptpN)",
};
FIXTURE_VARIANT_ADD(reject, rtc) {
	.what = "/dev/rtc0", .err = -EINVAL,
	.msg = "fd is not a PTP clock (/dev/ptpN)",
};
FIXTURE_VARIANT_ADD(reject, regular_file) {
	.what = "/init", .err = -EINVAL, .msg = "fd is not a character device",
};
FIXTURE_VARIANT_ADD(reject, directory) {
	.what = "/", .err = -EINVAL, .msg = "fd is not a character device",
};
FIXTURE_VARIANT_ADD(reject, socket) {
	.what = "socket", .err = -EINVAL, .msg = "fd is not a character device",
};
FIXTURE_VARIANT_ADD(reject, pipe) {
	.what = "pipe", .err = -EINVAL, .msg = "fd is not a character device",
};
FIXTURE_VARIANT_ADD(reject, own_clock) {
	.what = "own", .err = -EINVAL, .msg = "fd is vmclock's own unified clock",
};
FIXTURE_VARIANT_ADD(reject, own_clock_vclock) {
	.what = "own-vclock", .err = -EINVAL,
	.msg = "fd is a clock derived from vmclock's own unified clock",
};
FIXTURE_VARIANT_ADD(reject, o_path) {
	.what = "o_path", .err = -EBADF,
	.msg = "fd was opened with O_PATH, not as a PTP clock",
};
FIXTURE_VARIANT_ADD(reject, closed_fd) {
	.what = "closed", .err = -EBADF, .msg = "fd is not open in the sender",
};
FIXTURE_VARIANT_ADD(reject, no_fd) {
	.what = "none", .err = -EINVAL, .msg = "missing fd of the PTP clock",
};

FIXTURE_SETUP(reject)
{
	int p[2];

	self->nl = vmclock_nl_open();
	ASSERT_NE(NULL, self->nl);
	self->vclock_of = -1;
	if (!strcmp(variant->what, "socket")) {
		self->fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	} else if (!strcmp(variant->what, "pipe")) {
		ASSERT_EQ(0, pipe(p));
		close(p[1]);
		self->fd = p[0];
	} else if (!strcmp(variant->what, "own")) {
		self->fd = open_phc(own_phc());
	} else if (!strcmp(variant->what, "own-vclock")) {
		/* A virtual clock reads its parent: vmclock would read itself. */
		self->vclock_of = own_phc();
		self->fd = open_phc(vclocks_set(self->vclock_of, 1));
	} else if (!strcmp(variant->what, "o_path")) {
		char path[32];

		snprintf(path, sizeof(path), "/dev/ptp%d", foreign_phc());
		self->fd = open(path, O_PATH);
	} else if (!strcmp(variant->what, "closed")) {
		self->fd = 999;
		close(999);
	} else if (!strcmp(variant->what, "none")) {
		self->fd = -1;
	} else {
		self->fd = open(variant->what, O_RDONLY);
	}
	if (strcmp(variant->what, "closed") && strcmp(variant->what, "none"))
		ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", variant->what,
					      strerror(errno));
}

FIXTURE_TEARDOWN(reject)
{
	if (self->fd >= 0 && self->fd != 999)
		close(self->fd);
	if (self->vclock_of >= 0)
		vclocks_set(self->vclock_of, 0);
	vmclock_nl_close(self->nl);
}

TEST_F(reject, source_add)
{
	struct reply r, d;

	EXPECT_EQ(variant->err, add_req(self->nl, self->fd, NULL, 0, &r));
	EXPECT_STREQ(variant->msg, r.ext);
	/* Wrongly accepted: do not leave it sampling for the next tests. */
	if (!r.err)
		id_req(self->nl, VMCLOCK_CMD_SOURCE_DEL, r.id, 0, 0, &d);
}

/* A virtual clock of another driver's clock is a clock like any other. */
TEST(driver_vclock_accepted)
{
	struct vmclock_nl *nl = vmclock_nl_open();
	int phc = foreign_phc(), fd;
	struct reply r;
	char name[32];

	ASSERT_NE(NULL, nl);
	ASSERT_LE(0, phc);
	fd = open_phc(vclocks_set(phc, 1));
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, add_req(nl, fd, NULL, 0, &r)) TH_LOG("%s", r.ext);
	snprintf(name, sizeof(name), "ptp%d_virt", phc);
	EXPECT_STREQ(name, r.name);
	if (!r.err)
		EXPECT_EQ(0, id_req(nl, VMCLOCK_CMD_SOURCE_DEL, r.id, 0, 0, &r));
	close(fd);
	EXPECT_EQ(0, vclocks_set(phc, 0));
	vmclock_nl_close(nl);
}

TEST(bad_settings_rejected)
{
	struct vmclock_nl *nl = vmclock_nl_open();
	int fd = open_phc(foreign_phc());
	struct reply r;

	ASSERT_NE(NULL, nl);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, add_req(nl, fd, "vmware", 0, &r));
	EXPECT_STREQ("unknown profile (kvm, hyperv, ena, vmclock, generic)", r.ext);
	EXPECT_EQ(-ERANGE, add_req(nl, fd, NULL, VMCLOCK_POLL_MS_MIN - 1, &r));
	EXPECT_STREQ("integer out of range", r.ext);
	EXPECT_EQ(-ERANGE, add_req(nl, fd, NULL, VMCLOCK_POLL_MS_MAX + 1, &r));
	/* ENA allows 125 reads/s: polls below 8 ms could not keep to it. */
	EXPECT_EQ(0, add_req(nl, fd, "ena", VMCLOCK_POLL_MS_MIN, &r));
	EXPECT_EQ(0, id_req(nl, VMCLOCK_CMD_SOURCE_DEL, r.id, 0, 0, &r));
	close(fd);
	vmclock_nl_close(nl);
}

TEST(unknown_id_rejected)
{
	struct vmclock_nl *nl = vmclock_nl_open();
	struct reply r;
	int cmds[] = { VMCLOCK_CMD_SOURCE_DEL, VMCLOCK_CMD_SOURCE_SET,
		       VMCLOCK_CMD_SOURCE_GET };
	int i;

	ASSERT_NE(NULL, nl);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(-ENOENT, id_req(nl, cmds[i], 123456, 0, 0, &r));
		EXPECT_STREQ("no source with this id", r.ext);
	}
	EXPECT_EQ(-EINVAL, send_req(nl, vmclock_nl_msg(nl, VMCLOCK_CMD_SOURCE_DEL, 0), &r));
	EXPECT_STREQ("missing source id", r.ext);
	vmclock_nl_close(nl);
}

/* Every privileged command refuses a user without CAP_NET_ADMIN. */
TEST(unprivileged_changes_refused)
{
	int fd = open_phc(foreign_phc());
	pid_t pid;
	int ws;

	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct vmclock_nl *nl;
		struct reply r;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(10);
		nl = vmclock_nl_open();
		if (!nl)
			_exit(11);
		if (add_req(nl, fd, NULL, 0, &r) != -EPERM)
			_exit(12);
		if (id_req(nl, VMCLOCK_CMD_SOURCE_DEL, 1, 0, 0, &r) != -EPERM)
			_exit(13);
		if (id_req(nl, VMCLOCK_CMD_SOURCE_SET, 1, VMCLOCK_A_POLL_MS,
			   1000, &r) != -EPERM)
			_exit(14);
		/* Reading stays open. */
		if (vmclock_nl_request(nl, VMCLOCK_CMD_SOURCE_GET, NLM_F_DUMP,
				       NULL, NULL))
			_exit(15);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &ws, 0));
	close(fd);
	ASSERT_TRUE(WIFEXITED(ws));
	EXPECT_EQ(0, WEXITSTATUS(ws));
}

/* ---- a real driver's clock: attach, sample, configure, lose, regain ---- */

TEST(driver_phc_lifecycle)
{
	struct vmclock_nl *nl = vmclock_nl_open();
	int index = foreign_phc(), fd, fd2, again;
	struct events ev;
	struct reply r, g;
	uint32_t id, id2;
	char buf[64];
	double t0;

	ASSERT_NE(NULL, nl);
	ASSERT_LE(0, index);
	ASSERT_EQ(0, events_open(&ev));
	fd = open_phc(index);
	ASSERT_LE(0, fd);

	ASSERT_EQ(0, add_req(nl, fd, NULL, 100, &r)) TH_LOG("%s", r.ext);
	id = r.id;
	EXPECT_STREQ("generic", r.profile);	/* e1000e: a MAC-like name */
	EXPECT_EQ((uint32_t)index, r.phc);
	EXPECT_TRUE(events_wait(&ev, VMCLOCK_CMD_SOURCE_ADD_NTF, id, ~0U, 2));

	/* The same clock through another fd is a duplicate. */
	fd2 = open_phc(index);
	EXPECT_EQ(-EEXIST, add_req(nl, fd2, NULL, 0, &r));
	EXPECT_STREQ("this PTP clock is already a source", r.ext);
	close(fd2);
	close(fd);	/* the source holds its own reference */

	/*
	 * Sampling at 100 ms: at least 10 polls a second, at most 40 while
	 * the estimator asks for faster polls (this clock does not advance,
	 * so it never settles).
	 */
	usleep(1500000);
	ASSERT_EQ(0, id_req(nl, VMCLOCK_CMD_SOURCE_GET, id, 0, 0, &g));
	EXPECT_EQ(VMCLOCK_SOURCE_OK, g.state);
	EXPECT_LE(8U, g.samples) TH_LOG("samples %llu", (unsigned long long)g.samples);
	EXPECT_GE(62U, g.samples);
	EXPECT_LE((long long)g.samples, source_sysfs(id, "samples", buf, sizeof(buf)));
	source_sysfs(id, "state", buf, sizeof(buf));
	EXPECT_STREQ("ok", buf);
	source_sysfs(id, "clock_name", buf, sizeof(buf));
	EXPECT_STREQ(g.name, buf);
	EXPECT_LT(0, source_sysfs(id, "delay_ns", buf, sizeof(buf)));

	/* Disabled: no more samples; enabled again: sampling resumes. */
	ASSERT_EQ(0, id_req(nl, VMCLOCK_CMD_SOURCE_SET, id, VMCLOCK_A_ENABLED, 0, &r));
	EXPECT_TRUE(events_wait(&ev, VMCLOCK_CMD_SOURCE_CHANGE_NTF, id,
				VMCLOCK_SOURCE_DISABLED, 2));
	ASSERT_EQ(0, id_req(nl, VMCLOCK_CMD_SOURCE_GET, id, 0, 0, &g));
	usleep(500000);
	ASSERT_EQ(0, id_req(nl, VMCLOCK_CMD_SOURCE_GET, id, 0, 0, &r));
	EXPECT_EQ(g.samples, r.samples);
	EXPECT_EQ(VMCLOCK_SOURCE_DISABLED, r.state);
	ASSERT_EQ(0, id_req(nl, VMCLOCK_CMD_SOURCE_SET, id, VMCLOCK_A_ENABLED, 1, &r));
	ASSERT_EQ(0, id_req(nl, VMCLOCK_CMD_SOURCE_SET, id, VMCLOCK_A_POLL_MS, 200, &r));
	usleep(700000);
	ASSERT_EQ(0, id_req(nl, VMCLOCK_CMD_SOURCE_GET, id, 0, 0, &r));
	EXPECT_LT(g.samples, r.samples);
	EXPECT_EQ(VMCLOCK_SOURCE_OK, r.state);
	EXPECT_EQ(200U, r.poll_ms);
	EXPECT_EQ(200, source_sysfs(id, "poll_ms", buf, sizeof(buf)));

	/* The driver goes away underneath: gone, event, reference dropped. */
	t0 = now_s();
	ASSERT_EQ(0, system("modprobe -r e1000e"));
	TH_LOG("modprobe -r e1000e took %.1f s", now_s() - t0);
	EXPECT_TRUE(events_wait(&ev, VMCLOCK_CMD_SOURCE_CHANGE_NTF, id,
				VMCLOCK_SOURCE_GONE, 5));
	source_sysfs(id, "state", buf, sizeof(buf));
	EXPECT_STREQ("gone", buf);
	ASSERT_EQ(0, system("modprobe e1000e"));
	/* The driver gets its index back only if nobody holds the old one. */
	for (t0 = now_s(); now_s() - t0 < 10 && foreign_phc() < 0;)
		usleep(100000);
	again = foreign_phc();
	EXPECT_EQ(index, again);

	/* Re-attach the clock that came back; delete the gone source. */
	fd = open_phc(again);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, add_req(nl, fd, NULL, 100, &r)) TH_LOG("%s", r.ext);
	id2 = r.id;
	close(fd);
	EXPECT_NE(id, id2);
	ASSERT_EQ(0, id_req(nl, VMCLOCK_CMD_SOURCE_DEL, id, 0, 0, &r));
	EXPECT_TRUE(events_wait(&ev, VMCLOCK_CMD_SOURCE_DEL_NTF, id, ~0U, 2));
	snprintf(buf, sizeof(buf), "/sys/kernel/vmclock/sources/%u", id);
	EXPECT_NE(0, access(buf, F_OK));
	/* id2 stays attached: the suite unloads vmclock while it samples. */
	nl_socket_free(ev.sk);
	vmclock_nl_close(nl);
}

TEST_HARNESS_MAIN

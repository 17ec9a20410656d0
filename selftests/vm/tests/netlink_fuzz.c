// SPDX-License-Identifier: GPL-2.0
/*
 * In-guest netlink fuzzing of the vmclock family: many random messages
 * (commands known, notification-only and unknown; attributes of random
 * type, length and payload; nested garbage; dump flags), as root and as an
 * unprivileged user.  The module must answer every one with a reply or an
 * error, stay consistent, and the kernel log must stay clean (checked by
 * the host).  Deterministic: seeded, the seed is printed.  Each run logs
 * its figures: duration, rate, the mean and worst time a request took.
 *
 * Usage: netlink_fuzz [MESSAGES] [SEED]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "kselftest_harness.h"
#include "testlib.h"

static unsigned long fuzz_count = 3000;
static unsigned long long fuzz_seed = 0x766d636c6f636bULL;

static unsigned long long rnd_state;

static unsigned long long rnd(void)
{
	/* splitmix64 */
	unsigned long long z = (rnd_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Interesting integers: limits and their neighbours, small values. */
static unsigned long long rnd_value(void)
{
	static const unsigned long long edge[] = {
		0, 1, 2, 49, 50, 51, 99, 100, 101, 3600000, 3600001,
		1000000000ULL, 1000000001ULL, 0x7fffffffULL, 0x80000000ULL,
		0xffffffffULL, 0x100000000ULL, ~0ULL, 3, 4, 5, 6, 999,
	};

	if (rnd() % 2)
		return edge[rnd() % (sizeof(edge) / sizeof(edge[0]))];
	return rnd();
}

/* The type an attribute really has; 0 for the read-only strings. */
static int attr_kind(int type)
{
	switch (type) {
	case VMCLOCK_A_ENABLED:
		return 8;
	case VMCLOCK_A_HOST_ERROR_NS: case VMCLOCK_A_SAMPLES:
	case VMCLOCK_A_ERRORS: case VMCLOCK_A_DELAY_NS:
	case VMCLOCK_A_DELAY_MIN_NS: case VMCLOCK_A_OFFSET_NS:
	case VMCLOCK_A_READS:
		return 64;
	case VMCLOCK_A_PROFILE: case VMCLOCK_A_CLOCK_NAME:
	case VMCLOCK_A_VERSION:
		return 0;
	default:
		return 32;
	}
}

static unsigned long long attr_value(int type)
{
	/* Ids and fds that exist now and then: 5 is a PTP clock's fd. */
	if (type == VMCLOCK_A_SOURCE_ID && rnd() % 4)
		return 1 + rnd() % 8;
	if (type == VMCLOCK_A_FD && rnd() % 2)
		return 5;
	return rnd_value();
}

/*
 * One random request; returns the error the kernel answered and its
 * command in *cmdp.  Mostly well-formed (known commands, attributes of
 * their real type) so that the handlers' own checks are reached, with
 * garbage mixed in.
 */
static int fuzz_one(struct vmclock_nl *nl, int *cmdp)
{
	int cmd = rnd() % 8 ? 1 + rnd() % 5 : rnd() % (VMCLOCK_CMD_MAX + 4);
	int flags = rnd() % 8 == 0 ? NLM_F_DUMP : 0;
	struct nl_msg *msg = vmclock_nl_msg(nl, cmd, flags);
	int n = rnd() % 5, i;

	*cmdp = cmd;
	if (!msg)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		int type = rnd() % (VMCLOCK_A_MAX + 3);
		int kind = rnd() % 4 ? attr_kind(type) : (int)(rnd() % 5) * 8;
		unsigned long long v = attr_value(type);
		unsigned char buf[40];
		int len, j;

		switch (kind) {
		case 8:
			nla_put_u8(msg, type, (unsigned char)v);
			break;
		case 32:
			nla_put_u32(msg, type, (unsigned int)v);
			break;
		case 64:
			nla_put_u64(msg, type, v);
			break;
		case 0:
			nla_put_string(msg, type, rnd() % 2 ? "kvm" : rnd() % 2 ?
				       "generic" : "a-profile-name-longer-than-allowed");
			break;
		default:
			/* garbage of any length, no NUL guaranteed */
			len = rnd() % sizeof(buf);
			for (j = 0; j < len; j++)
				buf[j] = rnd();
			nla_put(msg, type, len, buf);
			break;
		}
	}
	return vmclock_nl_send(nl, msg, NULL, NULL);
}

/*
 * Send fuzz_count requests; returns how many of them changed something
 * (answered EEXIST, EBADF or ERANGE: past the permission check).  The
 * caller judges it, so that a forked child reports through its exit
 * status rather than through the harness's private state, which differs
 * between kernel versions.
 */
static int fuzz_run(struct __test_metadata *_metadata, bool privileged)
{
	struct vmclock_nl *nl = vmclock_nl_open();
	const char *who = privileged ? "root" : "unprivileged";
	double start, t, dt, worst = 0, total;
	unsigned long i, ok = 0, worst_i = 0;
	int err, cmd, worst_cmd = 0, errs[200] = { 0 };

	ASSERT_NE(NULL, nl);
	start = now_s();
	for (i = 0; i < fuzz_count; i++) {
		t = now_s();
		err = fuzz_one(nl, &cmd);
		dt = now_s() - t;
		if (dt > worst) {
			worst = dt;
			worst_i = i;
			worst_cmd = cmd;
		}
		if (!err)
			ok++;
		else if (-err < 200)
			errs[-err]++;
		/* Anything but a plain errno means the socket broke. */
		ASSERT_NE(-EIO, err) TH_LOG("message %lu", i);
	}
	total = now_s() - start;
	TH_LOG("%s: %lu messages, %lu accepted, EINVAL %d, ERANGE %d, "
	       "EOPNOTSUPP %d, ENOENT %d, EBADF %d, EPERM %d, EEXIST %d, "
	       "ENOSPC %d", who, fuzz_count, ok,
	       errs[EINVAL], errs[ERANGE], errs[EOPNOTSUPP], errs[ENOENT],
	       errs[EBADF], errs[EPERM], errs[EEXIST], errs[ENOSPC]);
	TH_LOG("%s: %.1f s, %.0f messages/s, mean %.0f us, worst %.1f ms "
	       "(message %lu, command %d)", who, total,
	       total > 0 ? fuzz_count / total : 0,
	       fuzz_count ? total / fuzz_count * 1e6 : 0, worst * 1e3,
	       worst_i, worst_cmd);
	vmclock_nl_close(nl);
	return errs[EEXIST] + errs[EBADF] + errs[ERANGE];
}

static int status_cb(struct nlattr **tb, void *arg)
{
	*(int *)arg = tb[VMCLOCK_A_STATUS] ? 1 : 0;
	return 0;
}

/*
 * make stress sends 100,000 messages per user: tens of seconds under
 * emulation, too close to the harness's default of 30 s per test.
 */
FIXTURE(fuzz) {
};

FIXTURE_SETUP(fuzz)
{
}

FIXTURE_TEARDOWN(fuzz)
{
}

TEST_F_TIMEOUT(fuzz, as_root, 600)
{
	struct vmclock_nl *nl;
	int have = 0;

	rnd_state = fuzz_seed;
	TH_LOG("seed %#llx", fuzz_seed);
	fuzz_run(_metadata, true);
	/* Still answering, and every source still has its sysfs directory. */
	nl = vmclock_nl_open();
	ASSERT_NE(NULL, nl);
	EXPECT_EQ(0, vmclock_nl_request(nl, VMCLOCK_CMD_STATUS_GET, 0,
					status_cb, &have));
	EXPECT_EQ(1, have);
	vmclock_nl_close(nl);
	EXPECT_EQ(0, system("n=$(vmclockctl -j sources | grep -o '\"id\":' | wc -l);"
			    "m=$(ls /sys/kernel/vmclock/sources | wc -l);"
			    "echo \"# sources: netlink $n sysfs $m\"; [ $n -eq $m ]"));
	/* Leave no source behind for the tests that follow. */
	EXPECT_EQ(0, system("for d in /sys/kernel/vmclock/sources/*; do "
			    "[ -d $d ] && vmclockctl source del ${d##*/}; done; "
			    "[ -z \"$(ls /sys/kernel/vmclock/sources)\" ]"));
}

TEST_F_TIMEOUT(fuzz, unprivileged, 600)
{
	pid_t pid;
	int ws, changed;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(10);
		rnd_state = fuzz_seed ^ 0x5555;
		/* Without CAP_NET_ADMIN nothing may change. */
		changed = fuzz_run(_metadata, false);
		_exit(changed ? 11 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &ws, 0));
	ASSERT_TRUE(WIFEXITED(ws));
	/* 10: could not drop privileges; 11: it changed something. */
	EXPECT_EQ(0, WEXITSTATUS(ws));
}

int main(int argc, char **argv)
{
	int phc = foreign_phc(), fd;

	/*
	 * A real PTP clock at fd 5, one of the values the fuzzer favours: some
	 * random source adds succeed, and random sets and dels meet sources.
	 */
	if (phc >= 0) {
		fd = open_phc(phc);
		if (fd >= 0 && fd != 5) {
			dup2(fd, 5);
			close(fd);
		}
	}
	if (argc > 1)
		fuzz_count = strtoul(argv[1], NULL, 0);
	if (argc > 2)
		fuzz_seed = strtoull(argv[2], NULL, 0);
	return test_harness_run(1, argv);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * make stress: vmclock unloaded and loaded again and again while 4 threads
 * hold the unified clock open and read it (clock_gettime(),
 * PTP_SYS_OFFSET_PRECISE, and an open sysfs file), and another keeps
 * asking over netlink, now and then leaving a dump unread for a while.
 *
 * What the module does: the unified clock's character device belongs to
 * the ptp core, so an open /dev/ptpN pins ptp, not vmclock, and the unload
 * goes ahead; the clock is unregistered, after which every operation on a
 * file still open fails with ENODEV without reaching vmclock, and the file
 * can be closed at any time later (one reader keeps the old clock open
 * across the next load).  A netlink dump in progress holds a reference to
 * the module: an unload meanwhile is refused (EAGAIN, EBUSY) and is tried
 * again.  Checked here: every unload ends, promptly; no read that began
 * after the unload returned succeeds, every reader sees ENODEV on both the
 * clock and the sysfs file; nothing of the module is left in sysfs.
 *
 * Needs vmclock and vmclock_sim loaded, no source attached, root; leaves
 * vmclock loaded with no source, and no simulated clock.
 *
 * Usage: stress_reload [CYCLES]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/ptp_clock.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "kselftest_harness.h"
#include "stress.h"
#include "testlib.h"

#define SIM_BASE	44
#define NCLOCKS		2
#define NREADERS	4
#define MAX_CYCLES	1000

static unsigned int cycles = 100;

/* Generation g: the clock loaded for the g-th time, /dev/ptp<phc[g]>. */
static int gen;
static int phc[MAX_CYCLES + 1];
/* When the unload of generation g returned; until then +inf. */
static volatile double unloaded_at[MAX_CYCLES + 1];
/* When the last try to unload generation g began. */
static volatile double unload_try[MAX_CYCLES + 1];
static int opened[MAX_CYCLES + 1];	/* readers holding g open */
static int finished[MAX_CYCLES + 1];	/* readers that saw g's ENODEV */
static volatile bool stop;

struct rl_reader {
	int index;
	pthread_t thread;
	unsigned long ok, eagain, enodev_clock, enodev_sysfs, errors;
	unsigned long late_ok;		/* succeeded, begun after the unload */
	unsigned long lingering;	/* old clocks kept open across a load */
	int last_errno;
	char what[200];
	struct lat to_enodev;		/* from the unload's try to ENODEV */
	struct lat lat;
};

static int read_one(int fd, int k)
{
	struct ptp_sys_offset_precise p;
	struct timespec ts;

	if (k)
		return ioctl(fd, PTP_SYS_OFFSET_PRECISE, &p) ? -errno : 0;
	return clock_gettime(FD_TO_CLOCKID(fd), &ts) ? -errno : 0;
}

static void *reader_main(void *arg)
{
	struct rl_reader *r = arg;
	int g = 0, fd = -1, sfd, old = -1, err;
	unsigned long i;
	char path[32], buf[64];
	double t, t_end;
	bool clock_gone, sysfs_gone;

	while (!stop) {
		if (__atomic_load_n(&gen, __ATOMIC_ACQUIRE) == g) {
			usleep(1000);
			continue;
		}
		g = __atomic_load_n(&gen, __ATOMIC_ACQUIRE);
		snprintf(path, sizeof(path), "/dev/ptp%d", phc[g]);
		fd = open(path, O_RDONLY);
		sfd = open("/sys/kernel/vmclock/status", O_RDONLY);
		if (fd < 0 || sfd < 0) {
			r->errors++;
			r->last_errno = errno;
			snprintf(r->what, sizeof(r->what), "open of generation %d: %s",
				 g, strerror(errno));
			if (fd >= 0)
				close(fd);
			if (sfd >= 0)
				close(sfd);
			__atomic_fetch_add(&opened[g], 1, __ATOMIC_RELEASE);
			__atomic_fetch_add(&finished[g], 1, __ATOMIC_RELEASE);
			continue;
		}
		/* Reader 0 let the previous clock go only now. */
		if (old >= 0) {
			close(old);
			r->lingering++;
			old = -1;
		}
		__atomic_fetch_add(&opened[g], 1, __ATOMIC_RELEASE);
		clock_gone = sysfs_gone = false;
		for (i = 0; !clock_gone || !sysfs_gone; i++) {
			t = now_s();
			if (!clock_gone) {
				err = read_one(fd, i % 2);
				t_end = now_s();
				if (!err) {
					r->ok++;
					lat_add(&r->lat, t_end - t);
				} else if (err == -EAGAIN) {
					r->eagain++;
				} else if (err == -ENODEV) {
					r->enodev_clock++;
					clock_gone = true;
					lat_add(&r->to_enodev, t_end - unload_try[g]);
				} else {
					r->errors++;
					r->last_errno = -err;
					snprintf(r->what, sizeof(r->what),
						 "read of generation %d: %s", g,
						 strerror(-err));
				}
				if (!err && t > unloaded_at[g]) {
					r->late_ok++;
					snprintf(r->what, sizeof(r->what),
						 "generation %d read %.1f ms after its unload",
						 g, (t - unloaded_at[g]) * 1e3);
				}
			}
			if (!sysfs_gone && i % 4 == 3) {
				if (pread(sfd, buf, sizeof(buf), 0) >= 0) {
					if (t > unloaded_at[g])
						r->late_ok++;
				} else if (errno == ENODEV) {
					r->enodev_sysfs++;
					sysfs_gone = true;
				} else {
					r->errors++;
					r->last_errno = errno;
				}
			}
			if (stop)
				break;
		}
		close(sfd);
		if (r->index == 0)
			old = fd;
		else
			close(fd);
		__atomic_fetch_add(&finished[g], 1, __ATOMIC_RELEASE);
	}
	if (old >= 0)
		close(old);
	return NULL;
}

/*
 * Netlink: status requests and dumps on a plain socket, the family
 * resolved afresh whenever it fails; every fourth dump is left unread for
 * 20 ms, which keeps the module referenced meanwhile.  In odd cycles it
 * asks; in even ones it pauses, between two requests.
 */
struct asker {
	pthread_t thread;
	volatile bool ask;
	volatile bool paused;
	unsigned long ok, failed, held;
};

static int asker_valid(struct nl_msg *msg, void *arg)
{
	return NL_OK;
}

static void *asker_main(void *arg)
{
	struct asker *a = arg;
	struct nl_sock *sk = NULL;
	struct timeval tv = { .tv_sec = 5 };
	struct nl_msg *msg;
	unsigned long i;
	int family = -1;

	for (i = 0; !stop; i++) {
		/* Busy first, then look: see the cycle's loop. */
		a->paused = false;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (!a->ask) {
			a->paused = true;
			usleep(1000);
			continue;
		}
		if (!sk) {
			sk = nl_socket_alloc();
			if (!sk || genl_connect(sk)) {
				a->failed++;
				break;
			}
			nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM,
					    asker_valid, NULL);
			/* A reply, or a dump to its end, or an error: no ack. */
			nl_socket_disable_auto_ack(sk);
			setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVTIMEO,
				   &tv, sizeof(tv));
		}
		if (family < 0) {
			family = genl_ctrl_resolve(sk, VMCLOCK_FAMILY_NAME);
			if (family < 0) {
				a->failed++;
				usleep(2000);
				continue;
			}
		}
		msg = nlmsg_alloc();
		if (!msg)
			break;
		genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			    i % 2 ? NLM_F_DUMP : 0,
			    i % 2 ? VMCLOCK_CMD_SOURCE_GET : VMCLOCK_CMD_STATUS_GET,
			    VMCLOCK_FAMILY_VERSION);
		if (nl_send_auto(sk, msg) < 0) {
			nlmsg_free(msg);
			a->failed++;
			family = -1;
			continue;
		}
		nlmsg_free(msg);
		if (i % 8 == 1) {
			usleep(20000);
			a->held++;
		}
		if (nl_recvmsgs_default(sk) < 0) {
			a->failed++;
			/* Start over: a new socket, the family resolved again. */
			nl_socket_free(sk);
			sk = NULL;
			family = -1;
			continue;
		}
		a->ok++;
	}
	nl_socket_free(sk);
	return NULL;
}

static int load(void)
{
	return system("modprobe vmclock");
}

static bool loaded(void)
{
	return !access("/sys/module/vmclock", F_OK);
}

/* Sources on the simulated clocks, sampled every 50 ms. */
static int attach(void)
{
	struct vmclock_nl *nl = vmclock_nl_open();
	struct reply r;
	int i, fd, err = 0;

	if (!nl)
		return -ENOENT;
	for (i = 0; i < NCLOCKS && !err; i++) {
		fd = open_phc(sim_ptp(SIM_BASE + i));
		if (fd < 0)
			return -errno;
		err = add_req(nl, fd, NULL, 50, &r);
		close(fd);
	}
	vmclock_nl_close(nl);
	return err;
}

static bool wait_count(int *count, int n, double timeout)
{
	double end = now_s() + timeout;

	while (__atomic_load_n(count, __ATOMIC_ACQUIRE) < n) {
		if (now_s() > end)
			return false;
		usleep(1000);
	}
	return true;
}

FIXTURE(reload) {
};

FIXTURE_SETUP(reload)
{
	int i;

	ASSERT_TRUE(loaded());
	ASSERT_EQ(0, dir_entries("/sys/kernel/vmclock/sources"));
	for (i = 0; i < NCLOCKS; i++)
		ASSERT_EQ(0, sim_ctl("add %d KVM virtual PTP", SIM_BASE + i));
	for (i = 0; i <= MAX_CYCLES; i++)
		unloaded_at[i] = 1e300;
}

FIXTURE_TEARDOWN(reload)
{
	int i;

	if (!loaded())
		load();
	for (i = 0; i < NCLOCKS; i++)
		sim_ctl("del %d", SIM_BASE + i);
}

TEST_F_TIMEOUT(reload, unload_with_readers, 1200)
{
	struct lat lat_load = { 0 }, lat_unload = { 0 }, to_enodev = { 0 }, rl = { 0 };
	unsigned long refused_eagain = 0, refused_ebusy = 0, left = 0;
	unsigned long refused_unasked = 0;
	unsigned long ok = 0, eagain = 0, enodev_clock = 0, enodev_sysfs = 0;
	unsigned long errors = 0, late_ok = 0, lingering = 0;
	struct rl_reader r[NREADERS];
	struct asker a = { 0 };
	unsigned int c, done = 0;
	char path[64], what[200] = "";
	double t, t0;
	int i, err = 0;

	if (cycles > MAX_CYCLES)
		cycles = MAX_CYCLES;
	memset(r, 0, sizeof(r));
	for (i = 0; i < NREADERS; i++) {
		r[i].index = i;
		ASSERT_EQ(0, pthread_create(&r[i].thread, NULL, reader_main, &r[i]));
	}
	a.ask = true;
	ASSERT_EQ(0, pthread_create(&a.thread, NULL, asker_main, &a));

	t0 = now_s();
	for (c = 1; c <= cycles; c++) {
		if (!loaded()) {
			t = now_s();
			if (load()) {
				snprintf(what, sizeof(what), "cycle %u: modprobe failed", c);
				break;
			}
			lat_add(&lat_load, now_s() - t);
		}
		err = attach();
		if (err) {
			snprintf(what, sizeof(what), "cycle %u: source add: %s", c,
				 strerror(-err));
			break;
		}
		phc[c] = own_phc();
		/* An even cycle begins once the asker is between requests. */
		a.ask = c % 2;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		while (!a.ask && !a.paused)
			usleep(1000);
		__atomic_store_n(&gen, c, __ATOMIC_RELEASE);
		if (!wait_count(&opened[c], NREADERS, 10)) {
			snprintf(what, sizeof(what), "cycle %u: readers did not open the clock", c);
			break;
		}
		/* 0 to 1.5 s: before, around and after the clock synchronizes */
		usleep((c % 4) * 500000 + (c * 37 % 100) * 1000);

		t = now_s();
		for (;;) {
			unload_try[c] = now_s();
			err = syscall(SYS_delete_module, "vmclock", O_NONBLOCK) ? errno : 0;
			if (err == EAGAIN || err == EBUSY) {
				if (!a.ask)
					refused_unasked++;
				if (err == EAGAIN)
					refused_eagain++;
				else
					refused_ebusy++;
				if (now_s() - t > 10)
					break;
				usleep(5000);
				continue;
			}
			break;
		}
		unloaded_at[c] = now_s();
		if (err) {
			snprintf(what, sizeof(what), "cycle %u: unload: %s", c, strerror(err));
			break;
		}
		lat_add(&lat_unload, unloaded_at[c] - t);
		snprintf(path, sizeof(path), "/sys/class/ptp/ptp%d", phc[c]);
		if (!access("/sys/kernel/vmclock", F_OK) || !access(path, F_OK) ||
		    loaded())
			left++;
		if (!wait_count(&finished[c], NREADERS, 10)) {
			snprintf(what, sizeof(what),
				 "cycle %u: readers did not see ENODEV within 10 s", c);
			break;
		}
		done++;
	}
	t = now_s() - t0;
	stop = true;
	for (i = 0; i < NREADERS; i++) {
		pthread_join(r[i].thread, NULL);
		ok += r[i].ok;
		eagain += r[i].eagain;
		enodev_clock += r[i].enodev_clock;
		enodev_sysfs += r[i].enodev_sysfs;
		errors += r[i].errors;
		late_ok += r[i].late_ok;
		lingering += r[i].lingering;
		lat_merge(&to_enodev, &r[i].to_enodev);
		lat_merge(&rl, &r[i].lat);
		if (r[i].what[0])
			TH_LOG("reader %d: %s", i, r[i].what);
	}
	pthread_join(a.thread, NULL);

	TH_LOG("%u unloads with %d readers holding the clock open in %.1f s", done,
	       NREADERS, t);
	TH_LOG("  modprobe: mean %.0f ms, worst %.0f ms; unload: mean %.0f ms, "
	       "worst %.0f ms (from the first try)", lat_mean(&lat_load) * 1e3,
	       lat_load.max * 1e3, lat_mean(&lat_unload) * 1e3, lat_unload.max * 1e3);
	TH_LOG("  unloads refused and tried again: EAGAIN %lu, EBUSY %lu "
	       "(%lu dumps left unread 20 ms); with no netlink request: %lu",
	       refused_eagain, refused_ebusy, a.held, refused_unasked);
	TH_LOG("  reads: %lu ok (worst %.2f ms), %lu unsynchronized, ENODEV on the "
	       "clock %lu and on sysfs %lu, %lu errors, %lu succeeded after the unload",
	       ok, rl.max * 1e3, eagain, enodev_clock, enodev_sysfs, errors, late_ok);
	TH_LOG("  first ENODEV after the successful try to unload began: mean %.1f ms, "
	       "worst %.1f ms; %lu old clocks closed after the next load",
	       lat_mean(&to_enodev) * 1e3, to_enodev.max * 1e3, lingering);
	TH_LOG("  netlink: %lu answered, %lu failed (unloaded)", a.ok, a.failed);
	if (what[0])
		TH_LOG("  %s", what);
	EXPECT_EQ(cycles, done);
	EXPECT_EQ(0UL, left);
	EXPECT_EQ(0UL, errors);
	EXPECT_EQ(0UL, late_ok);
	/* An open clock never keeps vmclock loaded. */
	EXPECT_EQ(0UL, refused_unasked);
	EXPECT_EQ((unsigned long)done * NREADERS, enodev_clock);
	EXPECT_EQ((unsigned long)done * NREADERS, enodev_sysfs);
	EXPECT_LT(0UL, ok);
	EXPECT_LT(0UL, a.ok);
	/* No unload hung: retries included, each ended within 10 s. */
	EXPECT_GT(10.0, lat_unload.max);

	/* Loaded again, as found. */
	if (!loaded())
		EXPECT_EQ(0, load());
}

int main(int argc, char **argv)
{
	if (argc > 1)
		cycles = strtoul(argv[1], NULL, 0);
	return test_harness_run(1, argv);
}

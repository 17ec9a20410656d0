// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vmclock-time and <vmclock/time.h> in the guest: the page gives
 * exactly what the unified PHC gives at the same raw time, bound included;
 * vmclock_now() never goes back, also across updates, a pause and four
 * threads reading while the page changes 100 times a second; any user
 * maps it, nobody writes or executes it; an unload leaves mappings that
 * say so.  The unload test comes last (it reloads vmclock).
 *
 * Needs vmclock and vmclock_sim loaded, root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "unified.h"
#include "vmclock/time.h"

FIXTURE(tp) {
	struct vmclock_nl *nl;
	int phc;
	int fd[2];
};

/* Simulated KVM and ENA clocks attached, the unified clock open. */
FIXTURE_SETUP(tp)
{
	static const char *const names[] = { "KVM virtual PTP", "ena-ptp-00" };
	struct reply r;
	int i;

	self->nl = vmclock_nl_open();
	ASSERT_NE(NULL, self->nl);
	sources_clear(self->nl, 0, 2);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, sim_ctl("add %d %s", i, names[i]));
		self->fd[i] = open_phc(sim_ptp(i));
		ASSERT_LE(0, self->fd[i]);
		ASSERT_EQ(0, add_req(self->nl, self->fd[i], NULL, 0, &r))
			TH_LOG("%s", r.ext);
	}
	self->phc = open_phc(own_phc());
	ASSERT_LE(0, self->phc);
}

FIXTURE_TEARDOWN(tp)
{
	if (self->nl)
		sources_clear(self->nl, 0, 2);
	close(self->fd[0]);
	close(self->fd[1]);
	if (self->phc >= 0)
		close(self->phc);
	if (self->nl)
		vmclock_nl_close(self->nl);
}

TEST_F(tp, layout)
{
	struct vmclock_time vt;
	struct stat st;

	ASSERT_EQ(0, stat(VMCLOCK_TIME_DEVICE, &st));
	EXPECT_EQ(0444U, st.st_mode & 0777);
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	ASSERT_EQ(0, vmclock_open(&vt));
	EXPECT_EQ((uint32_t)VMCLOCK_TIME_MAGIC, vt.page->magic);
	EXPECT_EQ(1U, vt.page->version);
	EXPECT_EQ(96U, vt.page->size);
	EXPECT_EQ(0U, vt.page->seq & 1);
	EXPECT_EQ(0U, vt.page->flags);
	ASSERT_TRUE(wait_synced(self->nl, 30));
	usleep(1100000);
	EXPECT_EQ((uint32_t)VMCLOCK_TIME_SYNCHRONIZED, vt.page->status);
	EXPECT_NE(VMCLOCK_TIME_BOUND_UNKNOWN, vt.page->bound_base);
	vmclock_close(&vt);
}

/*
 * 100 000 PTP_SYS_OFFSET_PRECISE reads of the unified clock, each between
 * two reads of the page's seq: when the page did not change, the library
 * at the read's raw time gives the read's time to the nanosecond; every
 * 1000th, its bound is the module's for that snapshot (netlink).  After
 * 20 000 the guest is paused 2 s unseen, and the reads go on until that
 * was a disruption.  vmclock_now() between them never goes back.
 */
TEST_F_TIMEOUT(tp, exact_100000, 300)
{
	struct ptp_sys_offset_precise p;
	struct vmclock_time vt;
	long long raw, t, last = 0, bad = 0, skipped = 0, back = 0;
	long long bound_checks = 0, bound_bad = 0;
	u64 b2;
	unsigned int s1, s2, status;
	struct status st;
	int64_t now, eval = 0;
	s64 eval2;
	uint64_t bound = 0;
	int n = 0, at;

	ASSERT_EQ(0, vmclock_open(&vt));
	ASSERT_TRUE(wait_synced(self->nl, 30));
	usleep(1100000);
	/* until 100 000 reads, and the pause seen as a disruption */
	while (n < 100000 || (!vmclock_disruptions(&vt) && n < 10000000)) {
		if (n == 20000) {
			ASSERT_EQ(0, sim_ctl("pause 2000000000"));
			n++;
		}
		s1 = vt.page->seq;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		memset(&p, 0, sizeof(p));
		if (ioctl(self->phc, PTP_SYS_OFFSET_PRECISE, &p)) {
			ASSERT_EQ(EAGAIN, errno);	/* reconverging */
			usleep(10000);
			continue;
		}
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = vt.page->seq;
		if ((s1 & 1) || s1 != s2) {
			skipped++;
			continue;
		}
		raw = ts_ns(&p.sys_monoraw);
		t = ts_ns(&p.device);
		at = vmclock_at(&vt, raw, &eval, &bound, &status);
		if (at || eval != t) {
			if (bad++ < 5)
				TH_LOG("at raw %lld: PHC %lld, page %lld (status %u)",
				       raw, t, (long long)eval, status);
		}
		/*
		 * The module's snapshot, if the page is still the one the
		 * read was made under (its seq unchanged since): else a
		 * later snapshot would be compared with the earlier copy.
		 */
		if (!at && !(n % 1000) && !get_status(self->nl, &st) &&
		    st.have_snap && vt.page->seq == s2 &&
		    st.snap.raw_base == vt.page->raw_base &&
		    st.snap.time_base == vt.page->time_base) {
			est_snapshot_eval(&st.snap, raw, &eval2, &b2);
			bound_checks++;
			if ((bound != b2 || eval2 != t) && bound_bad++ < 5)
				TH_LOG("at raw %lld: page bound %llu, module %llu",
				       raw, (unsigned long long)bound,
				       (unsigned long long)b2);
		}
		if (!vmclock_now(&vt, &now, &bound, NULL)) {
			if (now < last)
				back++;
			last = now;
		}
		n++;
	}
	TH_LOG("%d reads compared, %lld skipped (page changing), %lld bounds compared",
	       n, skipped, bound_checks);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, bound_bad);
	EXPECT_LT(50, bound_checks);
	EXPECT_EQ(0, back);
	EXPECT_LE(1ULL, vmclock_disruptions(&vt));
	vmclock_close(&vt);
}

struct reader {
	struct vmclock_time *vt;
	volatile bool *stop;
	long long reads, back, failed, changes;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	int64_t now, last = 0;
	uint64_t bound;
	unsigned int seq = 0;

	while (!*r->stop) {
		if (vmclock_now(r->vt, &now, &bound, NULL)) {
			r->failed++;
			continue;
		}
		if (now < last)
			r->back++;
		last = now;
		if (r->vt->page->seq != seq) {
			seq = r->vt->page->seq;
			r->changes++;
		}
		r->reads++;
	}
	return NULL;
}

/*
 * Four threads read for 5 s while five sources are polled every 50 ms
 * (the shortest interval), each poll an update of the page: about 100 a
 * second.  No read goes back, none fails.
 */
TEST_F_TIMEOUT(tp, concurrent_readers, 60)
{
	struct reader r[4];
	pthread_t th[4];
	volatile bool stop = false;
	struct vmclock_time vt;
	struct reply rep;
	unsigned int seq0;
	int i, fd[5];

	ASSERT_EQ(0, vmclock_open(&vt));
	for (i = 2; i < 5; i++) {
		ASSERT_EQ(0, sim_ctl("add %d KVM virtual PTP", i));
		fd[i] = open_phc(sim_ptp(i));
		ASSERT_LE(0, fd[i]);
		ASSERT_EQ(0, add_req(self->nl, fd[i], NULL, 0, &rep));
	}
	ASSERT_TRUE(wait_synced(self->nl, 30));
	for (i = 0; i < 5; i++) {
		ASSERT_TRUE(source_of_phc(self->nl, sim_ptp(i), &rep));
		ASSERT_EQ(0, id_req(self->nl, VMCLOCK_CMD_SOURCE_SET, rep.id,
				    VMCLOCK_A_POLL_MS, 50, &rep)) TH_LOG("%s", rep.ext);
	}
	seq0 = vt.page->seq;
	for (i = 0; i < 4; i++) {
		r[i] = (struct reader){ .vt = &vt, .stop = &stop };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, reader_main, &r[i]));
	}
	sleep(5);
	stop = true;
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		TH_LOG("reader %d: %lld reads, %lld page changes seen, %lld back, %lld failed",
		       i, r[i].reads, r[i].changes, r[i].back, r[i].failed);
		EXPECT_EQ(0, r[i].back);
		EXPECT_EQ(0, r[i].failed);
		EXPECT_LT(0, r[i].reads);
	}
	TH_LOG("page updates in 5 s: %u", (vt.page->seq - seq0) / 2);
	EXPECT_LT(400U, (vt.page->seq - seq0) / 2);
	vmclock_close(&vt);
	sources_clear(self->nl, 2, 3);
	for (i = 2; i < 5; i++)
		close(fd[i]);
}

/*
 * Anyone maps it read-only; nobody maps it writable, executable or
 * private, nor makes it writable later; a write through the mapping
 * faults.
 */
TEST_F(tp, permissions)
{
	struct vmclock_time vt;
	pid_t pid;
	void *m;
	int fd, st;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int64_t now;
		uint64_t bound;
		int rc = 0;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		if (vmclock_open(&vt))
			_exit(11);
		rc = vmclock_now(&vt, &now, &bound, NULL);
		if (rc && rc != -EAGAIN)
			_exit(12);
		if (open(VMCLOCK_TIME_DEVICE, O_RDWR) >= 0 || errno != EACCES)
			_exit(13);
		fd = open(VMCLOCK_TIME_DEVICE, O_RDONLY);
		m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m != MAP_FAILED || errno != EACCES)
			_exit(14);
		if (!mprotect((void *)vt.page, 4096, PROT_READ | PROT_WRITE) ||
		    errno != EACCES)
			_exit(15);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
		TH_LOG("unprivileged child: exit %d", WEXITSTATUS(st));

	/* Root opens it for writing, but maps it only read-only and shared. */
	fd = open(VMCLOCK_TIME_DEVICE, O_RDWR);
	ASSERT_LE(0, fd);
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, m);
	EXPECT_EQ(EPERM, errno);
	m = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, m);
	EXPECT_EQ(EPERM, errno);
	m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	EXPECT_EQ(MAP_FAILED, m);
	EXPECT_EQ(EINVAL, errno);
	m = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, m);
	EXPECT_EQ(EINVAL, errno);
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	close(fd);
	EXPECT_EQ(-1, mprotect(m, 4096, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);

	/* A write through the mapping faults. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		*(volatile uint32_t *)m = 0;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	munmap(m, 4096);
}

/*
 * Unloading vmclock with the page mapped: the unload goes ahead, the
 * mapping stays readable and says vmclock is gone; after a reload a new
 * open gets the new page.  Last: it reloads vmclock.
 */
TEST_F(tp, unload_with_mapping)
{
	struct vmclock_time old, vt;
	unsigned int status;
	int64_t now;
	uint64_t bound;

	ASSERT_EQ(0, vmclock_open(&old));
	ASSERT_TRUE(wait_synced(self->nl, 30));
	sources_clear(self->nl, 0, 0);
	close(self->phc);
	self->phc = -1;
	vmclock_nl_close(self->nl);
	self->nl = NULL;
	ASSERT_EQ(0, system("modprobe -r vmclock"));
	EXPECT_EQ(-ENODEV, vmclock_now(&old, &now, &bound, &status));
	EXPECT_EQ((unsigned int)VMCLOCK_TIME_STATUS_GONE, status);
	EXPECT_EQ(-ENOENT, vmclock_open(&vt));
	ASSERT_EQ(0, system("modprobe vmclock"));
	ASSERT_EQ(0, vmclock_open(&vt));
	EXPECT_EQ(-EAGAIN, vmclock_now(&vt, &now, &bound, &status));
	EXPECT_EQ((unsigned int)VMCLOCK_TIME_UNSYNCHRONIZED, status);
	/* the old mapping still says gone */
	EXPECT_EQ(-ENODEV, vmclock_now(&old, &now, &bound, &status));
	vmclock_close(&vt);
	vmclock_close(&old);
	self->nl = vmclock_nl_open();
	ASSERT_NE(NULL, self->nl);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * <vmclock/time.h> computes what the module computes: its evaluation of
 * the page against est_snapshot_eval() (kernel/estimator.c, built here as
 * in the estimator tests) for random snapshots and raw times, ordinary
 * ones and the extremes where every product and sum saturates.
 */
#include <stdio.h>
#include <stdlib.h>

#include "kselftest_harness.h"
#include "estimator.h"
#include "vmclock/time.h"

static uint64_t rng_state = 0x766d636c6f636b31ULL;

static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A value of one of the kinds that matter: small, ordinary, extreme. */
static int64_t pick(int64_t ordinary)
{
	static const int64_t extremes[] = {
		0, 1, -1, INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1,
		(int64_t)1 << 47, -((int64_t)1 << 47), (int64_t)1 << 62,
	};

	switch (rnd() % 8) {
	case 0:
		return extremes[rnd() % (sizeof(extremes) / sizeof(extremes[0]))];
	case 1:
		return (int64_t)rnd();
	case 2:
		return (int64_t)(rnd() % 2001) - 1000;
	default:
		return ordinary;
	}
}

TEST(library_equals_module)
{
	long long n, checked = 0, bounds = 0, time_bad = 0, bound_bad = 0;
	struct vmclock_time_abi page;
	struct est_snapshot snap;
	int64_t t_lib;
	uint64_t b_lib;
	s64 t_mod, raw;
	u64 b_mod;

	for (n = 0; n < 2000000; n++) {
		memset(&snap, 0, sizeof(snap));
		snap.raw_base = pick((int64_t)(rnd() % (1ULL << 50)));
		snap.time_base = pick(1796000000000000000LL +
				      (int64_t)(rnd() % (1ULL << 40)));
		/* |freq| up to about 1000 ppm in 2^-48 units */
		snap.freq = pick((int64_t)(rnd() % 562949953ULL) - 281474976LL);
		snap.slew = rnd() % 3 ? 0 : pick((int64_t)(rnd() % 281474976ULL) -
						 140737488LL);
		snap.slew_len = rnd() % 3 ? 0 : (u64)pick((int64_t)(rnd() %
						 (16ULL * 1000000000ULL)));
		snap.bound_base = rnd() % 16 ? (u64)pick((int64_t)(rnd() %
						 1000000000ULL)) : EST_BOUND_UNKNOWN;
		snap.bound_growth = (u64)pick((int64_t)(rnd() % 2814749767ULL));
		snap.status = EST_STATUS_SYNCHRONIZED;
		raw = snap.raw_base + pick((int64_t)(rnd() % (40ULL * 1000000000ULL)) -
					   (int64_t)(20ULL * 1000000000ULL));

		memset(&page, 0, sizeof(page));
		page.status = VMCLOCK_TIME_SYNCHRONIZED;
		page.raw_base = snap.raw_base;
		page.time_base = snap.time_base;
		page.freq = snap.freq;
		page.slew = snap.slew;
		page.slew_len = snap.slew_len;
		page.bound_base = snap.bound_base;
		page.bound_growth = snap.bound_growth;

		est_snapshot_eval(&snap, raw, &t_mod, &b_mod);
		if (vmclock__result(&page, raw, &t_lib, &b_lib, NULL)) {
			/* no bound: no time either, as the PHC's -EAGAIN */
			EXPECT_EQ(EST_BOUND_UNKNOWN, b_mod);
			continue;
		}
		checked++;
		if (t_lib != t_mod && time_bad++ < 5)
			TH_LOG("time: raw %lld base %lld/%lld freq %lld slew %lld/%llu: module %lld, library %lld",
			       (long long)raw, (long long)snap.raw_base,
			       (long long)snap.time_base, (long long)snap.freq,
			       (long long)snap.slew,
			       (unsigned long long)snap.slew_len,
			       (long long)t_mod, (long long)t_lib);
		bounds++;
		if (b_lib != b_mod && bound_bad++ < 5)
			TH_LOG("bound: raw %lld base %llu growth %llu: module %llu, library %llu",
			       (long long)raw, (unsigned long long)snap.bound_base,
			       (unsigned long long)snap.bound_growth,
			       (unsigned long long)b_mod,
			       (unsigned long long)b_lib);
	}
	TH_LOG("%lld cases compared, %lld time and %lld bound differences",
	       checked, time_bad, bound_bad);
	EXPECT_EQ(0, time_bad);
	EXPECT_EQ(0, bound_bad);
	EXPECT_LT(1000000, checked);
}

TEST_HARNESS_MAIN

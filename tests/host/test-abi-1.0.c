// SPDX-License-Identifier: GPL-2.0
/*
 * A program as it was built with libsksm 1.0 or 1.1: its own copies of the
 * structs of those versions (no size, no flags), bound to the LIBSKSM_1.0
 * versions of the functions that 1.2 changed. Run against the shared
 * library and the fixtures, as test-libsksm is:
 *
 *   test-abi-1.0 FIXTURES-COPY
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "tap.h"

struct sksm_partition;

struct stats_1_0 {
	char name[64];
	int state;
	int use_zero_pages;
	uid_t uid;
	gid_t gid;
	mode_t mode;
	uint64_t members;
	uint64_t pages_shared;
	uint64_t pages_sharing;
	uint64_t pages_unshared;
	uint64_t pages_scanned;
	uint64_t pages_skipped;
	uint64_t ksm_zero_pages;
	uint64_t merge_time_ns;
	int64_t general_profit;
	uint64_t reserved[8];
};

struct global_stats_1_0 {
	int run;
	uint64_t pages_shared;
	uint64_t pages_sharing;
	uint64_t pages_unshared;
	uint64_t pages_volatile;
	uint64_t pages_scanned;
	uint64_t pages_skipped;
	uint64_t ksm_zero_pages;
	uint64_t full_scans;
	int64_t general_profit;
	uint64_t reserved[8];
};

struct process_stats_1_0 {
	char partition[64];
	uint64_t rmap_items;
	uint64_t merging_pages;
	int64_t zero_pages;
	int64_t process_profit;
	int merge_any;
	int mergeable;
	uint64_t reserved[8];
};

struct walk_opts_1_0 {
	size_t chunk;
	int (*progress)(uint64_t done, uint64_t total, long pages, void *arg);
	void *arg;
	unsigned long start, end;
};

#define OLD(fn) __asm__(".symver " #fn "_1_0, " #fn "@LIBSKSM_1.0")
OLD(sksm_stat_name);
OLD(sksm_stat_global);
OLD(sksm_process_stat);
OLD(sksm_merge_process);

int sksm_stat_name_1_0(const char *name, struct stats_1_0 *st);
int sksm_stat_global_1_0(struct global_stats_1_0 *st);
int sksm_process_stat_1_0(pid_t pid, struct process_stats_1_0 *st);
long sksm_merge_process_1_0(struct sksm_partition *p, pid_t pid,
			    const struct walk_opts_1_0 *opts);
struct sksm_partition *sksm_open(const char *name, unsigned int flags,
				 mode_t mode);
void sksm_close(struct sksm_partition *p);

static char sysfs[1024], proc[1024], features[1100];

/* Guard words around each struct catch a write beyond the 1.0 layout */
#define GUARD 0x5a5a5a5a5a5a5a5aULL

static void test_stats(void)
{
	struct { struct stats_1_0 st; uint64_t guard; } s = { .guard = GUARD };
	struct { struct global_stats_1_0 g; uint64_t guard; } g = {
		.guard = GUARD };
	struct { struct process_stats_1_0 ps; uint64_t guard; } ps = {
		.guard = GUARD };

	CHECK_EQ(sksm_stat_name_1_0("vm1", &s.st), 0);
	CHECK_STR(s.st.name, "vm1");
	CHECK_EQ(s.st.pages_shared, 100);
	CHECK_EQ(s.st.pages_sharing, 3000);
	CHECK_EQ(s.st.general_profit, 12345678);
	CHECK_EQ(s.st.mode, 0600);
	CHECK_EQ(s.st.use_zero_pages, 1);
	CHECK(s.guard == GUARD);

	CHECK_EQ(sksm_stat_global_1_0(&g.g), 0);
	CHECK_EQ(g.g.run, 1);
	CHECK_EQ(g.g.pages_sharing, 3400);
	CHECK_EQ(g.g.general_profit, 14192640);
	CHECK(g.guard == GUARD);

	CHECK_EQ(sksm_process_stat_1_0(1234, &ps.ps), 0);
	CHECK_STR(ps.ps.partition, "vm1");
	CHECK(ps.ps.merging_pages > 0);
	CHECK(ps.guard == GUARD);
}

static int stop_at_once(uint64_t done, uint64_t total, long pages,
			void *arg)
{
	(void)done;
	(void)total;
	(void)pages;
	return ++*(int *)arg;
}

/* 1.0's walk, stopped by its callback, returned the pages done */
static void test_walk(void)
{
	int calls = 0;
	struct walk_opts_1_0 o = { .progress = stop_at_once, .arg = &calls };
	struct sksm_partition *p = sksm_open("vm1", 0x0002, 0);

	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_EQ(sksm_merge_process_1_0(p, 1234, &o), 0);
	CHECK_EQ(calls, 1);
	sksm_close(p);
}

static const struct tap_test tests[] = {
	{ "stats", test_stats },
	{ "walk", test_walk },
};

int main(int argc, char **argv)
{
	if (argc != 2 || strlen(argv[1]) > 1000) {
		fprintf(stderr, "usage: test-abi-1.0 FIXTURES-COPY\n");
		return 2;
	}
	snprintf(sysfs, sizeof(sysfs), "%s/sysfs", argv[1]);
	snprintf(proc, sizeof(proc), "%s/proc", argv[1]);
	snprintf(features, sizeof(features), "%s/control/features", sysfs);
	unlink(features);	/* the sysfs backend: no system calls here */
	setenv("SKSM_SYSFS_ROOT", sysfs, 1);
	setenv("SKSM_PROC_ROOT", proc, 1);
	return tap_run(tests, sizeof(tests) / sizeof(tests[0]));
}

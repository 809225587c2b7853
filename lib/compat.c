// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The functions whose structs changed in 1.2, in the shared library: as
 * 1.0 and 1.1 exported them (NAME@LIBSKSM_1.0), for programs built with
 * those versions, and as 1.2 does (NAME@@LIBSKSM_1.2, the default for new
 * programs). The 1.0 structs lack the size and flags that 1.2 put first,
 * and a 1.0 walk stopped by its progress callback returned the pages done
 * instead of failing with ECANCELED. A static program carries the library
 * it was built with and needs none of this.
 */
#include <string.h>

#include "internal.h"

#define COMPAT(fn, version) \
	__attribute__((symver(#fn "@LIBSKSM_" version)))
#define DEFAULT(fn, version) \
	__attribute__((symver(#fn "@@LIBSKSM_" version)))

DEFAULT(sksm_stat, "1.2")
int sksm_stat_1_2(const struct sksm_partition *p, struct sksm_stats *st)
{
	return sksm_stat(p, st);
}

DEFAULT(sksm_stat_name, "1.2")
int sksm_stat_name_1_2(const char *name, struct sksm_stats *st)
{
	return sksm_stat_name(name, st);
}

DEFAULT(sksm_stat_global, "1.2")
int sksm_stat_global_1_2(struct sksm_global_stats *st)
{
	return sksm_stat_global(st);
}

DEFAULT(sksm_process_stat, "1.2")
int sksm_process_stat_1_2(pid_t pid, struct sksm_process_stats *st)
{
	return sksm_process_stat(pid, st);
}

DEFAULT(sksm_merge_process, "1.2")
long sksm_merge_process_1_2(struct sksm_partition *p, pid_t pid,
			    const struct sksm_walk_opts *opts)
{
	return sksm_merge_process(p, pid, opts);
}

DEFAULT(sksm_unmerge_process, "1.2")
long sksm_unmerge_process_1_2(struct sksm_partition *p, pid_t pid,
			      const struct sksm_walk_opts *opts)
{
	return sksm_unmerge_process(p, pid, opts);
}

/*
 * The 1.0 layouts are the 1.2 structs without their first two members:
 * copy from the first 1.0 member to the end.
 */
struct sksm_stats_1_0 {
	char name[SKSM_NAME_MAX + 1];
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

struct sksm_global_stats_1_0 {
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

struct sksm_process_stats_1_0 {
	char partition[SKSM_NAME_MAX + 1];
	uint64_t rmap_items;
	uint64_t merging_pages;
	int64_t zero_pages;
	int64_t process_profit;
	int merge_any;
	int mergeable;
	uint64_t reserved[8];
};

struct sksm_walk_opts_1_0 {
	size_t chunk;
	sksm_progress_fn progress;
	void *arg;
	unsigned long start, end;
};

#define SAME_TAIL(new, old, first) \
	_Static_assert(sizeof(struct new) - offsetof(struct new, first) == \
		       sizeof(struct old) && \
		       offsetof(struct new, reserved) - \
		       offsetof(struct new, first) == \
		       offsetof(struct old, reserved), #old)

SAME_TAIL(sksm_stats, sksm_stats_1_0, name);
SAME_TAIL(sksm_global_stats, sksm_global_stats_1_0, run);
SAME_TAIL(sksm_process_stats, sksm_process_stats_1_0, partition);

#define TO_1_0(old, new, first) \
	memcpy(old, (const char *)(new) + offsetof(typeof(*(new)), first), \
	       sizeof(*(old)))

COMPAT(sksm_stat, "1.0")
int sksm_stat_1_0(const struct sksm_partition *p, struct sksm_stats_1_0 *st)
{
	struct sksm_stats s;
	int err;

	if (!p || !st)
		return (int)sksm__fail(-EINVAL);
	err = sksm__stat(p, &s);
	if (err)
		return (int)sksm__fail(err);
	TO_1_0(st, &s, name);
	return 0;
}

COMPAT(sksm_stat_name, "1.0")
int sksm_stat_name_1_0(const char *name, struct sksm_stats_1_0 *st)
{
	struct sksm_stats s;
	int err;

	if (!name || !st)
		return (int)sksm__fail(-EINVAL);
	err = sksm__stat_name(name, &s);
	if (err)
		return (int)sksm__fail(err);
	TO_1_0(st, &s, name);
	return 0;
}

COMPAT(sksm_stat_global, "1.0")
int sksm_stat_global_1_0(struct sksm_global_stats_1_0 *st)
{
	struct sksm_global_stats s;
	int err;

	if (!st)
		return (int)sksm__fail(-EINVAL);
	err = sksm__stat_global(&s);
	if (err)
		return (int)sksm__fail(err);
	TO_1_0(st, &s, run);
	return 0;
}

COMPAT(sksm_process_stat, "1.0")
int sksm_process_stat_1_0(pid_t pid, struct sksm_process_stats_1_0 *st)
{
	struct sksm_process_stats s;
	int err;

	if (!st)
		return (int)sksm__fail(-EINVAL);
	err = sksm__process_stat(pid, &s);
	if (err)
		return (int)sksm__fail(err);
	TO_1_0(st, &s, partition);
	return 0;
}

static long walk_1_0(struct sksm_partition *p, int merge, pid_t pid,
		     const struct sksm_walk_opts_1_0 *opts)
{
	struct sksm_walk_opts o = { .size = sizeof(o) };
	long pages, ret;

	if (opts) {
		o.chunk = opts->chunk;
		o.progress = opts->progress;
		o.arg = opts->arg;
		o.start = opts->start;
		o.end = opts->end;
	}
	ret = sksm__walk(p, merge, pid, &o, &pages);
	if (ret == -ECANCELED)
		return pages;
	return ret < 0 ? sksm__fail(ret) : ret;
}

COMPAT(sksm_merge_process, "1.0")
long sksm_merge_process_1_0(struct sksm_partition *p, pid_t pid,
			    const struct sksm_walk_opts_1_0 *opts)
{
	return walk_1_0(p, 1, pid, opts);
}

COMPAT(sksm_unmerge_process, "1.0")
long sksm_unmerge_process_1_0(struct sksm_partition *p, pid_t pid,
			      const struct sksm_walk_opts_1_0 *opts)
{
	return walk_1_0(p, 0, pid, opts);
}

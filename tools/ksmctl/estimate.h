/* SPDX-License-Identifier: GPL-2.0 */
/* ksmctl estimate: what merging groups of processes would save */
#ifndef KSMCTL_ESTIMATE_H
#define KSMCTL_ESTIMATE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One would-be partition: its processes, and what merging them would do */
struct estimate {
	const char *name;
	pid_t *pids;
	size_t nr_pids;
	uint64_t pages;		/* mergeable pages: present, anonymous */
	uint64_t distinct;	/* distinct contents among them */
	uint64_t pages_sharing;	/* pages a merge would map onto KSM pages */
	pid_t failed_pid;	/* the process that could not be read */
};

/*
 * Fill in each group's counts, and @all's for one partition of all
 * groups (its pids are allocated: the caller frees them). Returns 0 or
 * -errno (the group's failed_pid names the process).
 */
int estimate_groups(struct estimate *groups, int n, struct estimate *all);

/* Append the processes of the cgroup directory @dir and below to @pids */
int cgroup_pids(const char *dir, pid_t **pids, size_t *n);

#endif

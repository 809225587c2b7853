/* SPDX-License-Identifier: GPL-2.0 */
/* ksmctl merge and unmerge: the processes named by --pid and --cgroup */
#ifndef KSMCTL_TARGETS_H
#define KSMCTL_TARGETS_H

#include <sys/types.h>

/*
 * A process, held by a pidfd from the moment it is looked up until it is
 * merged, so that a pid reused in between is never merged.
 */
struct target {
	pid_t pid;
	int pidfd;		/* -1: none: no pidfd_open(), or no such pid */
	const char *cgroup;	/* the --cgroup it was found in, or NULL */
};

struct targets {
	struct target *t;
	size_t n;
};

/*
 * Add process @pid; 0 or -errno. A process already in the list is not
 * added again.
 */
int targets_add_pid(struct targets *ts, pid_t pid);

/*
 * Add every process of the cgroup v2 @cgroup (a path under /sys/fs/cgroup,
 * with or without that prefix) and of the cgroups below it, as they are
 * when each is looked up: one that exits or moves away meanwhile is left
 * out. 0 or -errno.
 */
int targets_add_cgroup(struct targets *ts, const char *cgroup);

/* Whether the process of a pidfd still runs */
int pidfd_alive(int pidfd);

void targets_free(struct targets *ts);

#endif

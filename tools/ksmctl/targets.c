// SPDX-License-Identifier: GPL-2.0
/*
 * The processes of ksmctl merge and unmerge. Each is looked up by pid and
 * at once held by a pidfd; a process taken from a cgroup is checked to be
 * in it after its pidfd is open, which tells a newcomer that reused the
 * pid of one that left.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "estimate.h"
#include "targets.h"

#define CGROUP_ROOT	"/sys/fs/cgroup"

static int pidfd_open_pid(pid_t pid)
{
#ifdef SYS_pidfd_open
	return syscall(SYS_pidfd_open, pid, 0);
#else
	errno = ENOSYS;
	return -1;
#endif
}

/* "Pid:" of the pidfd's fdinfo: -1 once the process has exited */
int pidfd_alive(int pidfd)
{
	char path[64], line[256];
	long pid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Pid: %ld", &pid) == 1)
			break;
	fclose(f);
	return pid > 0;
}

/*
 * Whether process @pid is in the cgroup @rel (relative to the cgroup v2
 * root, starting with '/') or below it: its "0::PATH" line.
 */
static int in_cgroup(pid_t pid, const char *rel)
{
	size_t len = strlen(rel);
	char path[64], line[4096];
	int in = 0;
	FILE *f;

	while (len > 1 && rel[len - 1] == '/')
		len--;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *cg = line + 3;

		if (strncmp(line, "0::", 3))
			continue;
		cg[strcspn(cg, "\n")] = '\0';
		in = len == 1 || (!strncmp(cg, rel, len) &&
				  (cg[len] == '\0' || cg[len] == '/'));
		break;
	}
	fclose(f);
	return in;
}

static int add(struct targets *ts, pid_t pid, const char *cgroup,
	       const char *rel)
{
	struct target *grown;
	size_t i;
	int pidfd;

	for (i = 0; i < ts->n; i++)
		if (ts->t[i].pid == pid)
			return 0;
	/*
	 * No pidfd without pidfd_open() (before Linux 5.3), nor for a --pid
	 * that does not exist: the merge then names it by pid and, for the
	 * latter, fails with ESRCH as any other.
	 */
	pidfd = pidfd_open_pid(pid);
	if (pidfd < 0 && errno != ENOSYS && (errno != ESRCH || rel))
		return -errno;
	/* Still the process we found in the cgroup? */
	if (rel && (!in_cgroup(pid, rel) ||
		    (pidfd >= 0 && !pidfd_alive(pidfd)))) {
		if (pidfd >= 0)
			close(pidfd);
		return -ESRCH;
	}
	grown = realloc(ts->t, (ts->n + 1) * sizeof(*grown));
	if (!grown) {
		if (pidfd >= 0)
			close(pidfd);
		return -ENOMEM;
	}
	ts->t = grown;
	ts->t[ts->n++] = (struct target){ pid, pidfd, cgroup };
	return 0;
}

int targets_add_pid(struct targets *ts, pid_t pid)
{
	return add(ts, pid, NULL, NULL);
}

int targets_add_cgroup(struct targets *ts, const char *cgroup)
{
	const char *rel = cgroup;
	char dir[4096];
	pid_t *pids = NULL;
	size_t n = 0, i;
	int err;

	if (!strncmp(cgroup, CGROUP_ROOT, strlen(CGROUP_ROOT)) &&
	    (cgroup[strlen(CGROUP_ROOT)] == '/' ||
	     !cgroup[strlen(CGROUP_ROOT)]))
		rel = cgroup + strlen(CGROUP_ROOT);
	if (*rel != '/' && *rel)
		return -EINVAL;
	snprintf(dir, sizeof(dir), "%s%s", CGROUP_ROOT, rel);
	err = cgroup_pids(dir, &pids, &n);
	for (i = 0; !err && i < n; i++) {
		err = add(ts, pids[i], cgroup, *rel ? rel : "/");
		if (err == -ESRCH)	/* gone, or moved away */
			err = 0;
	}
	free(pids);
	return err;
}

void targets_free(struct targets *ts)
{
	size_t i;

	for (i = 0; i < ts->n; i++)
		if (ts->t[i].pidfd >= 0)
			close(ts->t[i].pidfd);
	free(ts->t);
	ts->t = NULL;
	ts->n = 0;
}

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Partition handles: open or create, merge and unmerge a range, unlink.
 * Under the syscall backend a handle holds the partition fd; under sysfs it
 * holds the name and the sysfs root it was opened under.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

#define SKSM_OPEN_FLAGS	(SKSM_ACCMODE | SKSM_CREAT | SKSM_EXCL | SKSM_SYNC | \
			 SKSM_CLOEXEC)

/* A directory of the sysfs root other than control/ is a partition. */
static int sysfs_is_partition(const char *root, const char *name)
{
	char path[SKSM_PATH_MAX];
	struct stat st;
	int err;

	if (!strcmp(name, "control"))
		return -ENOENT;
	err = sksm__path(path, sizeof(path), "%s/%s", root, name);
	if (err)
		return err;
	if (stat(path, &st))
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOENT;
}

static int sysfs_open(struct sksm_partition *p, const char *root,
		      unsigned int flags)
{
	char path[SKSM_PATH_MAX];
	int err;

	/* Before add_partition: a failure must not leave a partition behind */
	p->sysfs = strdup(root);
	if (!p->sysfs)
		return -ENOMEM;
	if (flags & SKSM_CREAT) {
		err = sksm__path(path, sizeof(path), "%s/control/add_partition",
				 root);
		if (!err)
			err = sksm__write_file(path, p->name, strlen(p->name));
		if (!err)
			goto created;
		if (err != -EEXIST || (flags & SKSM_EXCL))
			return err;
		/* Taken by a file of the KSM directory rather than a partition */
		if (sysfs_is_partition(root, p->name))
			return -EEXIST;
	} else {
		err = sysfs_is_partition(root, p->name);
		if (err)
			return err;
	}
created:
	/* As open(2) would: refuse a handle that cannot do what it asks */
	if (p->accmode != SKSM_RDONLY) {
		err = sksm__path(path, sizeof(path), "%s/%s/trigger_merge",
				 root, p->name);
		if (err)
			return err;
		if (faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) &&
		    (errno == EACCES || errno == EPERM))
			return -EACCES;
	}
	return 0;
}

struct sksm_partition *sksm_open(const char *name, unsigned int flags,
				 mode_t mode)
{
	struct sksm_partition *p;
	struct sksm__kernel k;
	int err;

	if (!name || (flags & ~SKSM_OPEN_FLAGS) ||
	    (flags & SKSM_ACCMODE) == SKSM_ACCMODE ||
	    ((flags & SKSM_EXCL) && !(flags & SKSM_CREAT))) {
		errno = EINVAL;
		return NULL;
	}
	err = sksm__name_valid(name);
	if (!err)
		err = sksm__probe(&k);
	if (err) {
		errno = -err;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->fd = -1;
	p->backend = k.backend;
	p->accmode = flags & SKSM_ACCMODE;
	strcpy(p->name, name);	/* checked by sksm__name_valid() */

	if (k.backend == SKSM_BACKEND_SYSCALLS) {
		long fd = syscall(k.nr_open, name,
				  flags | SKSM_SYNC | SKSM_CLOEXEC,
				  (unsigned int)mode);

		err = fd < 0 ? -errno : 0;
		p->fd = (int)fd;
		p->nr_merge = k.nr_merge;
		p->nr_unmerge = k.nr_unmerge;
	} else {
		/* add_partition takes no mode: root's, 0600 */
		err = sysfs_open(p, sksm__sysfs_root(), flags);
	}
	if (err) {
		sksm_close(p);
		errno = -err;
		return NULL;
	}
	return p;
}

void sksm_close(struct sksm_partition *p)
{
	int saved = errno;

	if (!p)
		return;
	if (p->fd >= 0)
		close(p->fd);
	free(p->sysfs);
	free(p);
	errno = saved;
}

int sksm_fd(const struct sksm_partition *p)
{
	return p ? p->fd : -1;
}

const char *sksm_name(const struct sksm_partition *p)
{
	return p ? p->name : NULL;
}

int sksm_backend(const struct sksm_partition *p)
{
	if (!p)
		return (int)sksm__fail(-EINVAL);
	return p->backend;
}

/*
 * The pages a sysfs request changed: sysfs does not say, so count the
 * process's merged pages (ksm_merging_pages) before and after. -1: unknown.
 */
static long merging_pages(pid_t pid)
{
	char path[SKSM_PATH_MAX], buf[32];
	uint64_t v;

	if (sksm__path(path, sizeof(path), "%s/%d/ksm_merging_pages",
		       sksm__proc_root(), (int)pid) ||
	    sksm__read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	sksm__strip_newline(buf);
	if (sksm__parse_u64(buf, 10, &v) || v > LONG_MAX)
		return -1;
	return (long)v;
}

static long sysfs_request(struct sksm_partition *p, int merge, pid_t pid,
			  unsigned long addr, size_t len)
{
	char path[SKSM_PATH_MAX], req[64];
	long before, after;
	int n, err;

	err = sksm__path(path, sizeof(path), "%s/%s/%s", p->sysfs, p->name,
			 merge ? "trigger_merge" : "trigger_unmerge");
	if (err)
		return err;
	if (!merge && !addr && !len)
		n = snprintf(req, sizeof(req), "%d", (int)pid);
	else
		n = snprintf(req, sizeof(req), "%d %lx %lx", (int)pid, addr,
			     (unsigned long)(addr + len));
	before = merging_pages(pid);
	/* A removed partition's files are gone: ENOENT, as the syscall says */
	err = sksm__write_file(path, req, n);
	if (err)
		return err;
	after = before < 0 ? -1 : merging_pages(pid);
	if (after < 0)
		return 0;
	return merge ? (after > before ? after - before : 0) :
		       (before > after ? before - after : 0);
}

long sksm__request(struct sksm_partition *p, int merge, int pid,
		   unsigned long addr, size_t len, unsigned int flags)
{
	long page = sysconf(_SC_PAGESIZE), ret;

	if (!p || pid < 0 || (!pid && !(flags & SKSM_PIDFD)) ||
	    (flags & ~SKSM_PIDFD))
		return -EINVAL;
	/* Unmerge of address 0, size 0 is everything; merge has no such */
	if (merge || addr || len) {
		if (!len || addr % page)
			return -EINVAL;
		len = (len + page - 1) / page * page;
		if (!len || addr + len < addr)
			return -EINVAL;
	}
	if (p->accmode == SKSM_RDONLY)
		return -EBADF;
	if (p->backend == SKSM_BACKEND_SYSFS) {
		/* A trigger file takes a pid, which may be reused meanwhile */
		if (flags & SKSM_PIDFD)
			return -EOPNOTSUPP;
		return sysfs_request(p, merge, pid, addr, len);
	}
	ret = syscall(merge ? p->nr_merge : p->nr_unmerge, p->fd, pid, addr,
		      len, flags);
	return ret < 0 ? -errno : ret;
}

long sksm_merge_range(struct sksm_partition *p, int pid, unsigned long addr,
		      size_t len, unsigned int flags)
{
	long ret = sksm__request(p, 1, pid, addr, len, flags);

	return ret < 0 ? sksm__fail(ret) : ret;
}

long sksm_unmerge_range(struct sksm_partition *p, int pid, unsigned long addr,
			size_t len, unsigned int flags)
{
	long ret = sksm__request(p, 0, pid, addr, len, flags);

	return ret < 0 ? sksm__fail(ret) : ret;
}

long sksm_merge(struct sksm_partition *p, pid_t pid, unsigned long addr,
		size_t len)
{
	return sksm_merge_range(p, pid, addr, len, 0);
}

long sksm_unmerge(struct sksm_partition *p, pid_t pid, unsigned long addr,
		  size_t len)
{
	return sksm_unmerge_range(p, pid, addr, len, 0);
}

int sksm_unlink(const char *name)
{
	char path[SKSM_PATH_MAX];
	struct sksm__kernel k;
	int err;

	if (!name)
		return (int)sksm__fail(-EINVAL);
	err = sksm__name_valid(name);
	if (!err)
		err = sksm__probe(&k);
	if (err)
		return (int)sksm__fail(err);
	if (k.backend == SKSM_BACKEND_SYSCALLS)
		return syscall(k.nr_unlink, name) ? -1 : 0;
	/* sysfs has no unlink: remove_partition releases the members now */
	err = sksm__path(path, sizeof(path), "%s/control/remove_partition",
			 sksm__sysfs_root());
	if (!err)
		err = sksm__write_file(path, name, strlen(name));
	return err ? (int)sksm__fail(err) : 0;
}

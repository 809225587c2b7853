// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Whole processes: merge or unmerge every KSM-compatible mapping listed in
 * /proc/PID/maps, in chunks, and read /proc/PID/ksm_stat.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/*
 * The token at *@s up to one of @stops, as a number in @base; *@s is left
 * on the stop character.
 */
static int take_number(const char **s, const char *stops, int base,
		       uint64_t *v)
{
	size_t len = strcspn(*s, stops);
	char tok[24];

	if (!len || len >= sizeof(tok))
		return -EBADMSG;
	memcpy(tok, *s, len);
	tok[len] = '\0';
	*s += len;
	return sksm__parse_u64(tok, base, v) ? -EBADMSG : 0;
}

static int take_char(const char **s, char c)
{
	if (**s != c)
		return -EBADMSG;
	(*s)++;
	return 0;
}

/*
 * "START-END PERMS OFFSET MAJOR:MINOR INODE [PATH]". Eligible: private
 * ('p') and not [vvar], [vdso], [vsyscall] or another [v*] special mapping;
 * the kernel skips what else it cannot merge inside a range.
 */
int sksm__parse_maps_line(const char *line, struct sksm__range *r,
			  int *eligible)
{
	const char *s = line, *perms, *path;
	uint64_t start, end, skip;
	uint64_t page = sysconf(_SC_PAGESIZE);
	size_t len;
	int i;

	if (take_number(&s, "-", 16, &start) || take_char(&s, '-') ||
	    take_number(&s, " ", 16, &end) || take_char(&s, ' '))
		return -EBADMSG;
	perms = s;
	for (i = 0; i < 3; i++)
		if (perms[i] != '-' && perms[i] != "rwx"[i])
			return -EBADMSG;
	if (perms[3] != 'p' && perms[3] != 's')
		return -EBADMSG;
	s += 4;
	if (take_char(&s, ' ') ||
	    take_number(&s, " ", 16, &skip) || take_char(&s, ' ') ||
	    take_number(&s, ":", 16, &skip) || take_char(&s, ':') ||
	    take_number(&s, " ", 16, &skip) || take_char(&s, ' ') ||
	    take_number(&s, " ", 10, &skip))
		return -EBADMSG;
	if (end <= start || start % page || end % page)
		return -EBADMSG;
#if ULONG_MAX < UINT64_MAX
	if (end > ULONG_MAX)
		return -EBADMSG;
#endif
	path = s + strspn(s, " ");
	len = strlen(path);
	r->start = start;
	r->end = end;
	*eligible = perms[3] == 'p' &&
		    !(len >= 3 && path[0] == '[' && path[1] == 'v' &&
		      path[len - 1] == ']');
	return 0;
}

struct maps_state {
	struct sksm__range *ranges;
	size_t n, cap;
};

static int maps_line(char *line, size_t len, void *arg)
{
	struct maps_state *m = arg;
	struct sksm__range r, *grown;
	int eligible, err;

	(void)len;
	err = sksm__parse_maps_line(line, &r, &eligible);
	if (err || !eligible)
		return err;
	/* Neighbours become one range: fewer requests, same pages */
	if (m->n && m->ranges[m->n - 1].end == r.start) {
		m->ranges[m->n - 1].end = r.end;
		return 0;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 32;

		grown = reallocarray(m->ranges, cap, sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		m->ranges = grown;
		m->cap = cap;
	}
	m->ranges[m->n++] = r;
	return 0;
}

int sksm__read_maps(pid_t pid, struct sksm__range **ranges, size_t *n)
{
	struct maps_state m = { 0 };
	char path[SKSM_PATH_MAX];
	int err;

	err = sksm__path(path, sizeof(path), "%s/%d/maps", sksm__proc_root(),
			 (int)pid);
	if (!err)
		err = sksm__read_lines(path, maps_line, &m);
	if (err) {
		free(m.ranges);
		/* In the words of the merge: who is gone, who may not */
		if (err == -ENOENT)
			return -ESRCH;
		if (err == -EACCES)
			return -EPERM;
		return err;
	}
	*ranges = m.ranges;
	*n = m.n;
	return 0;
}

/* Keep the parts of @r inside [start, end). */
static size_t clip(struct sksm__range *r, size_t n, unsigned long start,
		   unsigned long end)
{
	size_t i, kept = 0;

	for (i = 0; i < n; i++) {
		unsigned long s = r[i].start > start ? r[i].start : start;
		unsigned long e = r[i].end < end ? r[i].end : end;

		if (s < e) {
			r[kept].start = s;
			r[kept++].end = e;
		}
	}
	return kept;
}

struct pidfd_info {
	int64_t pid;
};

static const struct sksm__field pidfd_pid_field[] = {
	{ "Pid", SKSM__S64, 1, offsetof(struct pidfd_info, pid) },
};

/*
 * The pid, in our namespace, of the process a pidfd names, from its
 * fdinfo: -1 once it has exited, 0 outside our namespace.
 */
int sksm__pidfd_pid(int pidfd, pid_t *pid)
{
	struct pidfd_info info;
	char path[SKSM_PATH_MAX];
	int err;

	if (pidfd < 0)
		return -EBADF;
	err = sksm__path(path, sizeof(path), "%s/self/fdinfo/%d",
			 sksm__proc_root(), pidfd);
	if (!err)
		err = sksm__parse_kv_lines(path, pidfd_pid_field, 1, &info);
	if (err == -ENOENT)
		return -EBADF;
	if (err == -EBADMSG)	/* an fd, but not a pidfd */
		return -EINVAL;
	if (err)
		return err;
	if (info.pid <= 0)
		return -ESRCH;
	*pid = (pid_t)info.pid;
	return 0;
}

/*
 * Checks a caller's struct sksm_walk_opts: size 0 is 1.2's; a larger one
 * (a newer header) may only carry zeros beyond what we know.
 */
static int walk_opts(const struct sksm_walk_opts *opts,
		     struct sksm_walk_opts *o)
{
	size_t i;

	memset(o, 0, sizeof(*o));
	if (!opts)
		return 0;
	if (opts->size && opts->size < sizeof(*o))
		return -EINVAL;
	for (i = sizeof(*o); i < opts->size; i++)
		if (((const unsigned char *)opts)[i])
			return -E2BIG;
	*o = *opts;
	o->size = sizeof(*o);
	return o->flags & ~SKSM_PIDFD ? -EINVAL : 0;
}

/*
 * The walk behind sksm_merge_process() and sksm_unmerge_process(): the
 * eligible mappings of /proc/PID/maps, clipped to [start, end) when end is
 * set, in requests of opts->chunk bytes. *@pages counts what was done,
 * also when the walk fails or a progress callback stops it (-ECANCELED).
 */
long sksm__walk(struct sksm_partition *p, int merge, int pid,
		const struct sksm_walk_opts *o, long *pages)
{
	size_t page = sysconf(_SC_PAGESIZE), chunk = SKSM_DEFAULT_CHUNK;
	uint64_t total = 0, done = 0;
	struct sksm__range *ranges;
	size_t n, i, len;
	unsigned long addr;
	pid_t maps_pid = pid;
	int any = 0, err;
	long ret;

	*pages = 0;
	if (!p || pid < 0 || (!pid && !(o->flags & SKSM_PIDFD)) ||
	    (o->end && (o->start >= o->end || o->start % page ||
			o->end % page)))
		return -EINVAL;
	if (p->accmode == SKSM_RDONLY)
		return -EBADF;
	if (o->chunk)
		chunk = o->chunk < page ? page : o->chunk / page * page;
	/*
	 * Under a pidfd the maps we read may be another process's only if
	 * ours has exited, and then every request fails with ESRCH.
	 */
	if (o->flags & SKSM_PIDFD) {
		if (p->backend == SKSM_BACKEND_SYSFS)
			return -EOPNOTSUPP;
		err = sksm__pidfd_pid(pid, &maps_pid);
		if (err)
			return err;
	}
	err = sksm__read_maps(maps_pid, &ranges, &n);
	if (err)
		return err;
	if (o->end)
		n = clip(ranges, n, o->start, o->end);
	for (i = 0; i < n; i++)
		total += ranges[i].end - ranges[i].start;

	for (i = 0; i < n; i++) {
		for (addr = ranges[i].start; addr < ranges[i].end;
		     addr += len) {
			len = ranges[i].end - addr;
			if (len > chunk)
				len = chunk;
			ret = sksm__request(p, merge, pid, addr, len, o->flags);
			/* Unmapped since we read maps: nothing to do there */
			if (ret < 0 && ret != -ENOMEM)
				goto out;
			if (ret >= 0) {
				*pages += ret;
				any = 1;
			}
			done += len;
			if (o->progress &&
			    o->progress(done, total, *pages, o->arg)) {
				ret = -ECANCELED;
				goto out;
			}
		}
	}
	if (o->end) {
		/* Nothing we could send: the kernel's answer for the range */
		ret = any ? *pages :
		      sksm__request(p, merge, pid, o->start,
				    o->end - o->start, o->flags);
	} else if (merge) {
		ret = any ? *pages : -ENOMEM;
	} else {
		/* Whatever the walk missed, and the end of the membership */
		ret = sksm__request(p, 0, pid, 0, 0, o->flags);
		if (ret >= 0)
			ret = *pages += ret;
	}
out:
	free(ranges);
	return ret;
}

SKSM_REVERSIONED
long sksm_merge_process(struct sksm_partition *p, pid_t pid,
			const struct sksm_walk_opts *opts)
{
	struct sksm_walk_opts o;
	long pages, ret;

	ret = walk_opts(opts, &o);
	if (!ret)
		ret = sksm__walk(p, 1, pid, &o, &pages);
	return ret < 0 ? sksm__fail(ret) : ret;
}

SKSM_REVERSIONED
long sksm_unmerge_process(struct sksm_partition *p, pid_t pid,
			  const struct sksm_walk_opts *opts)
{
	struct sksm_walk_opts o;
	long pages, ret;

	ret = walk_opts(opts, &o);
	if (!ret)
		ret = sksm__walk(p, 0, pid, &o, &pages);
	return ret < 0 ? sksm__fail(ret) : ret;
}

#define PF(key, type, field) \
	{ key, type, 0, offsetof(struct sksm_process_stats, field) }

static const struct sksm__field ksm_stat_fields[] = {
	PF("ksm_rmap_items", SKSM__U64, rmap_items),
	PF("ksm_zero_pages", SKSM__S64, zero_pages),
	PF("ksm_merging_pages", SKSM__U64, merging_pages),
	PF("ksm_process_profit", SKSM__S64, process_profit),
	PF("ksm_merge_any", SKSM__YESNO, merge_any),
	PF("ksm_mergeable", SKSM__YESNO, mergeable),
	PF("ksm_partition", SKSM__NAME, partition),
};

/*
 * All lines are optional: a kernel thread's ksm_stat is empty, and older
 * kernels lack the last three.
 */
int sksm__process_stat(pid_t pid, struct sksm_process_stats *st)
{
	char path[SKSM_PATH_MAX];
	int err;

	if (pid <= 0)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->merge_any = st->mergeable = -1;
	err = sksm__path(path, sizeof(path), "%s/%d/ksm_stat",
			 sksm__proc_root(), (int)pid);
	if (!err)
		err = sksm__parse_kv_lines(path, ksm_stat_fields,
					   SKSM_ARRAY_SIZE(ksm_stat_fields), st);
	if (err == -ENOENT) {
		/* No such process, or a kernel without KSM */
		err = sksm__path(path, sizeof(path), "%s/%d",
				 sksm__proc_root(), (int)pid);
		if (!err)
			err = access(path, F_OK) ? -ESRCH : -ENOSYS;
	}
	if (err == -EACCES)
		err = -EPERM;
	return err;
}

SKSM_REVERSIONED
int sksm_process_stat(pid_t pid, struct sksm_process_stats *st)
{
	int err;

	if (!st)
		return (int)sksm__fail(-EINVAL);
	err = sksm__out_struct(st->size, st->flags, sizeof(*st));
	if (!err)
		err = sksm__process_stat(pid, st);
	return err ? (int)sksm__fail(err) : 0;
}

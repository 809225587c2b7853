// SPDX-License-Identifier: GPL-2.0
/*
 * sksmd: merge each configured group of processes into its own KSM
 * partition, at an interval, on memory pressure (PSI) or when MemAvailable
 * runs low. See sksmd(8) and sksmd.conf(5).
 *
 * A pass looks at every process once: the partition it belongs to comes
 * from its cgroup (/proc/PID/cgroup, so processes that join a cgroup later
 * are found on the next pass) or from a pattern of its command line. A
 * process that no section names is never touched; one that two sections
 * name is skipped and logged. A process that no longer belongs to the
 * partition it was merged into (it moved to another cgroup) is unmerged
 * from it first, so its pages never stay shared across domains.
 *
 * Incremental: a process is merged when it is new to sksmd, when its
 * memory map changed since its last merge, or every rescan_every passes
 * (pages written in place are only found then). When only its map changed,
 * only the address ranges that are new since its last merge are merged
 * (what the kernel lets us tell without reading every page). Each merge
 * goes through a pidfd opened after the process was identified by pid and
 * start time, so a pid reused meanwhile is never merged.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>

#include "sksm.h"
#include "conf.h"

#define DEFAULT_CONF	"/etc/sksmd.conf"

static int verbose, dry_run;

/* An address range [start, end) */
struct range {
	unsigned long start, end;
};

/* What sksmd remembers of a process it merged */
struct known {
	pid_t pid;
	unsigned long long start_time;	/* tells a reused pid apart */
	uint64_t maps_hash;		/* of /proc/PID/maps at the merge */
	struct range *ranges;		/* its private mappings then */
	size_t nr_ranges;
	size_t part;			/* index in the configuration */
	int seen;			/* in this pass */
};

static struct known *known;
static size_t nr_known;

static void logmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("sksmd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Read a small /proc file whole (NUL bytes kept); returns its length */
static ssize_t read_file(const char *path, char *buf, size_t size)
{
	ssize_t n, len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((size_t)len < size - 1 &&
	       (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return n < 0 ? -1 : len;
}

/* Field 22 of /proc/PID/stat, after the command name in parentheses */
static int start_time(pid_t pid, unsigned long long *t)
{
	char path[64], buf[1024], *s;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	s = strrchr(buf, ')');
	if (!s)
		return -1;
	for (i = 3; i <= 22 && s; i++)
		s = strchr(s + 1, ' ');
	return s && sscanf(s, "%llu", t) == 1 ? 0 : -1;
}

/* FNV-1a of /proc/PID/maps: changes when a mapping comes, goes or grows */
static int maps_hash(pid_t pid, uint64_t *h)
{
	char path[64], buf[65536];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	*h = 14695981039346656037ULL;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			*h = (*h ^ (unsigned char)buf[i]) * 1099511628211ULL;
	close(fd);
	return n < 0 ? -1 : 0;
}

/*
 * The private mappings of /proc/PID/maps, neighbours joined: those a merge
 * walks (the library and the kernel skip what else they cannot merge).
 */
static int private_ranges(pid_t pid, struct range **ranges, size_t *n)
{
	struct range *r = NULL, *grown;
	unsigned long start, end;
	char path[64], line[4096], perms[5];
	size_t nr = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* A path longer than the line: skip the rest of it */
		if (!strchr(line, '\n') && !feof(f)) {
			int ch;

			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
		}
		if (sscanf(line, "%lx-%lx %4s", &start, &end, perms) != 3 ||
		    perms[3] != 'p')
			continue;
		if (nr && r[nr - 1].end == start) {
			r[nr - 1].end = end;
			continue;
		}
		grown = reallocarray(r, nr + 1, sizeof(*r));
		if (!grown) {
			free(r);
			fclose(f);
			return -1;
		}
		r = grown;
		r[nr++] = (struct range){ start, end };
	}
	fclose(f);
	*ranges = r;
	*n = nr;
	return 0;
}

/*
 * The parts of the sorted ranges @cur that no range of @old covers, into
 * @out (as many as @cur has, and one more per range of @old at most).
 */
static size_t new_ranges(const struct range *cur, size_t ncur,
			 const struct range *old, size_t nold,
			 struct range *out)
{
	size_t i, j = 0, n = 0;

	for (i = 0; i < ncur; i++) {
		unsigned long s = cur[i].start;

		while (j < nold && old[j].end <= s)
			j++;
		for (size_t k = j; k < nold && old[k].start < cur[i].end &&
		     s < cur[i].end; k++) {
			if (old[k].start > s)
				out[n++] = (struct range){ s, old[k].start };
			if (old[k].end > s)
				s = old[k].end;
		}
		if (s < cur[i].end)
			out[n++] = (struct range){ s, cur[i].end };
	}
	return n;
}

/* The process's cgroup v2 path ("0::/a/b"), or "" */
static void cgroup_of(pid_t pid, char *cg, size_t size)
{
	char path[64], buf[4096], *s;

	cg[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return;
	for (s = strtok(buf, "\n"); s; s = strtok(NULL, "\n"))
		if (!strncmp(s, "0::", 3)) {
			snprintf(cg, size, "%s", s + 3);
			return;
		}
}

static int in_cgroup(const char *cg, const char *want)
{
	size_t n = strlen(want);

	if (!strcmp(want, "/"))
		return 1;
	return !strncmp(cg, want, n) && (cg[n] == '\0' || cg[n] == '/');
}

/* Which partition the configuration puts a process in: index, -1 none */
static long match(const struct sksmd_conf *c, pid_t pid, char *cmd,
		  size_t cmdsize)
{
	char path[64], cg[4096];
	long found = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	n = read_file(path, cmd, cmdsize);
	if (n <= 0)
		return -1;	/* a kernel thread, or gone */
	for (ssize_t i = 0; i < n - 1; i++)
		if (!cmd[i])
			cmd[i] = ' ';
	cgroup_of(pid, cg, sizeof(cg));
	for (size_t i = 0; i < c->nr_partitions; i++) {
		const struct sksmd_partition *p = &c->partitions[i];
		int hit = 0;

		for (size_t j = 0; j < p->nr_cgroups && !hit; j++)
			hit = cg[0] && in_cgroup(cg, p->cgroups[j]);
		for (size_t j = 0; j < p->nr_processes && !hit; j++)
			hit = !fnmatch(p->processes[j], cmd, 0);
		if (!hit)
			continue;
		if (found >= 0) {
			logmsg("pid %d (%.60s) is named by partitions %s and "
			       "%s: skipped", (int)pid, cmd,
			       c->partitions[found].name, p->name);
			return -2;
		}
		found = i;
	}
	return found;
}

static struct known *lookup(pid_t pid)
{
	for (size_t i = 0; i < nr_known; i++)
		if (known[i].pid == pid)
			return &known[i];
	return NULL;
}

static struct known *remember(pid_t pid)
{
	struct known *k = reallocarray(known, nr_known + 1, sizeof(*k));

	if (!k)
		return NULL;
	known = k;
	k = &known[nr_known++];
	memset(k, 0, sizeof(*k));
	k->pid = pid;
	return k;
}

static void forget(struct known *k)
{
	free(k->ranges);
	*k = known[--nr_known];
}

/*
 * A pidfd of process @pid if it is still the one that started at
 * @start_time, else -1; -2 where the kernel has no pidfd_open().
 */
static int hold(pid_t pid, unsigned long long start)
{
	unsigned long long now;
	int fd = -2;

#ifdef SYS_pidfd_open
	fd = syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0 && errno != ENOSYS)
		return -1;
	if (fd < 0)
		fd = -2;
#endif
	/* Read after the pidfd pins the pid: it cannot be reused now */
	if (start_time(pid, &now) || now != start) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static struct sksm_partition **handles;

/*
 * The partition's handle: created on first use with the configured mode
 * to merge (@create), only opened to unmerge; a partition that is gone
 * has no members to unmerge.
 */
static struct sksm_partition *partition(const struct sksmd_conf *c, size_t i,
					int create)
{
	if (!handles[i]) {
		handles[i] = sksm_open(c->partitions[i].name,
				       SKSM_RDWR | (create ? SKSM_CREAT : 0),
				       c->partitions[i].mode);
		if (!handles[i] && (create || errno != ENOENT))
			logmsg("partition %s: %s", c->partitions[i].name,
			       sksm_strerror_op(SKSM_OP_OPEN, errno));
	}
	return handles[i];
}

static void close_partitions(size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sksm_close(handles[i]);
		handles[i] = NULL;
	}
}

/* Unmerge a process from a partition it must leave */
static void leave(const struct sksmd_conf *c, size_t part, pid_t pid,
		  const char *why)
{
	struct sksm_partition *p;
	long ret;

	if (dry_run) {
		logmsg("would unmerge pid %d from %s: %s", (int)pid,
		       c->partitions[part].name, why);
		return;
	}
	p = partition(c, part, 0);
	if (!p)
		return;
	ret = sksm_unmerge_process(p, pid, NULL);
	if (ret < 0 && errno != ESRCH)
		logmsg("unmerge pid %d from %s: %s", (int)pid,
		       c->partitions[part].name,
		       sksm_strerror_op(SKSM_OP_UNMERGE, errno));
	else if (ret >= 0)
		logmsg("pid %d left %s (%s): %ld pages unmerged", (int)pid,
		       c->partitions[part].name, why, ret);
}

static long partition_index(const struct sksmd_conf *c, const char *name)
{
	for (size_t i = 0; i < c->nr_partitions; i++)
		if (!strcmp(c->partitions[i].name, name))
			return i;
	return -1;
}

struct tally {
	unsigned long processes, merged_processes;
	long pages;
};

/*
 * Merge the ranges @r of a process into a partition (all of it when @r is
 * NULL), through @pidfd when there is one: pages, or -1 and errno.
 */
static long merge_ranges(struct sksm_partition *p, pid_t pid, int pidfd,
			 const struct range *r, size_t n)
{
	struct sksm_walk_opts o = { .size = sizeof(o) };
	int target = pid;
	long pages = 0, ret;

	if (pidfd >= 0 && sksm_backend(p) == SKSM_BACKEND_SYSCALLS) {
		o.flags = SKSM_PIDFD;
		target = pidfd;
	}
	if (!r)
		return sksm_merge_process(p, target, &o);
	for (size_t i = 0; i < n; i++) {
		o.start = r[i].start;
		o.end = r[i].end;
		ret = sksm_merge_process(p, target, &o);
		/* Nothing mergeable there (a new file mapping): fine */
		if (ret < 0 && errno != ENOMEM)
			return -1;
		if (ret > 0)
			pages += ret;
	}
	return pages;
}

static void merge_one(const struct sksmd_conf *c, pid_t pid, size_t part,
		      const char *cmd, int rescan, struct tally *t)
{
	struct sksm_process_stats ps = { .size = sizeof(ps) };
	struct range *cur = NULL, *todo = NULL;
	size_t ncur = 0, ntodo = 0;
	unsigned long long st;
	int incremental, pidfd;
	struct known *k;
	uint64_t h;
	long ret;

	if (start_time(pid, &st) || maps_hash(pid, &h))
		return;		/* gone */
	t[part].processes++;
	k = lookup(pid);
	if (k && k->start_time != st) {
		forget(k);	/* the pid was reused */
		k = NULL;
	}
	if (k)
		k->seen = 1;
	if (k && k->part == part && k->maps_hash == h && !rescan)
		return;		/* nothing new to merge */

	/* A member elsewhere: of ours, it moved; of another, not ours */
	if (!sksm_process_stat(pid, &ps) && ps.partition[0] &&
	    strcmp(ps.partition, c->partitions[part].name)) {
		long other = partition_index(c, ps.partition);

		if (other < 0) {
			if (verbose)
				logmsg("pid %d is in partition %s, which this "
				       "configuration does not manage: "
				       "skipped", (int)pid, ps.partition);
			return;
		}
		leave(c, other, pid, "moved");
	}
	if (dry_run) {
		logmsg("would merge pid %d (%.60s) into %s", (int)pid, cmd,
		       c->partitions[part].name);
		return;
	}
	if (!partition(c, part, 1))
		return;
	pidfd = hold(pid, st);
	if (pidfd == -1)
		return;		/* gone, or its pid reused */
	if (private_ranges(pid, &cur, &ncur)) {
		ncur = 0;
		cur = NULL;
	}
	/* Its map changed since we merged it: the new ranges only */
	incremental = k && k->part == part && !rescan && cur;
	if (incremental) {
		todo = calloc(ncur + k->nr_ranges + 1, sizeof(*todo));
		if (todo)
			ntodo = new_ranges(cur, ncur, k->ranges, k->nr_ranges,
					   todo);
		else
			incremental = 0;
	}
	ret = merge_ranges(handles[part], pid, pidfd,
			   incremental ? todo : NULL, ntodo);
	if (pidfd >= 0)
		close(pidfd);
	free(todo);
	if (ret < 0) {
		free(cur);
		if (errno == ESRCH)
			return;
		logmsg("merge pid %d into %s: %s", (int)pid,
		       c->partitions[part].name,
		       sksm_strerror_op(SKSM_OP_MERGE, errno));
		if (errno == ENODEV) {	/* removed under us: new next time */
			sksm_close(handles[part]);
			handles[part] = NULL;
		}
		return;
	}
	if (!k)
		k = remember(pid);
	if (k) {
		free(k->ranges);
		k->ranges = cur;
		k->nr_ranges = ncur;
		k->start_time = st;
		k->maps_hash = h;
		k->part = part;
		k->seen = 1;
	} else {
		free(cur);
	}
	t[part].merged_processes++;
	t[part].pages += ret;
	if (verbose && incremental)
		logmsg("merged pid %d (%.60s) into %s: %ld pages in %zu new "
		       "range%s", (int)pid, cmd, c->partitions[part].name, ret,
		       ntodo, ntodo == 1 ? "" : "s");
	else if (verbose)
		logmsg("merged pid %d (%.60s) into %s: %ld pages", (int)pid,
		       cmd, c->partitions[part].name, ret);
}

/* MemAvailable below the configured share of MemTotal (or no limit set) */
static int memory_low(const struct sksmd_conf *c)
{
	unsigned long long total = 0, avail = 0;
	char buf[4096], *s;

	if (c->mem_available_below < 0)
		return 1;
	if (read_file("/proc/meminfo", buf, sizeof(buf)) <= 0)
		return 1;
	s = strstr(buf, "MemTotal:");
	if (s)
		sscanf(s, "MemTotal: %llu", &total);
	s = strstr(buf, "MemAvailable:");
	if (s)
		sscanf(s, "MemAvailable: %llu", &avail);
	if (!total)
		return 1;
	if (avail * 100 < total * (unsigned long long)c->mem_available_below)
		return 1;
	if (verbose)
		logmsg("MemAvailable %llu of %llu kB is not below %d%%: no "
		       "pass", avail, total, c->mem_available_below);
	return 0;
}

static void pass(const struct sksmd_conf *c, unsigned long nr)
{
	int rescan = c->rescan_every && nr % c->rescan_every == 0;
	struct tally *t = calloc(c->nr_partitions, sizeof(*t));
	char cmd[4096];
	struct dirent *d;
	DIR *dir;

	if (!t || !memory_low(c)) {
		free(t);
		return;
	}
	for (size_t i = 0; i < nr_known; i++)
		known[i].seen = 0;
	dir = opendir("/proc");
	if (!dir) {
		logmsg("/proc: %s", strerror(errno));
		free(t);
		return;
	}
	while ((d = readdir(dir))) {
		char *end;
		long pid = strtol(d->d_name, &end, 10);
		long part;

		if (*end || pid <= 0 || pid == getpid())
			continue;
		part = match(c, pid, cmd, sizeof(cmd));
		if (part >= 0)
			merge_one(c, pid, part, cmd, rescan, t);
	}
	closedir(dir);

	/* Merged before, not named now: it left its partition's domain */
	for (size_t i = 0; i < nr_known; ) {
		struct known *k = &known[i];
		unsigned long long st;

		if (k->seen) {
			i++;
			continue;
		}
		if (!start_time(k->pid, &st) && st == k->start_time &&
		    k->part < c->nr_partitions)
			leave(c, k->part, k->pid, "no longer named");
		forget(k);
	}

	for (size_t i = 0; i < c->nr_partitions; i++) {
		struct sksm_stats st = { .size = sizeof(st) };

		if (!t[i].merged_processes && !verbose)
			continue;
		if (dry_run || sksm_stat_name(c->partitions[i].name, &st)) {
			logmsg("%s: %lu processes, %lu merged, %ld pages",
			       c->partitions[i].name, t[i].processes,
			       t[i].merged_processes, t[i].pages);
			continue;
		}
		logmsg("%s: %lu processes, %lu merged, %ld pages; %llu pages "
		       "shared, %llu sharing, saving %lld KiB",
		       c->partitions[i].name, t[i].processes,
		       t[i].merged_processes, t[i].pages,
		       (unsigned long long)st.pages_shared,
		       (unsigned long long)st.pages_sharing,
		       (long long)st.general_profit / 1024);
	}
	free(t);
}

static int load(const char *path, struct sksmd_conf *c)
{
	char err[512];

	if (sksmd_conf_load(path, c, err, sizeof(err))) {
		logmsg("%s", err);
		return -1;
	}
	return 0;
}

/* A PSI trigger on memory: POLLPRI when the stall exceeds it */
static int psi_open(const char *trigger)
{
	int fd = open("/proc/pressure/memory", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		logmsg("psi: /proc/pressure/memory: %s", strerror(errno));
		return -1;
	}
	if (write(fd, trigger, strlen(trigger) + 1) < 0) {
		logmsg("psi: trigger '%s': %s", trigger, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void usage(FILE *f)
{
	fputs("Usage: sksmd [-c FILE] [--once] [--dry-run] [--check] [-v]\n"
	      "Merge configured groups of processes into KSM partitions.\n\n"
	      "  -c, --config FILE  configuration (default " DEFAULT_CONF ")\n"
	      "  -1, --once         one pass, then exit\n"
	      "  -n, --dry-run      say what a pass would do, change nothing\n"
	      "      --check        check the configuration, print it, exit\n"
	      "  -v, --verbose      log every process merged\n"
	      "  -h, --help         this help\n\n"
	      "SIGHUP reloads the configuration; SIGTERM and SIGINT stop.\n"
	      "See sksmd(8), sksmd.conf(5).\n", f);
}

static void print_conf(const struct sksmd_conf *c)
{
	printf("interval = %u\n", c->interval);
	if (c->psi[0])
		printf("psi = %s\n", c->psi);
	if (c->mem_available_below >= 0)
		printf("mem_available_below = %d%%\n", c->mem_available_below);
	printf("rescan_every = %u\n", c->rescan_every);
	for (size_t i = 0; i < c->nr_partitions; i++) {
		const struct sksmd_partition *p = &c->partitions[i];

		printf("\n[partition %s]\nmode = %04o\n", p->name,
		       (unsigned int)p->mode);
		for (size_t j = 0; j < p->nr_cgroups; j++)
			printf("cgroup = %s\n", p->cgroups[j]);
		for (size_t j = 0; j < p->nr_processes; j++)
			printf("process = %s\n", p->processes[j]);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "once", no_argument, NULL, '1' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "check", no_argument, NULL, 'C' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *path = DEFAULT_CONF;
	int once = 0, check = 0, opt, sfd, psi = -1;
	struct sksmd_conf conf;
	unsigned long nr = 0;
	sigset_t mask;

	while ((opt = getopt_long(argc, argv, "c:1nvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case '1': once = 1; break;
		case 'n': dry_run = 1; break;
		case 'C': check = 1; break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (load(path, &conf))
		return 2;
	if (check) {
		print_conf(&conf);
		sksmd_conf_free(&conf);
		return 0;
	}
	if (sksm_probe() < 0) {
		logmsg("%s", sksm_strerror(errno));
		return errno == ENOSYS ? 3 : 1;
	}
	handles = calloc(conf.nr_partitions, sizeof(*handles));
	if (!handles)
		return 1;
	if (once) {
		pass(&conf, 0);
		close_partitions(conf.nr_partitions);
		return 0;
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		logmsg("signalfd: %s", strerror(errno));
		return 1;
	}
	if (conf.psi[0] && (psi = psi_open(conf.psi)) < 0)
		return 1;
	logmsg("started: %zu partitions, interval %u s%s%s", conf.nr_partitions,
	       conf.interval, conf.psi[0] ? ", psi " : "", conf.psi);
	pass(&conf, nr++);

	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = psi, .events = POLLPRI },
		};
		int timeout = conf.interval ? (int)conf.interval * 1000 : -1;
		int n = poll(fds, psi >= 0 ? 2 : 1, timeout);

		if (n < 0 && errno != EINTR) {
			logmsg("poll: %s", strerror(errno));
			break;
		}
		if (n > 0 && (fds[0].revents & POLLIN)) {
			struct signalfd_siginfo si;
			struct sksmd_conf fresh;

			if (read(sfd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo != SIGHUP)
				break;
			if (load(path, &fresh)) {
				logmsg("reload failed: keeping the old "
				       "configuration");
				continue;
			}
			close_partitions(conf.nr_partitions);
			free(handles);
			sksmd_conf_free(&conf);
			conf = fresh;
			handles = calloc(conf.nr_partitions, sizeof(*handles));
			if (!handles)
				return 1;
			if (psi >= 0)
				close(psi);
			psi = -1;
			if (conf.psi[0] && (psi = psi_open(conf.psi)) < 0)
				return 1;
			/*
			 * Partitions may have changed: judge everyone anew. A
			 * process whose partition left the file stays in it
			 * (sksmd no longer manages it; ksmctl unmerge does).
			 */
			nr_known = 0;
			logmsg("reloaded %s: %zu partitions", path,
			       conf.nr_partitions);
			pass(&conf, nr++);
			continue;
		}
		if (n > 0 && psi >= 0 && (fds[1].revents & POLLERR)) {
			logmsg("psi: trigger lost");
			return 1;
		}
		pass(&conf, nr++);
	}
	logmsg("stopping");
	close_partitions(conf.nr_partitions);
	sksmd_conf_free(&conf);
	return 0;
}

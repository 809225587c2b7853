// SPDX-License-Identifier: GPL-2.0
/*
 * ksm-stress: KSM partitions under concurrent use, with global KSM and
 * memory compaction running beside them.
 *
 *   ksm-stress [-d SECONDS] [-w WORKERS] [-p PARTITIONS] [-s SEED] [-i]
 *
 * Each worker owns 2 MiB of anonymous memory whose every page it knows
 * (a "seed" per page: few seeds, so that pages of all workers merge), and
 * loops over random steps: write pages, merge or unmerge ranges through
 * its partition's descriptor, fork a child that does steps of its own,
 * fork and exec, munmap and map again, mremap, mprotect, MADV_DONTNEED,
 * MADV_FREE, MADV_COLLAPSE, MADV_MERGEABLE and MADV_UNMERGEABLE, close and
 * reopen its partition. After every step it compares all of its memory
 * with what it wrote. One more worker uses global KSM only (ksmd runs
 * flat out), and an admin process removes and unlinks partitions, toggles
 * use_zero_pages, reads counters and compacts memory at random times.
 *
 * At the end every partition is removed, and global KSM's counters and the
 * objects of the KSM slab caches must come back to where they were.
 *
 * Exit status 0 when all data stayed intact and every call failed only in
 * documented ways; 1 with the first problem on stderr otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/ksm.h>
#include <linux/mempolicy.h>

#include "ksm-guest.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

#define PAGE		4096UL
#define NPAGES		512		/* 2 MiB: one THP */
#define REGION		(NPAGES * PAGE)
#define HISTORY		16

enum op {
	OP_WRITE, OP_MERGE, OP_UNMERGE, OP_UNMERGE_ALL, OP_FORK, OP_EXEC,
	OP_REMAP, OP_MREMAP, OP_MPROTECT, OP_DONTNEED, OP_FREE, OP_COLLAPSE,
	OP_MADV_MERGE, OP_REOPEN, NR_OPS
};

static const char * const op_names[NR_OPS] = {
	"write", "merge", "unmerge", "unmerge_all", "fork", "exec", "remap",
	"mremap", "mprotect", "dontneed", "free", "collapse", "madv_merge",
	"reopen",
};

static time_t deadline;
static int nr_parts = 2;

/* A worker's view of its memory, and what it did last */
struct worker {
	int id;
	char *mem;
	unsigned char seed[NPAGES];
	char name[32];
	int fd;
	int history[HISTORY];
	unsigned long steps;
	unsigned long merged, unmerged, refused;
};

static void die(struct worker *w, const char *fmt, ...)
{
	va_list ap;
	int i;

	fprintf(stderr, "ksm-stress: worker %d: ", w ? w->id : -1);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (w) {
		fprintf(stderr, "ksm-stress: worker %d: last steps:", w->id);
		for (i = 0; i < HISTORY && i < (int)w->steps; i++)
			fprintf(stderr, " %s", op_names[w->history[
				(w->steps - 1 - i) % HISTORY]]);
		fputc('\n', stderr);
	}
	_exit(1);
}

static unsigned long rnd(unsigned long n)
{
	return n ? (unsigned long)random() % n : 0;
}

/* Page @i with seed @s: seed 0 is an empty page, 1..7 are shared, 8.. unique */
static void make_page(char *page, unsigned long i, unsigned char s)
{
	memset(page, s, PAGE);
	if (s >= 8)
		memcpy(page, &i, sizeof(i));
}

static void check(struct worker *w, const char *what)
{
	static char want[PAGE];
	unsigned long i;

	for (i = 0; i < NPAGES; i++) {
		make_page(want, i, w->seed[i]);
		if (memcmp(w->mem + i * PAGE, want, PAGE))
			die(w, "page %lu differs from seed %u after %s", i,
			    w->seed[i], what);
	}
}

static void write_page(struct worker *w, unsigned long i, unsigned char s)
{
	w->seed[i] = s;
	make_page(w->mem + i * PAGE, i, s);
}

static unsigned char new_seed(void)
{
	return rnd(4) ? 1 + rnd(7) : 8 + rnd(200);
}

static long ksm_open(const char *name, int flags, mode_t mode)
{
	return syscall(__NR_ksm_open, name, flags, mode);
}

static long ksm_merge(int fd, pid_t pid, void *addr, size_t len)
{
	return syscall(__NR_ksm_merge, fd, pid, addr, len, 0);
}

static long ksm_unmerge(int fd, pid_t pid, void *addr, size_t len)
{
	return syscall(__NR_ksm_unmerge, fd, pid, addr, len, 0);
}

/* Open (or make) the worker's partition by name */
static int open_partition(struct worker *w)
{
	int tries;

	/* EEXIST: the name is still taken by a partition being removed */
	for (tries = 0; tries < 1000; tries++) {
		w->fd = ksm_open(w->name, O_RDWR | KSM_CREAT | KSM_SYNC, 0600);
		if (w->fd >= 0 || errno != EEXIST)
			break;
		usleep(1000);
	}
	if (w->fd < 0)
		die(w, "ksm_open(%s): %s", w->name, strerror(errno));
	return w->fd;
}

/* A random page aligned subrange [*start, *start + *len) of the region */
static void subrange(unsigned long *first, unsigned long *n)
{
	*first = rnd(NPAGES);
	*n = 1 + rnd(NPAGES - *first);
}

/*
 * Calls may fail for reasons the stress provokes on purpose: the admin
 * removed the partition (ENOENT) or is removing it (EAGAIN), the process
 * is no member (EINVAL for an unmerge), or belongs to a partition of the
 * same name that was unlinked and made again (EBUSY). Anything else is a
 * bug.
 */
static long expect(struct worker *w, long ret, const char *call)
{
	if (ret >= 0)
		return ret;
	if (errno == ENOENT || errno == EAGAIN || errno == EBUSY ||
	    errno == EINVAL) {
		w->refused++;
		return 0;
	}
	die(w, "%s: unexpected %s", call, strerror(errno));
	return 0;
}

static void step(struct worker *w, bool child);

static void do_fork(struct worker *w)
{
	int status, i;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		if (errno == ENOMEM || errno == EAGAIN)
			return;
		die(w, "fork: %s", strerror(errno));
	}
	if (!pid) {
		/* The child goes on with the parent's memory and descriptor */
		check(w, "fork (child)");
		for (i = 0; i < 8; i++)
			step(w, true);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		die(w, "a forked child failed (status %#x)", status);
}

static void do_exec(struct worker *w)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return;
	if (!pid) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		die(w, "exec of /bin/true failed (status %#x)", status);
}

/*
 * Move the whole region elsewhere, one mapping at a time: mremap() moves
 * within one VMA, and mprotect() and madvise() have split the region.
 */
static void move_region(struct worker *w)
{
	unsigned long start, end, s[NPAGES], e[NPAGES], base = (unsigned long)w->mem;
	unsigned int n = 0, i;
	char line[256], *dst;
	FILE *f;

	dst = mmap(NULL, REGION, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (dst == MAP_FAILED)
		die(w, "mmap: %s", strerror(errno));
	f = fopen("/proc/self/maps", "r");
	if (!f)
		die(w, "/proc/self/maps: %s", strerror(errno));
	while (fgets(line, sizeof(line), f) && n < NPAGES) {
		if (sscanf(line, "%lx-%lx", &start, &end) != 2 ||
		    end <= base || start >= base + REGION)
			continue;
		s[n] = start > base ? start : base;
		e[n++] = end < base + REGION ? end : base + REGION;
	}
	fclose(f);
	for (i = 0; i < n; i++)
		if (mremap((void *)s[i], e[i] - s[i], e[i] - s[i],
			   MREMAP_MAYMOVE | MREMAP_FIXED,
			   dst + (s[i] - base)) == MAP_FAILED)
			die(w, "mremap: %s", strerror(errno));
	w->mem = dst;
}

static void step(struct worker *w, bool child)
{
	unsigned long first, n, i;
	enum op op = rnd(NR_OPS);
	char *p;

	/* A child does not fork, exec, reopen or move its memory */
	if (child && (op == OP_FORK || op == OP_EXEC || op == OP_REOPEN ||
		      op == OP_MREMAP))
		op = OP_WRITE;
	w->history[w->steps++ % HISTORY] = op;
	subrange(&first, &n);

	switch (op) {
	case OP_WRITE:
		for (i = 0; i < 1 + rnd(32); i++)
			write_page(w, rnd(NPAGES), new_seed());
		break;
	case OP_MERGE:
		w->merged += expect(w, ksm_merge(w->fd, getpid(),
						 w->mem + first * PAGE,
						 n * PAGE), "ksm_merge");
		break;
	case OP_UNMERGE:
		w->unmerged += expect(w, ksm_unmerge(w->fd, getpid(),
						     w->mem + first * PAGE,
						     n * PAGE), "ksm_unmerge");
		break;
	case OP_UNMERGE_ALL:
		w->unmerged += expect(w, ksm_unmerge(w->fd, getpid(), NULL, 0),
				      "ksm_unmerge(all)");
		break;
	case OP_FORK:
		do_fork(w);
		break;
	case OP_EXEC:
		do_exec(w);
		break;
	case OP_REMAP:
		/* Unmap a range and map fresh, empty memory in its place */
		if (munmap(w->mem + first * PAGE, n * PAGE))
			die(w, "munmap: %s", strerror(errno));
		p = mmap(w->mem + first * PAGE, n * PAGE,
			 PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (p == MAP_FAILED)
			die(w, "mmap: %s", strerror(errno));
		memset(w->seed + first, 0, n);
		break;
	case OP_MREMAP:
		move_region(w);
		break;
	case OP_MPROTECT:
		if (mprotect(w->mem + first * PAGE, n * PAGE, PROT_READ))
			die(w, "mprotect: %s", strerror(errno));
		check(w, "mprotect(PROT_READ)");
		/* Counted: a worker whose merges came here merged all the same */
		w->merged += expect(w, ksm_merge(w->fd, getpid(), w->mem,
						 REGION), "ksm_merge(read-only)");
		check(w, "ksm_merge(read-only)");
		if (mprotect(w->mem + first * PAGE, n * PAGE,
			     PROT_READ | PROT_WRITE))
			die(w, "mprotect: %s", strerror(errno));
		break;
	case OP_DONTNEED:
		if (madvise(w->mem + first * PAGE, n * PAGE, MADV_DONTNEED))
			die(w, "MADV_DONTNEED: %s", strerror(errno));
		memset(w->seed + first, 0, n);
		break;
	case OP_FREE:
		/* Freed pages read as before or empty until written again */
		if (madvise(w->mem + first * PAGE, n * PAGE, MADV_FREE))
			die(w, "MADV_FREE: %s", strerror(errno));
		for (i = first; i < first + n; i++)
			write_page(w, i, w->seed[i]);
		break;
	case OP_COLLAPSE:
		/* Fails often (pages merged, swapped, not all there): fine */
		madvise(w->mem, REGION, MADV_COLLAPSE);
		break;
	case OP_MADV_MERGE:
		if (madvise(w->mem + first * PAGE, n * PAGE,
			    rnd(2) ? MADV_MERGEABLE : MADV_UNMERGEABLE))
			die(w, "MADV_(UN)MERGEABLE: %s", strerror(errno));
		break;
	case OP_REOPEN:
		/* Leave, and reopen the partition by name (maybe a new one) */
		expect(w, ksm_unmerge(w->fd, getpid(), NULL, 0),
		       "ksm_unmerge(all)");
		close(w->fd);
		open_partition(w);
		break;
	case NR_OPS:
		break;
	}
	check(w, op_names[op]);
}

static void worker(int id)
{
	struct worker w = { .id = id };
	unsigned long i;

	srandom(random() + id);
	snprintf(w.name, sizeof(w.name), "stress-%d", id % nr_parts);
	/* 2 MiB aligned, so that MADV_COLLAPSE can make a THP of it */
	w.mem = mmap(NULL, 2 * REGION, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w.mem == MAP_FAILED)
		die(&w, "mmap: %s", strerror(errno));
	w.mem = (char *)(((uintptr_t)w.mem + REGION - 1) & ~(REGION - 1));
	for (i = 0; i < NPAGES; i++)
		write_page(&w, i, new_seed());
	open_partition(&w);
	while (time(NULL) < deadline)
		step(&w, false);
	printf("ksm-stress: worker %d: %lu steps, %lu pages merged, %lu "
	       "unmerged, %lu calls refused (partition removed or left)\n",
	       id, w.steps, w.merged, w.unmerged, w.refused);
	/* A run that merged nothing proved nothing */
	if (!w.merged || !w.unmerged)
		die(&w, "merged %lu and unmerged %lu pages: too few",
		    w.merged, w.unmerged);
	_exit(0);
}

/* Global KSM only: ksmd merges it with nothing of the partitions */
static void global_worker(int id)
{
	struct worker w = { .id = id, .fd = -1 };
	unsigned long i;

	srandom(random() + id);
	w.mem = mmap(NULL, REGION, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w.mem == MAP_FAILED)
		die(&w, "mmap: %s", strerror(errno));
	for (i = 0; i < NPAGES; i++)
		write_page(&w, i, new_seed());
	if (madvise(w.mem, REGION, MADV_MERGEABLE))
		die(&w, "MADV_MERGEABLE: %s", strerror(errno));
	while (time(NULL) < deadline) {
		w.history[w.steps++ % HISTORY] = OP_WRITE;
		for (i = 0; i < 1 + rnd(8); i++)
			write_page(&w, rnd(NPAGES), new_seed());
		check(&w, "write (global)");
		usleep(rnd(20000));
	}
	printf("ksm-stress: global worker: %lu steps\n", w.steps);
	_exit(0);
}

/* Remove, unlink, retune, read and compact while the workers run */
static void admin(void)
{
	unsigned long actions = 0;
	char name[32], path[128];

	srandom(random());
	while (time(NULL) < deadline) {
		usleep(50000 + rnd(250000));
		snprintf(name, sizeof(name), "stress-%lu", rnd(nr_parts));
		actions++;
		switch (rnd(5)) {
		case 0:
			write_file(KSM "/control/remove_partition", name);
			break;
		case 1:
			syscall(__NR_ksm_unlink, name);
			break;
		case 2:
			snprintf(path, sizeof(path), KSM "/%s/use_zero_pages",
				 name);
			write_file(path, rnd(2) ? "1" : "0");
			break;
		case 3:
			snprintf(path, sizeof(path), KSM "/%s/pages_sharing",
				 name);
			read_long(path);
			read_long(KSM "/pages_sharing");
			read_long(KSM "/ksm_zero_pages");
			break;
		case 4:
			write_file("/proc/sys/vm/compact_memory", "1");
			break;
		}
	}
	printf("ksm-stress: admin: %lu actions\n", actions);
	_exit(0);
}

int main(int argc, char **argv)
{
	int seconds = 60, workers = 4, opt, status, failed = 0, i;
	int interleave = 0;
	long before[NR_BASELINE];
	unsigned int seed = time(NULL);
	char name[32];
	pid_t pid;

	while ((opt = getopt(argc, argv, "d:w:p:s:i")) != -1) {
		switch (opt) {
		case 'i': interleave = 1; break;
		case 'd': seconds = atoi(optarg); break;
		case 'w': workers = atoi(optarg); break;
		case 'p': nr_parts = atoi(optarg); break;
		case 's': seed = strtoul(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: ksm-stress [-d SECONDS] "
				"[-w WORKERS] [-p PARTITIONS] [-s SEED] [-i]\n");
			return 2;
		}
	}
	if (seconds < 1 || workers < 1 || nr_parts < 1)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	/*
	 * -i: every process's pages alternate over the NUMA nodes, so that
	 * with merge_across_nodes 0 equal pages land on both sides of the
	 * per-node trees (the workers inherit the policy).
	 */
	if (interleave) {
		unsigned long nodes = ~0UL;

		if (syscall(SYS_set_mempolicy, MPOL_INTERLEAVE, &nodes,
			    sizeof(nodes) * 8)) {
			perror("ksm-stress: set_mempolicy(MPOL_INTERLEAVE)");
			return 1;
		}
	}
	printf("ksm-stress: %d s, %d workers in %d partitions, seed %u%s\n",
	       seconds, workers, nr_parts, seed,
	       interleave ? ", memory interleaved over the nodes" : "");
	srandom(seed);

	/* ksmd flat out, for the global worker, beside the partitions */
	write_file(KSM "/run", "2");
	write_file(KSM "/run", "0");
	baseline(before);
	write_file(KSM "/sleep_millisecs", "10");
	write_file(KSM "/pages_to_scan", "1000");
	write_file(KSM "/run", "1");

	deadline = time(NULL) + seconds;
	for (i = 0; i < workers + 2; i++) {
		pid = fork();
		if (pid < 0) {
			perror("ksm-stress: fork");
			return 1;
		}
		if (!pid) {
			if (i < workers)
				worker(i);
			else if (i == workers)
				global_worker(i);
			else
				admin();
		}
		random();	/* each child starts from its own seed */
	}
	while ((pid = wait(&status)) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "ksm-stress: process %d failed "
				"(status %#x)\n", pid, status);
			failed = 1;
		}

	/* Tear down; everything must be back where it was */
	for (i = 0; i < nr_parts; i++) {
		snprintf(name, sizeof(name), "stress-%d", i);
		write_file(KSM "/control/remove_partition", name);
		syscall(__NR_ksm_unlink, name);
	}
	write_file(KSM "/run", "2");
	write_file(KSM "/run", "0");
	write_file(KSM "/sleep_millisecs", "20");
	write_file(KSM "/pages_to_scan", "100");
	if (back_to_baseline("ksm-stress", before))
		failed = 1;
	printf("ksm-stress: %s\n", failed ? "FAILED" : "ok");
	return failed;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * ksmctl estimate: what merging would save, without merging. The pages
 * KSM can merge are the present anonymous pages of private mappings
 * (/proc/PID/pagemap tells them apart: present, and not a file or shared
 * page); their contents come from process_vm_readv(), which needs the
 * rights a merge needs. Within a group, the pages that a merge would map
 * onto another's KSM page are, for each content seen c times, c less the
 * KSM pages they need: one per max_page_sharing of them.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>

#include "estimate.h"

#define PM_PRESENT	(1ULL << 63)
#define PM_FILE		(1ULL << 61)	/* file page or shared anonymous */
#define BATCH		256		/* pages read per call */

/* Counts of page contents: open addressing on a 128-bit hash */
struct table {
	struct slot { uint64_t h1, h2; uint64_t count; } *slots;
	size_t cap, used;
};

static int table_add(struct table *t, uint64_t h1, uint64_t h2)
{
	size_t i;

	if ((t->used + 1) * 2 > t->cap) {
		struct table bigger = { .cap = t->cap ? t->cap * 2 : 4096 };

		bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots));
		if (!bigger.slots)
			return -1;
		for (i = 0; i < t->cap; i++) {
			struct slot *s = &t->slots[i];
			size_t j;

			if (!s->count)
				continue;
			for (j = s->h1 & (bigger.cap - 1); bigger.slots[j].count;
			     j = (j + 1) & (bigger.cap - 1))
				;
			bigger.slots[j] = *s;
		}
		bigger.used = t->used;
		free(t->slots);
		*t = bigger;
	}
	for (i = h1 & (t->cap - 1); t->slots[i].count;
	     i = (i + 1) & (t->cap - 1))
		if (t->slots[i].h1 == h1 && t->slots[i].h2 == h2) {
			t->slots[i].count++;
			return 0;
		}
	t->slots[i] = (struct slot){ h1, h2, 1 };
	t->used++;
	return 0;
}

/* Two independent 64-bit hashes of a page */
static void hash_page(const unsigned char *p, size_t len, uint64_t *h1,
		      uint64_t *h2)
{
	const uint64_t *w = (const uint64_t *)p;
	uint64_t a = 0x9e3779b97f4a7c15ULL, b = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len / 8; i++) {
		a = (a ^ w[i]) * 0xff51afd7ed558ccdULL;
		a ^= a >> 29;
		b = (b ^ w[i]) * 0x100000001b3ULL;
		b = (b << 23) | (b >> 41);
	}
	*h1 = a ^ (a >> 33);
	*h2 = b;
}

/* Hash every mergeable page of @pid into @tables (each of @n) */
static int scan_process(pid_t pid, struct table **tables, int n,
			struct estimate *e)
{
	size_t page = sysconf(_SC_PAGESIZE);
	char path[64], line[512];
	unsigned char *buf;
	int pm, ret = 0;
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	maps = fopen(path, "re");
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	pm = open(path, O_RDONLY | O_CLOEXEC);
	buf = malloc(BATCH * page);
	if (!maps || pm < 0 || !buf) {
		ret = -errno;
		goto out;
	}
	while (fgets(line, sizeof(line), maps)) {
		unsigned long start, end;
		char perms[8], name[256] = "";

		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %255s", &start, &end,
			   perms, name) < 3)
			continue;
		/* Private, and not a [vdso]-like special mapping */
		if (perms[3] != 'p' || (name[0] == '[' && name[1] == 'v'))
			continue;
		for (unsigned long a = start; a < end; a += BATCH * page) {
			size_t n_pages = (end - a) / page, got;
			uint64_t ents[BATCH], h1, h2;
			struct iovec local, remote;

			if (n_pages > BATCH)
				n_pages = BATCH;
			if (pread(pm, ents, n_pages * 8, a / page * 8) !=
			    (ssize_t)(n_pages * 8))
				break;
			for (size_t i = 0; i < n_pages; i++) {
				if (!(ents[i] & PM_PRESENT) ||
				    (ents[i] & PM_FILE))
					continue;
				local = (struct iovec){ buf, page };
				remote = (struct iovec){ (void *)(a + i * page),
							 page };
				got = process_vm_readv(pid, &local, 1, &remote,
						       1, 0);
				if (got != page) {
					if (errno == EPERM || errno == ESRCH) {
						ret = -errno;
						goto out;
					}
					continue;	/* unmapped meanwhile */
				}
				hash_page(buf, page, &h1, &h2);
				for (int t = 0; t < n; t++)
					if (table_add(tables[t], h1, h2)) {
						ret = -ENOMEM;
						goto out;
					}
				e->pages++;
			}
		}
	}
out:
	if (maps)
		fclose(maps);
	if (pm >= 0)
		close(pm);
	free(buf);
	return ret;
}

static void tally(const struct table *t, unsigned long mps,
		  struct estimate *e)
{
	for (size_t i = 0; i < t->cap; i++) {
		uint64_t c = t->slots[i].count;

		if (!c)
			continue;
		e->distinct++;
		if (c > 1)
			e->pages_sharing += c - (c + mps - 1) / mps;
	}
}

static int add_pid(pid_t **pids, size_t *n, pid_t pid);

int estimate_groups(struct estimate *groups, int n, struct estimate *all)
{
	struct table *tables, whole = { 0 };
	unsigned long mps = 256;
	FILE *f;
	int ret = 0;

	f = fopen("/sys/kernel/mm/ksm/max_page_sharing", "re");
	if (f) {
		if (fscanf(f, "%lu", &mps) != 1 || mps < 2)
			mps = 256;
		fclose(f);
	}
	tables = calloc(n, sizeof(*tables));
	if (!tables)
		return -ENOMEM;
	memset(all, 0, sizeof(*all));
	for (int g = 0; g < n && !ret; g++) {
		struct table *both[2] = { &tables[g], &whole };

		for (size_t i = 0; i < groups[g].nr_pids && !ret; i++) {
			struct estimate scratch = { 0 };

			ret = scan_process(groups[g].pids[i], both, 2, &scratch);
			if (ret == -ESRCH) {
				ret = 0;	/* gone: nothing to merge */
				continue;
			}
			if (ret)
				groups[g].failed_pid = groups[g].pids[i];
			groups[g].pages += scratch.pages;
			all->pages += scratch.pages;
		}
		for (size_t i = 0; i < groups[g].nr_pids && !ret; i++)
			ret = add_pid(&all->pids, &all->nr_pids,
				      groups[g].pids[i]);
		tally(&tables[g], mps, &groups[g]);
	}
	if (!ret)
		tally(&whole, mps, all);
	for (int g = 0; g < n; g++)
		free(tables[g].slots);
	free(tables);
	free(whole.slots);
	return ret;
}

static int add_pid(pid_t **pids, size_t *n, pid_t pid)
{
	pid_t *grown = reallocarray(*pids, *n + 1, sizeof(**pids));

	if (!grown)
		return -ENOMEM;
	*pids = grown;
	grown[(*n)++] = pid;
	return 0;
}

int cgroup_pids(const char *dir, pid_t **pids, size_t *n)
{
	char path[4096];
	struct dirent *d;
	long pid;
	FILE *f;
	DIR *dh;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (!ret && fscanf(f, "%ld", &pid) == 1)
		ret = add_pid(pids, n, pid);
	fclose(f);
	dh = opendir(dir);
	if (!dh)
		return ret ? ret : -errno;
	while (!ret && (d = readdir(dh))) {
		if (d->d_type != DT_DIR || d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		ret = cgroup_pids(path, pids, n);
	}
	closedir(dh);
	return ret;
}

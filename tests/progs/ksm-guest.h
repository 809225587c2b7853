/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the guest programs that drive KSM partitions at random
 * (ksm-stress, ksm-fuzz): small file I/O, and the state that every run
 * must leave as it found it.
 */
#ifndef KSM_GUEST_H
#define KSM_GUEST_H

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KSM		"/sys/kernel/mm/ksm"

/* Write @val to @path: 0, or -1 with errno set */
static inline int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -1;
	if (write(fd, val, strlen(val)) < 0)
		ret = -1;
	close(fd);
	return ret;
}

/* The number in @path, or -1 */
static inline long read_long(const char *path)
{
	char buf[64] = "";
	long val = -1;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) > 0)
		val = strtol(buf, NULL, 10);
	close(fd);
	return val;
}

/* What a run must give back: global KSM counters and KSM slab objects */
static const char * const baseline_files[] = {
	KSM "/pages_shared", KSM "/pages_sharing", KSM "/pages_unshared",
	KSM "/ksm_zero_pages", KSM "/stable_node_chains",
	KSM "/stable_node_dups",
	"/sys/kernel/slab/ksm_partition/objects",
	"/sys/kernel/slab/ksm_mm_slot/objects",
	"/sys/kernel/slab/ksm_rmap_item/objects",
	"/sys/kernel/slab/ksm_stable_node/objects",
};
#define NR_BASELINE	(sizeof(baseline_files) / sizeof(baseline_files[0]))

static inline void baseline(long *v)
{
	static const char * const caches[] = {
		"ksm_partition", "ksm_mm_slot", "ksm_rmap_item",
		"ksm_stable_node",
	};
	char path[128];
	unsigned int i;

	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink",
			 caches[i]);
		write_file(path, "1");
	}
	for (i = 0; i < NR_BASELINE; i++)
		v[i] = read_long(baseline_files[i]);
}

/* Report, as @prog, every process that is still a partition's member */
static inline void report_members(const char *prog)
{
	char path[300], line[128];
	struct dirent *d;
	DIR *proc;
	FILE *f;

	proc = opendir("/proc");
	if (!proc)
		return;
	while ((d = readdir(proc))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ksm_stat", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "ksm_partition ", 14))
				fprintf(stderr, "%s: pid %s is still in %s",
					prog, d->d_name, line + 14);
		fclose(f);
	}
	closedir(proc);
}

/*
 * Wait up to 30 s (stable nodes of exiting members are reaped a second or
 * so after them) for the state to come back to @before; report what did
 * not on stderr, as @prog, with the processes still in a partition.
 * Returns 0 when everything came back, else 1.
 */
static inline int back_to_baseline(const char *prog, const long *before)
{
	long after[NR_BASELINE];
	int tries, failed = 0;
	unsigned int i;

	for (tries = 0; tries < 30; tries++) {
		baseline(after);
		if (!memcmp(before, after, sizeof(after)))
			return 0;
		sleep(1);
	}
	for (i = 0; i < NR_BASELINE; i++)
		if (before[i] != after[i]) {
			fprintf(stderr, "%s: %s is %ld after the run, %ld "
				"before\n", prog, baseline_files[i], after[i],
				before[i]);
			failed = 1;
		}
	report_members(prog);
	return failed;
}

#endif /* KSM_GUEST_H */

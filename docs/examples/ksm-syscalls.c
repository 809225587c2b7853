// SPDX-License-Identifier: GPL-2.0
/*
 * The KSM partition system calls end to end: create a partition, merge two
 * processes that hold the same data, look at the result, unmerge, unlink.
 *
 *   cc -O2 -o ksm-syscalls docs/examples/ksm-syscalls.c
 *   ./ksm-syscalls
 *
 * Any user may run it: it merges only its own children. The system call
 * numbers come from /sys/kernel/mm/ksm/control/features: on a kernel
 * without the series, a guessed number may mean another call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* From <linux/ksm.h> of the patched kernel */
#define KSM_CREAT	0x0004
#define KSM_EXCL	0x0008
#define KSM_SYNC	0x0010

#define NPAGES		256	/* 1 MiB of 4 KiB pages, 4 kinds of content */

static long nr_open, nr_merge, nr_unmerge, nr_unlink;

static int read_features(void)
{
	FILE *f = fopen("/sys/kernel/mm/ksm/control/features", "r");
	char name[32];
	long nr;

	if (!f)
		return -1;
	while (fscanf(f, "%31s", name) == 1) {
		if (fscanf(f, "%ld", &nr) != 1)
			continue;	/* a feature without a number */
		if (!strcmp(name, "ksm_open"))
			nr_open = nr;
		else if (!strcmp(name, "ksm_merge"))
			nr_merge = nr;
		else if (!strcmp(name, "ksm_unmerge"))
			nr_unmerge = nr;
		else if (!strcmp(name, "ksm_unlink"))
			nr_unlink = nr;
	}
	fclose(f);
	return nr_open && nr_merge && nr_unmerge && nr_unlink ? 0 : -1;
}

/* A child with the same 1 MiB as its siblings, waiting to be killed */
static pid_t start_child(char *mem, size_t len)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		for (size_t i = 0; i < len; i += 4096)
			memset(mem + i, 'a' + (i / 4096) % 4, 4096);
		if (write(p[1], "", 1) == 1)
			pause();
		_exit(0);
	}
	close(p[1]);
	if (pid > 0 && read(p[0], &c, 1) != 1)
		pid = -1;
	close(p[0]);
	return pid;
}

static void show(int fd, const char *key)
{
	char path[64], line[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			printf("  %s", line);
	if (f)
		fclose(f);
}

int main(void)
{
	size_t len = NPAGES * 4096;
	char name[64], *mem;
	pid_t child[2];
	long n;
	int fd, i, ret = 0;

	if (read_features()) {
		fprintf(stderr, "this kernel has no KSM partition system calls\n");
		return 1;
	}
	snprintf(name, sizeof(name), "example-%d", getpid());
	fd = syscall(nr_open, name, KSM_CREAT | KSM_EXCL | KSM_SYNC | O_RDWR,
		     0600);
	if (fd < 0) {
		perror("ksm_open");
		return 1;
	}
	printf("partition %s: /sys/kernel/mm/ksm/%s\n", name, name);

	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return 1;
	for (i = 0; i < 2; i++) {
		child[i] = start_child(mem, len);
		if (child[i] < 0)
			return 1;
	}
	for (i = 0; i < 2; i++) {
		n = syscall(nr_merge, fd, child[i], mem, len, 0);
		if (n < 0) {
			perror("ksm_merge");
			return 1;
		}
		printf("ksm_merge(child %d): %ld pages merged\n", child[i], n);
		/* Four contents over the pages: every page has a twin */
		if (n != NPAGES)
			ret = 1;
	}
	show(fd, "pages_shar");
	show(fd, "members");

	n = syscall(nr_unmerge, fd, child[0], NULL, 0, 0);
	printf("ksm_unmerge(child %d, everything): %ld pages unmerged\n",
	       child[0], n);
	show(fd, "members");

	/* The name goes now; the partition when its fd and members do */
	if (syscall(nr_unlink, name)) {
		perror("ksm_unlink");
		ret = 1;
	}
	close(fd);
	for (i = 0; i < 2; i++) {
		kill(child[i], SIGKILL);
		waitpid(child[i], NULL, 0);
	}
	return n == NPAGES ? ret : 1;
}

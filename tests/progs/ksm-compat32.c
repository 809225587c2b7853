// SPDX-License-Identifier: GPL-2.0
/*
 * ksm-compat32: the KSM partition system calls from a 32-bit x86 process on
 * a 64-bit kernel, through the ia32 entry (built with -m32). Exits 0 when
 * every check passed, 1 when one failed: ENOSYS too, since a kernel with the
 * series and IA32_EMULATION must serve the calls to 32-bit programs.
 *
 * The area lies above 2 GiB and is merged twice over: by its own address,
 * whose top bit of 32 is set, and within a range 2 GiB long, whose size has
 * that bit set. An entry point that sign-extended either (as a wrong compat
 * wrapper would) makes the kernel see an address or size above 2^63 and
 * fail with EINVAL. The long range ends where a 32-bit process's address
 * space ends on a 64-bit kernel (0xffffe000): a range beyond it is EINVAL. The proof of the merge is in
 * /proc/self/pagemap: every page of the area shares one frame after the
 * merge (they hold the same bytes) and has a frame of its own after the
 * unmerge, with its data intact.
 *
 *   ksm-compat32 wait FILE   map and fill the area, write "PID START END"
 *                            to FILE and wait for SIGTERM: a 32-bit target
 *                            for a 64-bit caller's merges
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/ksm.h>

#if !defined(__i386__)
#error "ksm-compat32 is a 32-bit x86 program: build it with -m32"
#endif

#define AREA		((uintptr_t)0xa0000000)	/* above 2 GiB */
#define NPAGES		64
#define PAGE		4096
#define RANGE_START	((unsigned long)0x7fffe000)
#define RANGE_SIZE	((size_t)0x80000000)	/* 2 GiB, to 0xffffe000 */

#define PM_PRESENT	(1ULL << 63)
#define PM_PFN_MASK	((1ULL << 55) - 1)

static int failed;

#define check(cond, ...) do {					\
	if (!(cond)) {						\
		printf("not ok: " __VA_ARGS__);			\
		printf(" (errno %d: %s)\n", errno, strerror(errno)); \
		failed = 1;					\
	} else {						\
		printf("ok: " __VA_ARGS__);			\
		printf("\n");					\
	}							\
} while (0)

/* How many distinct frames back the area's present pages; -1 if any is not */
static int distinct_frames(void)
{
	uint64_t pfn[NPAGES];
	int fd, n = 0;

	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return -1;
	if (pread(fd, pfn, sizeof(pfn), (off_t)(AREA / PAGE) * 8) != sizeof(pfn)) {
		close(fd);
		return -1;
	}
	close(fd);
	for (int i = 0; i < NPAGES; i++) {
		int j;

		if (!(pfn[i] & PM_PRESENT) || !(pfn[i] & PM_PFN_MASK))
			return -1;
		for (j = 0; j < i; j++)
			if ((pfn[j] & PM_PFN_MASK) == (pfn[i] & PM_PFN_MASK))
				break;
		n += j == i;
	}
	return n;
}

static int data_intact(const unsigned char *p)
{
	for (size_t i = 0; i < NPAGES * PAGE; i++)
		if (p[i] != 0x5a)
			return 0;
	return 1;
}

static volatile sig_atomic_t stop;

static void on_sigterm(int sig)
{
	(void)sig;
	stop = 1;
}

/* A 32-bit process for others to merge: its area, and a wait */
static int wait_mode(const char *file)
{
	unsigned char *p;
	FILE *f;

	signal(SIGTERM, on_sigterm);
	p = mmap((void *)AREA, NPAGES * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != (void *)AREA)
		return 1;
	memset(p, 0x5a, NPAGES * PAGE);
	f = fopen(file, "w");
	if (!f || fprintf(f, "%d %#lx %#lx\n", getpid(), (unsigned long)AREA,
			  (unsigned long)AREA + NPAGES * PAGE) < 0 || fclose(f))
		return 1;
	while (!stop)
		pause();
	return data_intact(p) ? 0 : 3;
}

int main(int argc, char **argv)
{
	const char *name = "compat32";
	unsigned char *p;
	long ret;
	int fd;

	if (argc == 3 && !strcmp(argv[1], "wait"))
		return wait_mode(argv[2]);
	setvbuf(stdout, NULL, _IONBF, 0);
	syscall(__NR_ksm_unlink, name);		/* a leftover of a failed run */
	fd = syscall(__NR_ksm_open, name,
		     O_RDWR | KSM_CREAT | KSM_EXCL | KSM_SYNC | KSM_CLOEXEC, 0600);
	check(fd >= 0, "ksm_open(%d) creates partition %s", __NR_ksm_open, name);
	if (fd < 0)
		return 1;

	p = mmap((void *)AREA, NPAGES * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	check(p == (void *)AREA, "%d pages mapped at %p", NPAGES, (void *)AREA);
	if (p != (void *)AREA)
		return 1;
	memset(p, 0x5a, NPAGES * PAGE);
	check(distinct_frames() == NPAGES, "before the merge: %d frames",
	      NPAGES);

	/* Wrong on purpose: an unaligned address changes nothing */
	ret = syscall(__NR_ksm_merge, fd, getpid(), RANGE_START + 1,
		      RANGE_SIZE, 0);
	check(ret == -1 && errno == EINVAL, "unaligned address: EINVAL");

	ret = syscall(__NR_ksm_merge, fd, getpid(), RANGE_START, RANGE_SIZE, 0);
	check(ret >= NPAGES - 1,
	      "ksm_merge(%#lx, %#zx) merged %ld pages (at least %d)",
	      RANGE_START, RANGE_SIZE, ret, NPAGES - 1);
	check(distinct_frames() == 1, "after the merge: 1 frame for %d pages",
	      NPAGES);
	check(data_intact(p), "merged pages read back the same");

	ret = syscall(__NR_ksm_unmerge, fd, getpid(), RANGE_START,
		      RANGE_SIZE, 0);
	check(ret >= NPAGES, "ksm_unmerge(%#lx, %#zx) gave back %ld pages",
	      RANGE_START, RANGE_SIZE, ret);
	check(distinct_frames() == NPAGES, "after the unmerge: %d frames",
	      NPAGES);
	check(data_intact(p), "unmerged pages read back the same");

	/* By the area's own address, above 2 GiB */
	ret = syscall(__NR_ksm_merge, fd, getpid(), (unsigned long)AREA,
		      (size_t)NPAGES * PAGE, 0);
	check(ret >= NPAGES - 1 && distinct_frames() == 1,
	      "ksm_merge(%#lx, %#x) merged again", (unsigned long)AREA,
	      NPAGES * PAGE);
	ret = syscall(__NR_ksm_unmerge, fd, getpid(), (unsigned long)AREA,
		      (size_t)NPAGES * PAGE, 0);
	check(ret >= NPAGES && distinct_frames() == NPAGES,
	      "ksm_unmerge(%#lx, %#x) gave them back", (unsigned long)AREA,
	      NPAGES * PAGE);

	/* Beyond the 32-bit address space: not a range of this process */
	ret = syscall(__NR_ksm_merge, fd, getpid(), RANGE_START,
		      RANGE_SIZE + PAGE, 0);
	check(ret == -1 && errno == EINVAL,
	      "a range beyond 0xffffe000: EINVAL");

	/* Merge again, then leave with unmerge of everything (0, 0) */
	ret = syscall(__NR_ksm_merge, fd, getpid(), RANGE_START, RANGE_SIZE, 0);
	check(ret >= NPAGES - 1 && distinct_frames() == 1, "merged again");
	ret = syscall(__NR_ksm_unmerge, fd, getpid(), 0UL, (size_t)0, 0);
	check(ret >= 0 && distinct_frames() == NPAGES,
	      "ksm_unmerge(0, 0) unmerges everything");

	close(fd);
	check(syscall(__NR_ksm_unlink, name) == 0, "ksm_unlink(%s)", name);
	return failed;
}

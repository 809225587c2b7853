// SPDX-License-Identifier: GPL-2.0
/*
 * patchtext: map a program's file privately, patch one page of it the way
 * a live patcher or an instrumentation tool patches code, and wait.
 *
 *   patchtext [-o FILE] PROGRAM PAGE
 *
 * The write gives this process a private copy of that page (copy on write
 * of the page cache); every process that patches it in the same way holds
 * an identical copy, which KSM can fold back into one frame. Writes "PID
 * START END" of the patched page to FILE. On SIGTERM or SIGINT it checks
 * the page: the patch where it wrote it, the file's bytes elsewhere; exit 0
 * when intact, 3 when not.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* An int3 sled, as a breakpoint or a trampoline would write */
#define PATCH_OFFSET	64
#define PATCH_LEN	32
#define PATCH_BYTE	0xcc

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	size_t psize = sysconf(_SC_PAGESIZE);
	const char *out = NULL;
	unsigned char *map, *page, *orig;
	unsigned long pgoff;
	struct stat st;
	int fd, c;
	FILE *f;

	while ((c = getopt(argc, argv, "o:")) != -1) {
		if (c != 'o') {
			fprintf(stderr, "usage: patchtext [-o FILE] PROGRAM PAGE\n");
			return 2;
		}
		out = optarg;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: patchtext [-o FILE] PROGRAM PAGE\n");
		return 2;
	}
	pgoff = strtoul(argv[optind + 1], NULL, 0);
	fd = open(argv[optind], O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		perror(argv[optind]);
		return 1;
	}
	if ((pgoff + 1) * psize > (size_t)st.st_size) {
		fprintf(stderr, "patchtext: %s has no page %lu\n", argv[optind],
			pgoff);
		return 2;
	}
	/* Code is mapped private: a write makes the page this process's own */
	map = mmap(NULL, st.st_size, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	orig = malloc(psize);
	if (map == MAP_FAILED || !orig) {
		perror("patchtext: mmap");
		return 1;
	}
	page = map + pgoff * psize;
	memcpy(orig, page, psize);
	if (mprotect(page, psize, PROT_READ | PROT_WRITE)) {
		perror("patchtext: mprotect");
		return 1;
	}
	memset(page + PATCH_OFFSET, PATCH_BYTE, PATCH_LEN);
	if (mprotect(page, psize, PROT_READ | PROT_EXEC)) {
		perror("patchtext: mprotect");
		return 1;
	}
	memset(orig + PATCH_OFFSET, PATCH_BYTE, PATCH_LEN);

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (out) {
		f = fopen(out, "w");
		if (!f || fprintf(f, "%d %#lx %#lx\n", getpid(),
				  (unsigned long)page,
				  (unsigned long)page + psize) < 0 || fclose(f)) {
			perror("patchtext: writing the range file");
			return 1;
		}
	}
	while (!stop)
		pause();
	if (memcmp(orig, page, psize)) {
		fprintf(stderr, "patchtext: the patched page changed\n");
		return 3;
	}
	return 0;
}

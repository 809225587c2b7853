// SPDX-License-Identifier: GPL-2.0
/*
 * pagefill: map anonymous memory, fill it with known page contents and wait.
 *
 * Used by the tests, the demo and the benchmarks as the process whose memory
 * gets merged. Page i holds bytes derived from (seed, i % period): with the
 * default period 1 every page is identical, with a large period they differ.
 * On SIGTERM or SIGINT it checks that every page still holds what it wrote,
 * so merging and unmerging are proven not to change data; exit 0 when intact,
 * 3 when a page changed.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef PR_SET_MEMORY_MERGE
#define PR_SET_MEMORY_MERGE 67
#endif

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void fill_page(unsigned char *p, size_t psize, unsigned long seed,
		      unsigned long idx)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + idx * 0xbf58476d1ce4e5b9ULL + 1;
	size_t i;

	for (i = 0; i < psize; i += sizeof(x)) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(p + i, &x, sizeof(x));
	}
}

static void usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: pagefill [-s MIB | -n PAGES] [-S SEED] [-P PERIOD] [-z] [-t]\n"
		"                [-m none|madvise|prctl] [-o FILE] [-x]\n"
		"  -s MIB     size in MiB (default 16)\n"
		"  -n PAGES   size in pages\n"
		"  -S SEED    content seed (default 1)\n"
		"  -P PERIOD  page i holds pattern i %% PERIOD (default 1: all equal)\n"
		"  -z         fill with zeroes instead (still touched, not holes)\n"
		"  -t         pages the same but for their last 8 bytes (the index):\n"
		"             every tree comparison reads the whole page\n"
		"  -m MODE    opt in to global KSM: madvise(MADV_MERGEABLE) or\n"
		"             prctl(PR_SET_MEMORY_MERGE) (default none)\n"
		"  -o FILE    write \"PID START END\" (hex addresses) to FILE\n"
		"  -x         exit right after filling instead of waiting\n");
	exit(status);
}

int main(int argc, char **argv)
{
	unsigned long npages = 0, seed = 1, period = 1, i, bad = 0;
	size_t psize = sysconf(_SC_PAGESIZE), len;
	const char *mode = "none", *out = NULL;
	int zero = 0, tail = 0, no_wait = 0, c;
	unsigned char *mem, *ref;

	while ((c = getopt(argc, argv, "s:n:S:P:ztm:o:xh")) != -1) {
		switch (c) {
		case 's': npages = strtoul(optarg, NULL, 0) * (1UL << 20) / psize; break;
		case 'n': npages = strtoul(optarg, NULL, 0); break;
		case 'S': seed = strtoul(optarg, NULL, 0); break;
		case 'P': period = strtoul(optarg, NULL, 0); break;
		case 'z': zero = 1; break;
		case 't': tail = 1; break;
		case 'm': mode = optarg; break;
		case 'o': out = optarg; break;
		case 'x': no_wait = 1; break;
		case 'h': usage(0); break;
		default: usage(2);
		}
	}
	if (!npages)
		npages = (16UL << 20) / psize;
	if (!period)
		usage(2);
	len = npages * psize;

	if (!strcmp(mode, "prctl") && prctl(PR_SET_MEMORY_MERGE, 1, 0, 0, 0)) {
		perror("pagefill: prctl(PR_SET_MEMORY_MERGE)");
		return 1;
	}
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ref = malloc(psize);
	if (mem == MAP_FAILED || !ref) {
		perror("pagefill: mmap");
		return 1;
	}
	for (i = 0; i < npages; i++) {
		if (zero)
			mem[i * psize] = 0;	/* fault in a zeroed page */
		else
			fill_page(mem + i * psize, psize, seed,
				  tail ? 0 : i % period);
		if (tail)
			memcpy(mem + (i + 1) * psize - sizeof(i), &i, sizeof(i));
	}
	if (!strcmp(mode, "madvise") && madvise(mem, len, MADV_MERGEABLE)) {
		perror("pagefill: madvise(MADV_MERGEABLE)");
		return 1;
	}

	if (out) {
		FILE *f = fopen(out, "w");

		if (!f || fprintf(f, "%d %#lx %#lx\n", getpid(), (unsigned long)mem,
				  (unsigned long)mem + len) < 0 || fclose(f)) {
			perror("pagefill: writing the range file");
			return 1;
		}
	}
	if (!no_wait) {
		signal(SIGTERM, on_signal);
		signal(SIGINT, on_signal);
		while (!stop)
			pause();
	}

	for (i = 0; i < npages; i++) {
		if (zero) {
			memset(ref, 0, psize);
		} else {
			fill_page(ref, psize, seed, tail ? 0 : i % period);
		}
		if (tail)
			memcpy(ref + psize - sizeof(i), &i, sizeof(i));
		if (memcmp(ref, mem + i * psize, psize))
			bad++;
	}
	if (bad) {
		fprintf(stderr, "pagefill: %lu of %lu pages changed\n", bad, npages);
		return 3;
	}
	return 0;
}

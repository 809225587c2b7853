// SPDX-License-Identifier: GPL-2.0
/*
 * pagefill: map anonymous memory, fill it with known page contents and wait.
 *
 * Used by the tests, the demo and the benchmarks as the process whose memory
 * gets merged. Page i holds bytes derived from (seed, i % period): with the
 * default period 1 every page is identical, with a large period they differ.
 * With -U it also holds pages of its own, seeded by its pid: a guest with
 * a shared image and data that nobody else has.
 * On SIGUSR1 it maps a second region of the same size and content, and
 * writes its range to FILE.more (-o FILE): a process whose memory map grows.
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

static volatile sig_atomic_t stop, grow;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		grow = 1;
	else
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

static struct {
	unsigned long npages, seed, period, own_pages;
	size_t psize;
	int zero, tail;
} opt;

static void fill(unsigned char *mem)
{
	size_t psize = opt.psize;
	unsigned long i;

	for (i = 0; i < opt.npages; i++) {
		if (opt.zero)
			mem[i * psize] = 0;	/* fault in a zeroed page */
		else
			fill_page(mem + i * psize, psize, opt.seed,
				  opt.tail ? 0 : i % opt.period);
		if (opt.tail)
			memcpy(mem + (i + 1) * psize - sizeof(i), &i, sizeof(i));
	}
}

/* The pages of @mem that no longer hold what fill() wrote */
static unsigned long changed(const unsigned char *mem, unsigned char *ref)
{
	size_t psize = opt.psize;
	unsigned long i, bad = 0;

	for (i = 0; i < opt.npages; i++) {
		if (opt.zero)
			memset(ref, 0, psize);
		else
			fill_page(ref, psize, opt.seed,
				  opt.tail ? 0 : i % opt.period);
		if (opt.tail)
			memcpy(ref + psize - sizeof(i), &i, sizeof(i));
		if (memcmp(ref, mem + i * psize, psize))
			bad++;
	}
	return bad;
}

static int write_range(const char *path, const unsigned char *mem,
		       size_t len)
{
	FILE *f = fopen(path, "w");

	if (!f || fprintf(f, "%d %#lx %#lx\n", getpid(), (unsigned long)mem,
			  (unsigned long)mem + len) < 0 || fclose(f)) {
		perror("pagefill: writing the range file");
		return -1;
	}
	return 0;
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
		"  -U PAGES   and as many pages of its own (content seeded by pid)\n"
		"  -o FILE    write \"PID START END\" (hex addresses) to FILE;\n"
		"             SIGUSR1 maps as much again, its range in FILE.more\n"
		"  -x         exit right after filling instead of waiting\n");
	exit(status);
}

int main(int argc, char **argv)
{
	unsigned long bad, i;
	size_t len, own_len = 0;
	unsigned char *own = NULL;
	const char *mode = "none", *out = NULL;
	int no_wait = 0, c;
	unsigned char *mem, *more = NULL, *ref;
	char more_path[4096];

	opt.psize = sysconf(_SC_PAGESIZE);
	opt.seed = 1;
	opt.period = 1;
	while ((c = getopt(argc, argv, "s:n:S:P:U:ztm:o:xh")) != -1) {
		switch (c) {
		case 's': opt.npages = strtoul(optarg, NULL, 0) * (1UL << 20) / opt.psize; break;
		case 'n': opt.npages = strtoul(optarg, NULL, 0); break;
		case 'S': opt.seed = strtoul(optarg, NULL, 0); break;
		case 'P': opt.period = strtoul(optarg, NULL, 0); break;
		case 'U': opt.own_pages = strtoul(optarg, NULL, 0); break;
		case 'z': opt.zero = 1; break;
		case 't': opt.tail = 1; break;
		case 'm': mode = optarg; break;
		case 'o': out = optarg; break;
		case 'x': no_wait = 1; break;
		case 'h': usage(0); break;
		default: usage(2);
		}
	}
	if (!opt.npages)
		opt.npages = (16UL << 20) / opt.psize;
	if (!opt.period)
		usage(2);
	len = opt.npages * opt.psize;

	if (!strcmp(mode, "prctl") && prctl(PR_SET_MEMORY_MERGE, 1, 0, 0, 0)) {
		perror("pagefill: prctl(PR_SET_MEMORY_MERGE)");
		return 1;
	}
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ref = malloc(opt.psize);
	if (mem == MAP_FAILED || !ref) {
		perror("pagefill: mmap");
		return 1;
	}
	fill(mem);
	if (opt.own_pages) {
		own_len = opt.own_pages * opt.psize;
		own = mmap(NULL, own_len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (own == MAP_FAILED) {
			perror("pagefill: mmap");
			return 1;
		}
		for (i = 0; i < opt.own_pages; i++)
			fill_page(own + i * opt.psize, opt.psize, getpid(), i);
		if (!strcmp(mode, "madvise") &&
		    madvise(own, own_len, MADV_MERGEABLE)) {
			perror("pagefill: madvise(MADV_MERGEABLE)");
			return 1;
		}
	}
	if (!strcmp(mode, "madvise") && madvise(mem, len, MADV_MERGEABLE)) {
		perror("pagefill: madvise(MADV_MERGEABLE)");
		return 1;
	}

	/* Before the range file: whoever reads it may signal at once */
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGUSR1, on_signal);
	if (out && write_range(out, mem, len))
		return 1;
	while (!no_wait && !stop) {
		pause();
		if (!grow || more || !out)
			continue;
		more = mmap(NULL, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (more == MAP_FAILED) {
			perror("pagefill: mmap");
			return 1;
		}
		fill(more);
		if (!strcmp(mode, "madvise") &&
		    madvise(more, len, MADV_MERGEABLE)) {
			perror("pagefill: madvise(MADV_MERGEABLE)");
			return 1;
		}
		snprintf(more_path, sizeof(more_path), "%s.more", out);
		if (write_range(more_path, more, len))
			return 1;
	}

	bad = changed(mem, ref) + (more ? changed(more, ref) : 0);
	for (i = 0; i < opt.own_pages; i++) {
		fill_page(ref, opt.psize, getpid(), i);
		bad += !!memcmp(ref, own + i * opt.psize, opt.psize);
	}
	if (bad) {
		fprintf(stderr, "pagefill: %lu of %lu pages changed\n", bad,
			more ? 2 * opt.npages : opt.npages);
		return 3;
	}
	return 0;
}

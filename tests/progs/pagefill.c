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
 * With -F it holds copies of real files instead, and with -H and -V half its
 * pages are its own and a thread keeps writing a share of them: the
 * benchmark's workloads of real data and of memory that changes while it
 * is merged.
 * On SIGTERM or SIGINT it checks that every page still holds what it wrote,
 * so merging and unmerging are proven not to change data; exit 0 when intact,
 * 3 when a page changed.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
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
	unsigned long npages, seed, period, own_pages, volatile_pct;
	size_t psize;
	int zero, tail, half;
	const char *files;
} opt;

/* Page @i is written by the writer thread (-V): its last 8 bytes change */
static int is_volatile(unsigned long i)
{
	return i % 100 < opt.volatile_pct;
}

/* Page @i holds content of this process alone (-H: every odd page) */
static int is_own(unsigned long i)
{
	return opt.half && (i & 1);
}

/*
 * Copy (or, with @cmp, compare) the files named in opt.files, one per line,
 * into the @npages pages at @mem, each file from a page boundary, its last
 * page padded with zeroes as a mapped file's is. Returns the pages done,
 * or with @cmp the pages that differ, or -1 on error.
 */
static long file_pages(unsigned char *mem, unsigned long npages, int cmp)
{
	unsigned char *page = malloc(opt.psize);
	unsigned long i = 0, bad = 0;
	char path[4096];
	FILE *list = fopen(opt.files, "r");

	if (!list || !page) {
		perror("pagefill: the file list");
		return -1;
	}
	while (i < npages && fgets(path, sizeof(path), list)) {
		FILE *f;

		path[strcspn(path, "\n")] = '\0';
		f = fopen(path, "r");
		if (!f)
			continue;	/* gone, or not readable: skip it */
		while (i < npages) {
			size_t n = fread(page, 1, opt.psize, f);

			if (!n)
				break;
			memset(page + n, 0, opt.psize - n);
			if (!cmp)
				memcpy(mem + i * opt.psize, page, opt.psize);
			else if (memcmp(mem + i * opt.psize, page, opt.psize))
				bad++;
			i++;
		}
		fclose(f);
	}
	fclose(list);
	free(page);
	return cmp ? (long)bad : (long)i;
}

/* What page @i of a region holds (not for -F and -z) */
static void page_content(unsigned char *p, unsigned long i)
{
	unsigned long seed = is_own(i) ? 0x10000UL + getpid() : opt.seed;

	fill_page(p, opt.psize, seed, opt.tail ? 0 : i % opt.period);
	if (opt.tail)
		memcpy(p + opt.psize - sizeof(i), &i, sizeof(i));
}

/* Fill @mem; returns the pages filled, fewer with -F when the files end */
static long fill(unsigned char *mem)
{
	size_t psize = opt.psize;
	unsigned long i;

	if (opt.files)
		return file_pages(mem, opt.npages, 0);
	for (i = 0; i < opt.npages; i++) {
		if (opt.zero)
			mem[i * psize] = 0;	/* fault in a zeroed page */
		else
			page_content(mem + i * psize, i);
	}
	return i;
}

/* The pages of @mem that no longer hold what fill() wrote */
static unsigned long changed(const unsigned char *mem, unsigned char *ref)
{
	size_t psize = opt.psize;
	unsigned long i, bad = 0;

	if (opt.files)
		return file_pages((unsigned char *)mem, opt.npages, 1);
	for (i = 0; i < opt.npages; i++) {
		/* the writer owns a volatile page's last 8 bytes */
		size_t len = is_volatile(i) ? psize - 8 : psize;

		if (opt.zero)
			memset(ref, 0, psize);
		else
			page_content(ref, i);
		if (memcmp(ref, mem + i * psize, len))
			bad++;
	}
	return bad;
}

/*
 * -V: until told to stop, write the last 8 bytes of every volatile page of
 * the region, each time with a value of this process and round alone, then
 * sleep 10 ms: pages that stop being duplicates as soon as they are written.
 */
static volatile int writer_stop;

static void *writer(void *mem)
{
	struct timespec pause_ts = { 0, 10 * 1000 * 1000 };
	uint64_t round = 0;
	unsigned long i;

	while (!writer_stop) {
		uint64_t v = ((uint64_t)getpid() << 32) | round++;

		for (i = 0; i < opt.npages; i++)
			if (is_volatile(i))
				memcpy((unsigned char *)mem + (i + 1) * opt.psize - 8,
				       &v, 8);
		nanosleep(&pause_ts, NULL);
	}
	return NULL;
}

static int cmp_pages(const void *a, const void *b)
{
	return memcmp(*(unsigned char * const *)a, *(unsigned char * const *)b,
		      opt.psize);
}

/*
 * -T NPROC: what pages_sharing reaches when NPROC processes like this one
 * (the same content but for their own and volatile pages) are merged in
 * full: every copy but the first of each content, in KSM pages of at most
 * max_page_sharing mappings each.
 */
static long full_merge_target(unsigned char *mem, unsigned long nproc)
{
	unsigned long i, n = 0, run, max_sharing = 256, target = 0;
	unsigned char **pages = calloc(opt.npages, sizeof(*pages));
	FILE *f = fopen("/sys/kernel/mm/ksm/max_page_sharing", "r");

	if (f) {
		if (fscanf(f, "%lu", &max_sharing) != 1 || max_sharing < 2)
			max_sharing = 256;
		fclose(f);
	}
	if (!pages)
		return -1;
	for (i = 0; i < opt.npages; i++)
		if (!is_own(i) && !is_volatile(i))
			pages[n++] = mem + i * opt.psize;
	qsort(pages, n, sizeof(*pages), cmp_pages);
	for (i = 0; i < n; i += run) {
		unsigned long copies;

		for (run = 1; i + run < n && !cmp_pages(&pages[i], &pages[i + run]); run++)
			;
		copies = run * nproc;
		target += copies - (copies + max_sharing - 1) / max_sharing;
	}
	free(pages);
	return target;
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
		"                [-F LIST] [-H] [-V PERCENT] [-m none|madvise|prctl]\n"
		"                [-U PAGES] [-o FILE [-T NPROC]] [-x]\n"
		"  -s MIB     size in MiB (default 16)\n"
		"  -n PAGES   size in pages\n"
		"  -S SEED    content seed (default 1)\n"
		"  -P PERIOD  page i holds pattern i %% PERIOD (default 1: all equal)\n"
		"  -z         fill with zeroes instead (still touched, not holes)\n"
		"  -t         pages the same but for their last 8 bytes (the index):\n"
		"             every tree comparison reads the whole page\n"
		"  -F LIST    copies of the files named in LIST (one per line), each\n"
		"             from a page boundary, at most the size given\n"
		"  -H         every odd page holds content of this process alone\n"
		"  -V PCT     a thread keeps writing the last 8 bytes of PCT %% of\n"
		"             the pages (page i when i %% 100 < PCT), every 10 ms\n"
		"  -m MODE    opt in to global KSM: madvise(MADV_MERGEABLE) or\n"
		"             prctl(PR_SET_MEMORY_MERGE) (default none)\n"
		"  -U PAGES   and as many pages of its own (content seeded by pid)\n"
		"  -o FILE    write \"PID START END\" (hex addresses) to FILE;\n"
		"             SIGUSR1 maps as much again, its range in FILE.more\n"
		"  -T NPROC   and to FILE.target what pages_sharing reaches when\n"
		"             NPROC such processes are merged in full\n"
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
	unsigned long target_nproc = 0;
	long n;
	pthread_t writer_thread;
	unsigned char *mem, *more = NULL, *ref;
	char more_path[4096];

	opt.psize = sysconf(_SC_PAGESIZE);
	opt.seed = 1;
	opt.period = 1;
	while ((c = getopt(argc, argv, "s:n:S:P:U:ztF:HV:T:m:o:xh")) != -1) {
		switch (c) {
		case 's': opt.npages = strtoul(optarg, NULL, 0) * (1UL << 20) / opt.psize; break;
		case 'n': opt.npages = strtoul(optarg, NULL, 0); break;
		case 'S': opt.seed = strtoul(optarg, NULL, 0); break;
		case 'P': opt.period = strtoul(optarg, NULL, 0); break;
		case 'U': opt.own_pages = strtoul(optarg, NULL, 0); break;
		case 'z': opt.zero = 1; break;
		case 't': opt.tail = 1; break;
		case 'F': opt.files = optarg; break;
		case 'H': opt.half = 1; break;
		case 'V': opt.volatile_pct = strtoul(optarg, NULL, 0); break;
		case 'T': target_nproc = strtoul(optarg, NULL, 0); break;
		case 'm': mode = optarg; break;
		case 'o': out = optarg; break;
		case 'x': no_wait = 1; break;
		case 'h': usage(0); break;
		default: usage(2);
		}
	}
	if (!opt.npages)
		opt.npages = (16UL << 20) / opt.psize;
	if (!opt.period || opt.volatile_pct > 100 || (target_nproc && !out))
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
	n = fill(mem);
	if (opt.files) {
		/*
		 * No larger than the files: no page may be a copy of another
		 * because the list ran out and started again.
		 */
		if (n <= 0) {
			fprintf(stderr, "pagefill: no file of %s could be read\n",
				opt.files);
			return 1;
		}
		if ((unsigned long)n < opt.npages) {
			munmap(mem + n * opt.psize, len - n * opt.psize);
			opt.npages = n;
			len = n * opt.psize;
		}
	}
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
	if (target_nproc) {
		char path[4096];
		long target = full_merge_target(mem, target_nproc);
		FILE *f;

		snprintf(path, sizeof(path), "%s.target", out);
		f = fopen(path, "w");
		if (target < 0 || !f || fprintf(f, "%ld\n", target) < 0 || fclose(f)) {
			perror("pagefill: writing the target file");
			return 1;
		}
	}
	if (opt.volatile_pct) {
		sigset_t all, old;

		/* Signals are for the main thread, which pause()s for them */
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
		if (pthread_create(&writer_thread, NULL, writer, mem)) {
			perror("pagefill: pthread_create");
			return 1;
		}
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
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

	if (opt.volatile_pct) {
		writer_stop = 1;
		pthread_join(writer_thread, NULL);
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

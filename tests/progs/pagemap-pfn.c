// SPDX-License-Identifier: GPL-2.0
/*
 * pagemap-pfn: which page frames back a range of a process, from
 * /proc/PID/pagemap (needs CAP_SYS_ADMIN for the frame numbers).
 *
 *   pagemap-pfn PID START END        one line per page: address and PFN,
 *                                    or "-" when not present
 *   pagemap-pfn -c PID START END     summary: "present N distinct M":
 *                                    present pages and distinct frames
 *   pagemap-pfn -k PID START END     as the first, with a third column from
 *                                    /proc/kpageflags: "ksm" for a KSM
 *                                    page, "-" otherwise
 *
 * Tests use it to prove that merged pages share one frame and that unmerged
 * or written pages have private frames again.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PM_PRESENT	(1ULL << 63)
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define KPF_KSM		21

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	unsigned long start, end, addr, n = 0, i, distinct = 0;
	size_t psize = sysconf(_SC_PAGESIZE);
	int summary = 0, ksm = 0, fd, kfd = -1;
	uint64_t *pfns, e;
	char path[64];

	if (argc > 1 && (!strcmp(argv[1], "-c") || !strcmp(argv[1], "-k"))) {
		summary = argv[1][1] == 'c';
		ksm = argv[1][1] == 'k';
		argv++;
		argc--;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: pagemap-pfn [-c | -k] PID START END\n");
		return 2;
	}
	if (ksm) {
		kfd = open("/proc/kpageflags", O_RDONLY);
		if (kfd < 0) {
			perror("/proc/kpageflags");
			return 1;
		}
	}
	start = strtoul(argv[2], NULL, 16);
	end = strtoul(argv[3], NULL, 16);
	if (end <= start || (start | end) % psize) {
		fprintf(stderr, "pagemap-pfn: bad range %s-%s\n", argv[2], argv[3]);
		return 2;
	}
	snprintf(path, sizeof(path), "/proc/%s/pagemap", argv[1]);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	pfns = calloc((end - start) / psize, sizeof(*pfns));
	if (!pfns)
		return 1;
	for (addr = start; addr < end; addr += psize) {
		if (pread(fd, &e, sizeof(e), addr / psize * sizeof(e)) != sizeof(e)) {
			perror("pagemap-pfn: pread");
			return 1;
		}
		if (!summary) {
			uint64_t flags = 0;

			if (ksm && (e & PM_PRESENT) &&
			    pread(kfd, &flags, sizeof(flags),
				  (e & PM_PFN_MASK) * sizeof(flags)) !=
			    sizeof(flags)) {
				perror("pagemap-pfn: /proc/kpageflags");
				return 1;
			}
			if (e & PM_PRESENT)
				printf("%#lx %#llx%s\n", addr,
				       (unsigned long long)(e & PM_PFN_MASK),
				       !ksm ? "" : flags >> KPF_KSM & 1 ?
				       " ksm" : " -");
			else
				printf("%#lx -%s\n", addr, ksm ? " -" : "");
		} else if (e & PM_PRESENT) {
			pfns[n++] = e & PM_PFN_MASK;
		}
	}
	if (summary) {
		qsort(pfns, n, sizeof(*pfns), cmp_u64);
		for (i = 0; i < n; i++)
			if (!i || pfns[i] != pfns[i - 1])
				distinct++;
		printf("present %lu distinct %lu\n", n, distinct);
	}
	return 0;
}

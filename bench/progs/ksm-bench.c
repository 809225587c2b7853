// SPDX-License-Identifier: GPL-2.0
/*
 * ksm-bench: the measuring half of make bench, run in the guest. Each
 * command prints one JSON object on one line.
 *
 *   ksm-bench sync [-c KIB] [-t TARGET] PARTITION RANGEFILE...
 *	create PARTITION (ksm_open with KSM_CREAT) and merge each range of
 *	"PID START END" (as pagefill -o writes it) with ksm_merge(), one call
 *	per range (or per KIB chunk of it), in order: wall time, the caller's
 *	CPU time (the merge runs in its context) and pages merged. The pages
 *	are merged when the call returns: its wall time is the time to 100 %.
 *	With -t, a thread polls the partition's pages_sharing meanwhile, for
 *	the curve of merged pages over time towards TARGET.
 *   ksm-bench partitions parallel|serial PART RANGEFILE... [-- PART ...]...
 *	partitions, each merged by a child process of its own, at the same
 *	time or one after the other: wall time and the children's CPU time.
 *   ksm-bench watch COUNTER TARGET TIMEOUT_S
 *	start ksmd (run = 1), then poll the global COUNTER (pages_sharing, or
 *	full_scans for memory with nothing to merge) until it reaches TARGET:
 *	time to 50, 90 and 100 % of the way, the curve of the counter over
 *	time, and ksmd's CPU time over that interval (/proc/PID/stat). Exit 1
 *	on the timeout.
 *   ksm-bench cow PAGES
 *	the floor: the cost of one copy-on-write break after fork(), per page.
 *   ksm-bench counters READS
 *	the cost of reading the global counters a monitoring agent reads, per
 *	read of all of them.
 *   ksm-bench kill PID...
 *	SIGKILL each process in turn and wait until its exit has let go of its
 *	memory (it is a zombie, or gone: it need not be our child): wall time
 *	of all the exits.
 *   ksm-bench write FILE VALUE
 *	one write to a sysfs file that does its work in the writer's context
 *	(control/remove_partition unmerges a partition, run = 2 unmerges
 *	everything ksmd merged): wall and CPU time of the write.
 *   ksm-bench family PARTITION MIB KIDS
 *	a process of MIB MiB of one content merged into PARTITION (created),
 *	that forks KIDS children, members that map its KSM page through its
 *	rmap items; then the partition's removal: wall and CPU time of the
 *	write to control/remove_partition, which unmerges them all.
 *   ksm-bench writes FILE VALUE SECONDS
 *	write VALUE to FILE again and again for SECONDS: how long the
 *	longest write took, and when. Run beside something that holds the
 *	lock the write takes (ksmd's run takes ksm_thread_mutex) to see the
 *	longest wait it makes a knob writer do.
 *
 * Times are CLOCK_MONOTONIC; CPU times are from the kernel's accounting:
 * getrusage() of the calling thread (a poller beside it not counted), of
 * the children for partitions, /proc/PID/schedstat for ksmd.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/ksm.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define KSM_DIR "/sys/kernel/mm/ksm/"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_self(void)
{
	struct rusage ru;

	/* the calling thread's own: not a poller's beside it */
	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static long read_counter(const char *name)
{
	char path[128], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), KSM_DIR "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/*
 * Merged pages over time: a point each time a counter passes the next
 * 1/CURVE_STEPS of the way from its start to the target, and at the end.
 */
#define CURVE_STEPS	32

struct curve {
	long from, target;
	int n, next;
	double t[CURVE_STEPS + 2];
	long v[CURVE_STEPS + 2];
};

static void curve_init(struct curve *c, long from, long target)
{
	memset(c, 0, sizeof(*c));
	c->from = from;
	c->target = target;
	c->next = 1;
}

static void curve_add(struct curve *c, double t, long value, int last)
{
	long span = c->target - c->from;
	int passed = 0;

	while (c->next <= CURVE_STEPS && span > 0 &&
	       (value - c->from) * CURVE_STEPS >= span * c->next) {
		c->next++;
		passed = 1;
	}
	if ((passed || last) && c->n < CURVE_STEPS + 2) {
		c->t[c->n] = t;
		c->v[c->n++] = value;
	}
}

static void curve_print(const struct curve *c)
{
	int i;

	printf(",\"curve\":[");
	for (i = 0; i < c->n; i++)
		printf("%s[%.4f,%ld]", i ? "," : "", c->t[i], c->v[i]);
	printf("]");
}

/*
 * ksmd's CPU time in seconds, or -1 when there is no ksmd: its run time in
 * nanoseconds from /proc/PID/schedstat where the kernel has it, else utime +
 * stime from /proc/PID/stat, in clock ticks.
 */
static double ksmd_cpu(void)
{
	static char dir[300];
	char path[320], buf[512], *p;
	unsigned long long ns;
	unsigned long ut, st;
	FILE *f;

	if (!dir[0]) {
		DIR *d = opendir("/proc");
		struct dirent *e;

		while (d && (e = readdir(d))) {
			char comm[32] = "";

			snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
			f = fopen(path, "r");
			if (!f)
				continue;
			if (fgets(comm, sizeof(comm), f) && !strcmp(comm, "ksmd\n"))
				snprintf(dir, sizeof(dir), "/proc/%s", e->d_name);
			fclose(f);
		}
		if (d)
			closedir(d);
		if (!dir[0])
			return -1;
	}
	snprintf(path, sizeof(path), "%s/schedstat", dir);
	f = fopen(path, "r");
	if (f) {
		int n = fscanf(f, "%llu", &ns);

		fclose(f);
		if (n == 1)
			return ns / 1e9;
	}
	snprintf(path, sizeof(path), "%s/stat", dir);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	/* fields 14 and 15 (utime, stime) follow the ")" of the comm */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			 &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

/*
 * Merge each range of RANGEFILEs into PARTITION, in CHUNK-byte calls (0:
 * one call a range). Returns the pages merged, or -1.
 */
static long merge_ranges(const char *part, char **files, int n,
			 unsigned long chunk)
{
	long merged = 0, ret;
	int fd, i;

	fd = syscall(__NR_ksm_open, part, KSM_CREAT | KSM_SYNC | O_RDWR, 0600);
	if (fd < 0) {
		perror("ksm-bench: ksm_open");
		return -1;
	}
	for (i = 0; i < n; i++) {
		unsigned long start, end, at, len;
		int pid;
		FILE *f = fopen(files[i], "r");

		if (!f || fscanf(f, "%d %lx %lx", &pid, &start, &end) != 3) {
			fprintf(stderr, "ksm-bench: cannot read %s\n", files[i]);
			if (f)
				fclose(f);
			merged = -1;
			break;
		}
		fclose(f);
		for (at = start; at < end && merged >= 0; at += len) {
			len = chunk && chunk < end - at ? chunk : end - at;
			ret = syscall(__NR_ksm_merge, fd, pid, at, len, 0);
			if (ret < 0) {
				perror("ksm-bench: ksm_merge");
				merged = -1;
			} else {
				merged += ret;
			}
		}
		if (merged < 0)
			break;
	}
	close(fd);
	return merged;
}

/* With a target: a thread polls the partition's pages_sharing meanwhile */
struct poll_arg {
	char counter[96];
	double t0;
	int done;
	struct curve curve;
};

static void *poll_partition(void *p)
{
	struct poll_arg *a = p;

	while (!__atomic_load_n(&a->done, __ATOMIC_ACQUIRE)) {
		curve_add(&a->curve, now() - a->t0, read_counter(a->counter), 0);
		usleep(1000);
	}
	return NULL;
}

static int cmd_sync(int argc, char **argv)
{
	unsigned long chunk = 0;
	double t0, c0, wall, cpu;
	struct poll_arg poll;
	long merged, target = -1;
	pthread_t poller;

	while (argc >= 2 && argv[0][0] == '-') {
		if (!strcmp(argv[0], "-c"))
			chunk = strtoul(argv[1], NULL, 10) << 10;
		else if (!strcmp(argv[0], "-t"))
			target = strtol(argv[1], NULL, 10);
		else
			return 2;
		argc -= 2;
		argv += 2;
	}
	if (argc < 2)
		return 2;
	t0 = now();
	c0 = cpu_self();
	if (target >= 0) {
		snprintf(poll.counter, sizeof(poll.counter), "%s/pages_sharing",
			 argv[0]);
		poll.t0 = t0;
		poll.done = 0;
		curve_init(&poll.curve, 0, target);
		if (pthread_create(&poller, NULL, poll_partition, &poll))
			return 1;
	}
	merged = merge_ranges(argv[0], argv + 1, argc - 1, chunk);
	wall = now() - t0;
	cpu = cpu_self() - c0;
	if (target >= 0) {
		__atomic_store_n(&poll.done, 1, __ATOMIC_RELEASE);
		pthread_join(poller, NULL);
	}
	if (merged < 0)
		return 1;
	printf("{\"cmd\":\"sync\",\"wall_s\":%.6f,\"cpu_s\":%.6f,\"merged_pages\":%ld",
	       wall, cpu, merged);
	if (target >= 0) {
		curve_add(&poll.curve, wall, read_counter(poll.counter), 1);
		curve_print(&poll.curve);
	}
	printf("}\n");
	return 0;
}

/*
 * Partitions, each with its ranges (groups separated by "--"): merged one
 * after the other, or at the same time from a process each.
 */
#define MAX_PARTS 16

static int cmd_partitions(int argc, char **argv)
{
	int parallel, i, n = 0, status, bad = 0, start[MAX_PARTS], len[MAX_PARTS];
	pid_t pid[MAX_PARTS];
	struct rusage ru;
	double t0, cpu;

	if (argc < 3)
		return 2;
	parallel = !strcmp(argv[0], "parallel");
	/* each group: PART RANGEFILE... */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			continue;
		if (i == 1 || !strcmp(argv[i - 1], "--")) {
			if (n == MAX_PARTS)
				return 2;
			start[n] = i;
			len[n++] = 0;
		} else {
			len[n - 1]++;
		}
	}
	for (i = 0; i < n; i++)
		if (!len[i])
			return 2;
	t0 = now();
	for (i = 0; i < n; i++) {
		pid[i] = fork();
		if (pid[i] == 0)
			_exit(merge_ranges(argv[start[i]], argv + start[i] + 1,
					   len[i], 0) < 0);
		if (pid[i] < 0)
			return 1;
		if (!parallel) {
			waitpid(pid[i], &status, 0);
			bad |= !WIFEXITED(status) || WEXITSTATUS(status);
		}
	}
	if (parallel)
		for (i = 0; i < n; i++) {
			waitpid(pid[i], &status, 0);
			bad |= !WIFEXITED(status) || WEXITSTATUS(status);
		}
	getrusage(RUSAGE_CHILDREN, &ru);
	cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	      ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	printf("{\"cmd\":\"partitions\",\"how\":\"%s\",\"partitions\":%d,"
	       "\"wall_s\":%.6f,\"cpu_s\":%.6f}\n", argv[0], n, now() - t0, cpu);
	return bad;
}

static int cmd_watch(int argc, char **argv)
{
	double t0, k0, t50 = -1, t90 = -1, t100 = -1, limit;
	long target, from, value;
	const char *counter;
	struct curve curve;
	int fd;

	if (argc < 3)
		return 2;
	counter = argv[0];
	target = strtol(argv[1], NULL, 10);
	limit = strtod(argv[2], NULL);
	from = value = read_counter(counter);
	if (from < 0) {
		fprintf(stderr, "ksm-bench: no counter %s\n", counter);
		return 1;
	}
	curve_init(&curve, from, target);
	k0 = ksmd_cpu();
	t0 = now();
	fd = open(KSM_DIR "run", O_WRONLY);
	if (fd < 0 || write(fd, "1", 1) != 1) {
		perror("ksm-bench: starting ksmd");
		return 1;
	}
	close(fd);
	while (now() - t0 < limit) {
		double t = now() - t0;

		value = read_counter(counter);
		if (t50 < 0 && (value - from) * 2 >= target - from)
			t50 = t;
		if (t90 < 0 && (value - from) * 10 >= (target - from) * 9)
			t90 = t;
		curve_add(&curve, t, value, value >= target);
		if (value >= target) {
			t100 = t;
			break;
		}
		usleep(1000);
	}
	printf("{\"cmd\":\"watch\",\"counter\":\"%s\",\"target\":%ld,"
	       "\"value\":%ld,\"t50_s\":%.4f,\"t90_s\":%.4f,\"t100_s\":%.4f,"
	       "\"ksmd_cpu_s\":%.6f", counter, target, value, t50, t90, t100,
	       ksmd_cpu() - k0);
	curve_print(&curve);
	printf("}\n");
	return t100 < 0;
}

static int cmd_cow(int argc, char **argv)
{
	size_t psize = sysconf(_SC_PAGESIZE), i, n;
	int pipefd[2], status;
	double per_page;
	char *mem;
	pid_t pid;

	if (argc < 1)
		return 2;
	n = strtoul(argv[0], NULL, 10);
	mem = mmap(NULL, n * psize, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || pipe(pipefd))
		return 1;
	for (i = 0; i < n; i++)
		memset(mem + i * psize, (int)(i & 0xff) | 1, psize);
	pid = fork();
	if (pid == 0) {
		double t0 = now();

		for (i = 0; i < n; i++)
			mem[i * psize] = 0;
		per_page = (now() - t0) / n;
		if (write(pipefd[1], &per_page, sizeof(per_page)) != sizeof(per_page))
			_exit(1);
		_exit(0);
	}
	if (pid < 0 || read(pipefd[0], &per_page, sizeof(per_page)) != sizeof(per_page))
		return 1;
	waitpid(pid, &status, 0);
	printf("{\"cmd\":\"cow\",\"pages\":%zu,\"us_per_page\":%.3f}\n", n,
	       per_page * 1e6);
	return 0;
}

static int cmd_counters(int argc, char **argv)
{
	static const char *const names[] = {
		"pages_shared", "pages_sharing", "pages_unshared",
		"pages_volatile", "full_scans", "general_profit",
		"ksm_zero_pages", "stable_node_chains", "stable_node_dups",
	};
	long reads, r;
	unsigned int i;
	double t0;

	if (argc < 1)
		return 2;
	reads = strtol(argv[0], NULL, 10);
	t0 = now();
	for (r = 0; r < reads; r++)
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (read_counter(names[i]) < 0 && strcmp(names[i], "general_profit"))
				return 1;
	printf("{\"cmd\":\"counters\",\"reads\":%ld,\"us_per_read_of_all\":%.3f}\n",
	       reads, (now() - t0) / reads * 1e6);
	return 0;
}

/* @path opened for writing, or -1 said on stderr */
static int open_write(const char *path)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		perror(path);
	return fd;
}

/* Write @value to the open @fd of @path; 0, or -1 said on stderr */
static int write_value(int fd, const char *path, const char *value)
{
	if (write(fd, value, strlen(value)) >= 0)
		return 0;
	perror(path);
	return -1;
}

static int cmd_write(int argc, char **argv)
{
	double t0, c0;
	int fd;

	if (argc < 2)
		return 2;
	fd = open_write(argv[0]);
	if (fd < 0)
		return 1;
	t0 = now();
	c0 = cpu_self();
	if (write_value(fd, argv[0], argv[1])) {
		close(fd);
		return 1;
	}
	printf("{\"cmd\":\"write\",\"wall_s\":%.6f,\"cpu_s\":%.6f}\n",
	       now() - t0, cpu_self() - c0);
	close(fd);
	return 0;
}

/* Write in a loop; the longest write, and when it began */
static int cmd_writes(int argc, char **argv)
{
	double t0, end, t, w, worst = 0, worst_at = 0;
	long writes = 0;
	int fd;

	if (argc < 3)
		return 2;
	fd = open_write(argv[0]);
	if (fd < 0)
		return 1;
	t0 = now();
	end = t0 + atof(argv[2]);
	while ((t = now()) < end) {
		if (write_value(fd, argv[0], argv[1])) {
			close(fd);
			return 1;
		}
		w = now() - t;
		if (w > worst) {
			worst = w;
			worst_at = t - t0;
		}
		writes++;
	}
	printf("{\"cmd\":\"writes\",\"writes\":%ld,\"longest_s\":%.6f,\"longest_at_s\":%.3f}\n",
	       writes, worst, worst_at);
	close(fd);
	return 0;
}

/* A merged process and its forked children, then the partition's removal */
static int cmd_family(int argc, char **argv)
{
	const char *path = "/sys/kernel/mm/ksm/control/remove_partition";
	int go[2], ready[2], fd, rm, i, kids, bad = 0;
	unsigned long size;
	double t0, c0, wall, cpu;
	pid_t pid;
	char c;

	if (argc < 3)
		return 2;
	size = strtoul(argv[1], NULL, 10) << 20;
	kids = atoi(argv[2]);
	fd = syscall(__NR_ksm_open, argv[0], KSM_CREAT | KSM_SYNC | O_RDWR,
		     0600);
	if (fd < 0 || pipe(go) || pipe(ready)) {
		perror(argv[0]);
		return 1;
	}
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid) {
		char *a = mmap(NULL, size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		/* A process group of its own, for the kill at the end */
		c = a == MAP_FAILED || setpgid(0, 0);
		if (!c) {
			memset(a, 0x5a, size);
			c = syscall(__NR_ksm_merge, fd, getpid(), a, size, 0) !=
			    (long)(size / getpagesize());
		}
		for (i = 0; !c && i < kids; i++) {
			pid_t kid = fork();

			if (kid < 0)
				c = 1;
			if (!kid)
				break;
		}
		close(go[1]);
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		_exit(read(go[0], &c, 1) ? 1 : 0);
	}
	close(go[0]);
	close(ready[1]);
	for (i = 0; i < kids + 1; i++)
		bad |= read(ready[0], &c, 1) != 1 || c;
	rm = open_write(path);
	if (bad || rm < 0) {
		fprintf(stderr, "family: the merge or a fork failed\n");
		bad = 1;
	} else {
		t0 = now();
		c0 = cpu_self();
		bad = write_value(rm, path, argv[0]);
		wall = now() - t0;
		cpu = cpu_self() - c0;
	}
	if (rm >= 0)
		close(rm);
	kill(-pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(go[1]);
	close(ready[0]);
	close(fd);
	if (bad)
		return 1;
	printf("{\"cmd\":\"family\",\"mib\":%lu,\"kids\":%d,"
	       "\"wall_s\":%.6f,\"cpu_s\":%.6f}\n", size >> 20, kids, wall,
	       cpu);
	return 0;
}

/* Whether process @pid has exited: a zombie (exit_mm() is behind it) or gone */
static int exited(const char *pid)
{
	char path[64], buf[256], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return errno == ENOENT || errno == ESRCH;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 1;
	buf[n] = '\0';
	/* "PID (COMM) STATE ...": COMM may hold spaces and parentheses */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}

static int cmd_kill(int argc, char **argv)
{
	const struct timespec tick = { 0, 1000000 };
	double t0;
	int i;

	if (argc < 1)
		return 2;
	t0 = now();
	for (i = 0; i < argc; i++) {
		if (kill(strtol(argv[i], NULL, 10), SIGKILL)) {
			perror("kill");
			return 1;
		}
		while (!exited(argv[i]))
			nanosleep(&tick, NULL);
	}
	printf("{\"cmd\":\"kill\",\"processes\":%d,\"wall_s\":%.6f}\n",
	       argc, now() - t0);
	return 0;
}

int main(int argc, char **argv)
{
	int ret = 2;

	if (argc >= 2 && !strcmp(argv[1], "sync"))
		ret = cmd_sync(argc - 2, argv + 2);
	else if (argc >= 2 && !strcmp(argv[1], "partitions"))
		ret = cmd_partitions(argc - 2, argv + 2);
	else if (argc >= 2 && !strcmp(argv[1], "watch"))
		ret = cmd_watch(argc - 2, argv + 2);
	else if (argc >= 2 && !strcmp(argv[1], "cow"))
		ret = cmd_cow(argc - 2, argv + 2);
	else if (argc >= 2 && !strcmp(argv[1], "counters"))
		ret = cmd_counters(argc - 2, argv + 2);
	else if (argc >= 2 && !strcmp(argv[1], "kill"))
		ret = cmd_kill(argc - 2, argv + 2);
	else if (argc >= 2 && !strcmp(argv[1], "write"))
		ret = cmd_write(argc - 2, argv + 2);
	else if (argc >= 2 && !strcmp(argv[1], "writes"))
		ret = cmd_writes(argc - 2, argv + 2);
	else if (argc >= 2 && !strcmp(argv[1], "family"))
		ret = cmd_family(argc - 2, argv + 2);
	if (ret == 2)
		fprintf(stderr, "usage: ksm-bench sync [-c KIB] [-t TARGET] PARTITION RANGEFILE... |\n"
			"       partitions parallel|serial PART RANGEFILE... [-- PART RANGEFILE...]... |\n"
			"       watch COUNTER TARGET TIMEOUT_S | cow PAGES | counters READS |\n"
			"       kill PID... | write FILE VALUE | writes FILE VALUE SECONDS |\n"
			"       family PARTITION MIB KIDS\n");
	return ret;
}

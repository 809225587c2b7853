// SPDX-License-Identifier: GPL-2.0
/*
 * ksm-fuzz: the KSM partition system calls and sysfs files with hostile
 * arguments, every result checked against the documented errors.
 *
 *   ksm-fuzz [-n CALLS] [-j JOBS] [-s SEED] [-B] [-v]
 *
 * JOBS processes (default 2) make CALLS calls in all (default 100000), at
 * random: ksm_open(), ksm_merge(), ksm_unmerge(), ksm_unlink() and writes
 * to the files of /sys/kernel/mm/ksm/ and its partitions. Arguments come
 * from pools of the good and the bad: descriptors of partitions in every
 * access mode, of other files, closed and negative ones, pidfds; pids of
 * live, exited, foreign (another user's) and kernel (kthreadd) tasks, and
 * of this process; names with odd
 * bytes, too long, unterminated before an unmapped page, bad pointers;
 * ranges that are unaligned, empty, wrapping, beyond user space, or in
 * shared, PROT_NONE, file, stack, vDSO and vvar mappings of target
 * processes; unknown flag bits; garbage and very long sysfs writes. The
 * jobs share partition names, so removal and unlink race with everything.
 *
 * A call fails the run when it returns an error its manual page does not
 * list, or when a system call succeeds where it must not (a sysfs write
 * is let off more: its files document their errors less tightly). The
 * targets check their memory when the run ends, and global counters and
 * KSM slab objects must come back to where they were (unless -B: other
 * users of KSM ran meanwhile, and whoever started them checks that).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/ksm.h>

#include "ksm-guest.h"

#define PAGE		4096UL
#define TARGET_PAGES	64
#define NR_TARGETS	3
#define NR_NAMES	4

static bool verbose, check_baseline = true;
static int job;

/* Processes whose memory the calls aim at, and which check it at the end */
struct target {
	pid_t pid;
	int pidfd;
	unsigned long addrs[64];	/* starts of their mappings */
	int nr_addrs;
	unsigned long priv;		/* their mergeable memory */
};

static struct target targets[NR_TARGETS];
static pid_t dead_pid;
/*
 * Another user's process, which root may merge. Not init: a merge of init
 * into a partition that is then unlinked keeps the partition for as long
 * as init lives (no name reaches it any more), which a 1M-call run did.
 */
static pid_t foreign_pid;
static int dead_pidfd = -1;
static char *unterminated;	/* a name running into an unmapped page */

static unsigned long rnd(unsigned long n)
{
	return n ? (unsigned long)random() % n : 0;
}

#define PICK(a)	((a)[rnd(sizeof(a) / sizeof((a)[0]))])

static void fill(char *mem, unsigned long npages)
{
	unsigned long i;

	for (i = 0; i < npages; i++)
		memset(mem + i * PAGE, 'a' + i % 4, PAGE);
}

static bool intact(const char *mem, unsigned long npages)
{
	unsigned long i, j;

	for (i = 0; i < npages; i++)
		for (j = 0; j < PAGE; j++)
			if (mem[i * PAGE + j] != (char)('a' + i % 4))
				return false;
	return true;
}

/*
 * A target: private anonymous memory of known content (what merges), a
 * shared mapping, a PROT_NONE one and a file mapping beside it; it waits
 * for SIGUSR1 and exits 0 if its memory is intact.
 */
static void start_target(struct target *t)
{
	char line[256], path[64];
	int p[2], fd;
	sigset_t set;
	FILE *f;

	if (pipe(p))
		exit(1);
	t->pid = fork();
	if (!t->pid) {
		char *priv, *shared;

		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigprocmask(SIG_BLOCK, &set, NULL);
		priv = mmap(NULL, TARGET_PAGES * PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		shared = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (priv == MAP_FAILED || shared == MAP_FAILED ||
		    mmap(NULL, 16 * PAGE, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
			_exit(1);
		fd = open("/bin/busybox", O_RDONLY);
		if (fd >= 0)
			mmap(NULL, 16 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
		fill(priv, TARGET_PAGES);
		fill(shared, 16);
		if (write(p[1], &priv, sizeof(priv)) != sizeof(priv))
			_exit(1);
		sigwait(&set, &fd);
		_exit(intact(priv, TARGET_PAGES) && intact(shared, 16) ? 0 : 3);
	}
	close(p[1]);
	if (t->pid < 0 || read(p[0], &t->priv, sizeof(t->priv)) !=
	    sizeof(t->priv))
		exit(1);
	close(p[0]);
	t->pidfd = syscall(SYS_pidfd_open, t->pid, 0);
	snprintf(path, sizeof(path), "/proc/%d/maps", t->pid);
	f = fopen(path, "r");
	if (!f)
		exit(1);
	while (fgets(line, sizeof(line), f) && t->nr_addrs < 64)
		t->addrs[t->nr_addrs++] = strtoul(line, NULL, 16);
	fclose(f);
}

/* --- argument pools ---------------------------------------------------- */

static const char *const good_names[NR_NAMES] = {
	"fz-0", "fz-1", "fz-2", "fz-3",
};

static const char *pick_name(char *buf)
{
	static const char *const odd[] = {
		"", ".", "..", ".hidden", "a/b", "control", "pages_shared",
		"run", "fz 0", "fz\n", "fz-\xff", "-", "_",
	};
	unsigned long i;

	switch (rnd(8)) {
	case 0:
		return PICK(odd);
	case 1:				/* 63, 64 or more characters */
		i = 62 + rnd(4);
		if (rnd(4) == 0)
			i = 200 + rnd(3000);
		memset(buf, 'n', i);
		buf[i] = '\0';
		return buf;
	case 2:
		return rnd(2) ? NULL : (const char *)1;
	case 3:
		return unterminated;
	default:
		return good_names[rnd(NR_NAMES)];
	}
}

/* A name argument as it may be printed */
static const char *printable(const char *name)
{
	if (name == unterminated)
		return "(unterminated)";
	return name > (char *)4096 ? name : "(bad pointer)";
}

/* Descriptors: partitions in every mode, other files, bad numbers */
static int fds[16];
static int nr_fds;

static int pick_fd(void)
{
	switch (rnd(6)) {
	case 0:
		return PICK(((int[]){ -1, -100, 1023, 99999, 0, 2 }));
	case 1:
		return targets[rnd(NR_TARGETS)].pidfd;
	default:
		return nr_fds ? fds[rnd(nr_fds)] : -1;
	}
}

static void keep_fd(int fd)
{
	unsigned long i;

	if (nr_fds < 16) {
		fds[nr_fds++] = fd;
		return;
	}
	/* Replace one; closing may end the last use of a partition */
	i = rnd(16);
	close(fds[i]);
	fds[i] = fd;
}

static pid_t pick_pid(unsigned int *flags)
{
	struct target *t = &targets[rnd(NR_TARGETS)];

	if (rnd(4) == 0) {
		*flags |= KSM_MERGE_PIDFD;
		switch (rnd(4)) {
		case 0:
			return dead_pidfd;
		case 1:
			return pick_fd();
		default:
			return t->pidfd;
		}
	}
	switch (rnd(8)) {
	case 0:
		return dead_pid;
	case 1:
		return PICK(((pid_t[]){ 0, -1, foreign_pid, 2, 4194304,
					99999 }));
	case 2:
		return getpid();
	default:
		return t->pid;
	}
}

static unsigned long pick_addr(void)
{
	struct target *t = &targets[rnd(NR_TARGETS)];
	unsigned long a = t->addrs[rnd(t->nr_addrs)];

	switch (rnd(8)) {
	case 0:
		return PICK(((unsigned long[]){
			0, PAGE, 1, 0x7ffffffff000UL, 0x800000000000UL,
			0xffff800000000000UL, -PAGE, -1UL }));
	case 1:
		return a + 1 + rnd(PAGE - 1);		/* unaligned */
	case 2:
		return a + rnd(64) * PAGE;
	case 3:
		return a;
	default:
		return t->priv + rnd(TARGET_PAGES / 2) * PAGE;
	}
}

static unsigned long pick_size(void)
{
	switch (rnd(6)) {
	case 0:
		return PICK(((unsigned long[]){
			0, 1, PAGE - 1, -PAGE, -1UL, 1UL << 47, 1UL << 62 }));
	case 1:
		return (1 + rnd(64)) * PAGE + rnd(2);
	default:
		return (1 + rnd(TARGET_PAGES)) * PAGE;
	}
}

/* --- the calls and their documented errors ------------------------------ */

struct tally {
	unsigned long calls, ok;
};

static struct tally tallies[5];

static void bad(const char *call, long ret, const char *args)
{
	fprintf(stderr, "ksm-fuzz: job %d: %s(%s) = %ld (%s): not documented\n",
		job, call, args, ret, ret < 0 ? strerror(errno) : "success");
	_exit(1);
}

static bool allowed(int err, const int *list)
{
	for (; *list; list++)
		if (*list == err)
			return true;
	return false;
}

static void fuzz_open(void)
{
	static const int errs[] = { EACCES, EEXIST, EFAULT, EINVAL, EMFILE,
		ENFILE, ENAMETOOLONG, ENOENT, ENOMEM, ENOSPC, 0 };
	unsigned int flags = PICK(((unsigned int[]){
		O_RDONLY, O_WRONLY, O_RDWR, 3 })) |
		(rnd(2) ? KSM_CREAT : 0) | (rnd(4) ? 0 : KSM_EXCL) |
		(rnd(8) ? KSM_SYNC : 0) | (rnd(2) ? KSM_CLOEXEC : 0);
	mode_t mode = PICK(((mode_t[]){ 0600, 0660, 0666, 0, 07777, 0xffff }));
	char buf[4096], args[160];
	const char *name;
	long ret;

	if (rnd(8) == 0)
		flags |= 1U << (6 + rnd(26));	/* an unknown bit */
	name = pick_name(buf);
	errno = 0;
	ret = syscall(__NR_ksm_open, name, flags, mode);
	snprintf(args, sizeof(args), "%.40s, %#x, %#o", printable(name),
		 flags, mode);
	tallies[0].calls++;
	if (ret >= 0) {
		tallies[0].ok++;
		/* success needs KSM_SYNC, known bits and a mode 0..2 */
		if (!(flags & KSM_SYNC) || (flags & ~0x3fU) ||
		    (flags & KSM_ACCMODE) == 3)
			bad("ksm_open", ret, args);
		keep_fd(ret);
	} else if (!allowed(errno, errs)) {
		bad("ksm_open", ret, args);
	}
	if (verbose)
		printf("ksm_open(%s) = %ld %s\n", args, ret,
		       ret < 0 ? strerror(errno) : "");
}

static void fuzz_range(bool merge)
{
	static const int merge_errs[] = { EAGAIN, EBADF, EBUSY, EINTR, EINVAL,
		ENOENT, ENOMEM, EPERM, ESRCH, 0 };
	static const int unmerge_errs[] = { EAGAIN, EBADF, EINTR, EINVAL,
		ENOENT, ENOMEM, EPERM, ESRCH, 0 };
	const char *call = merge ? "ksm_merge" : "ksm_unmerge";
	unsigned int flags = rnd(8) ? 0 : 1U << rnd(32);
	unsigned long addr, size;
	char args[160];
	pid_t pid;
	long ret;
	int fd;

	fd = pick_fd();
	pid = pick_pid(&flags);
	addr = pick_addr();
	size = pick_size();
	if (!merge && rnd(4) == 0)
		addr = size = 0;		/* everything */
	snprintf(args, sizeof(args), "%d, %d, %#lx, %#lx, %#x", fd, pid, addr,
		 size, flags);
	errno = 0;
	ret = syscall(merge ? __NR_ksm_merge : __NR_ksm_unmerge, fd, pid,
		      addr, size, flags);
	tallies[merge ? 1 : 2].calls++;
	if (ret >= 0) {
		tallies[merge ? 1 : 2].ok++;
		/* never on unaligned or wrapping input, or unknown flags */
		if ((addr & (PAGE - 1)) || (merge && !size) ||
		    (size && addr + size < addr) || (flags & ~KSM_MERGE_PIDFD))
			bad(call, ret, args);
	} else if (!allowed(errno, merge ? merge_errs : unmerge_errs)) {
		bad(call, ret, args);
	}
	if (verbose)
		printf("%s(%s) = %ld %s\n", call, args, ret,
		       ret < 0 ? strerror(errno) : "");
}

static void fuzz_unlink(void)
{
	static const int errs[] = { EFAULT, EINVAL, ENAMETOOLONG, ENOENT,
		EPERM, 0 };
	char buf[4096];
	const char *name = pick_name(buf);
	long ret;

	errno = 0;
	ret = syscall(__NR_ksm_unlink, name);
	tallies[3].calls++;
	if (ret >= 0)
		tallies[3].ok++;
	else if (!allowed(errno, errs))
		bad("ksm_unlink", ret, printable(name));
}

/*
 * sysfs: the partition files and the control files, with good and bad
 * text. Global knobs that stop or slow the machine (run, sleep_millisecs,
 * pages_to_scan) are left alone; the others are restored at the end.
 */
static const char *const global_files[] = {
	"control/add_partition", "control/remove_partition",
	"control/max_partitions", "use_zero_pages", "max_page_sharing",
	"stable_node_chains_prune_millisecs", "smart_scan",
};

static const char *const partition_files[] = {
	"trigger_merge", "trigger_unmerge", "use_zero_pages", "pages_shared",
	"members", "uid",
};

static void fuzz_sysfs(void)
{
	/* ENODEV: sysfs's answer once the partition's directory is gone */
	static const int errs[] = { EINVAL, ENOENT, EEXIST, ESRCH, ENOMEM,
		EBUSY, EPERM, EACCES, ENOSPC, ENAMETOOLONG, EINTR, ERANGE,
		EIO, ENODEV, EAGAIN, 0 };
	struct target *t = &targets[rnd(NR_TARGETS)];
	char path[160], val[8192];
	const char *name;
	unsigned long i;
	int fd;
	long ret;

	if (rnd(2)) {
		snprintf(path, sizeof(path), KSM "/%s", PICK(global_files));
	} else {
		name = rnd(8) ? good_names[rnd(NR_NAMES)] : "control";
		snprintf(path, sizeof(path), KSM "/%s/%s", name,
			 PICK(partition_files));
	}
	switch (rnd(6)) {
	case 0:		/* garbage, sometimes longer than a page */
		i = rnd(2) ? rnd(64) : 4000 + rnd(4000);
		for (val[i] = '\0'; i--; )
			val[i] = 1 + rnd(255);
		break;
	case 1:
		snprintf(val, sizeof(val), "%s", good_names[rnd(NR_NAMES)]);
		break;
	case 2:
		snprintf(val, sizeof(val), "%d %lx %lx", pick_pid(&(unsigned
			 int){ 0 }), pick_addr(), pick_addr() + pick_size());
		break;
	case 3:
		snprintf(val, sizeof(val), "%d %lx %lx", t->pid, t->addrs[0],
			 t->addrs[0] + TARGET_PAGES * PAGE);
		break;
	case 4:
		snprintf(val, sizeof(val), "%ld", (long)rnd(3) - 1 +
			 (rnd(2) ? 0 : (long)(1UL << rnd(63))));
		break;
	default:
		snprintf(val, sizeof(val), "%d", t->pid);
		break;
	}
	fd = open(path, O_WRONLY);
	tallies[4].calls++;
	if (fd < 0)
		return;		/* no such partition now, or read-only */
	errno = 0;
	ret = write(fd, val, strlen(val));
	close(fd);
	if (ret >= 0)
		tallies[4].ok++;
	else if (!allowed(errno, errs))
		bad("write", ret, path);
}

/* The partitions of /sys/kernel/mm/ksm/: directories with a members file */
struct names {
	char name[64][KSM_NAME_MAX + 1];
	int n;
};

static void list_partitions(struct names *names)
{
	struct dirent *d;
	char path[300];
	DIR *dir;

	names->n = 0;
	dir = opendir(KSM);
	while (dir && (d = readdir(dir)) && names->n < 64) {
		snprintf(path, sizeof(path), KSM "/%s/members", d->d_name);
		if (!access(path, F_OK) && strlen(d->d_name) <= KSM_NAME_MAX)
			strcpy(names->name[names->n++], d->d_name);
	}
	if (dir)
		closedir(dir);
}

/*
 * Remove (and unlink) every partition the run made, valid odd names too; a
 * listing holds 64 names, so go on until a listing finds no new one.
 */
static void remove_new_partitions(const struct names *old)
{
	struct names now;
	int i, j, found, pass;

	for (pass = 0; pass < 100; pass++) {
		list_partitions(&now);
		for (i = found = 0; i < now.n; i++) {
			for (j = 0; j < old->n; j++)
				if (!strcmp(now.name[i], old->name[j]))
					break;
			if (j < old->n)
				continue;
			found++;
			if (write_file(KSM "/control/remove_partition",
				       now.name[i]) &&
			    syscall(__NR_ksm_unlink, now.name[i]))
				fprintf(stderr, "ksm-fuzz: cannot remove "
					"partition %s: %s\n", now.name[i],
					strerror(errno));
		}
		if (!found)
			break;
	}
}

static void run_job(unsigned long calls, unsigned int seed)
{
	unsigned long i;

	srandom(seed);
	for (i = 0; i < calls; i++) {
		switch (rnd(10)) {
		case 0: case 1:
			fuzz_open();
			break;
		case 2: case 3: case 4:
			fuzz_range(true);
			break;
		case 5: case 6:
			fuzz_range(false);
			break;
		case 7:
			fuzz_unlink();
			break;
		default:
			fuzz_sysfs();
			break;
		}
	}
	printf("ksm-fuzz: job %d: open %lu/%lu merge %lu/%lu unmerge %lu/%lu "
	       "unlink %lu/%lu sysfs %lu/%lu (succeeded/made)\n", job,
	       tallies[0].ok, tallies[0].calls, tallies[1].ok,
	       tallies[1].calls, tallies[2].ok, tallies[2].calls,
	       tallies[3].ok, tallies[3].calls, tallies[4].ok,
	       tallies[4].calls);
	/* A fuzzer whose good calls never succeed tests only the errors */
	if (calls >= 10000 && (!tallies[0].ok || !tallies[1].ok)) {
		fprintf(stderr, "ksm-fuzz: job %d: no ksm_open() or ksm_merge() "
			"succeeded\n", job);
		_exit(1);
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	unsigned long calls = 100000;
	unsigned int seed = time(NULL) ^ getpid();
	long before[NR_BASELINE], saved[7];
	int jobs = 2, opt, status = 0, failed = 0, i;
	char path[160], val[32], *p;
	pid_t job_pids[64];
	struct names old;

	while ((opt = getopt(argc, argv, "n:j:s:Bv")) != -1) {
		switch (opt) {
		case 'n': calls = strtoul(optarg, NULL, 0); break;
		case 'j': jobs = atoi(optarg); break;
		case 's': seed = strtoul(optarg, NULL, 0); break;
		case 'B': check_baseline = false; break;
		case 'v': verbose = true; break;
		default:
			fprintf(stderr, "usage: ksm-fuzz [-n CALLS] [-j JOBS] "
				"[-s SEED] [-B] [-v]\n");
			return 2;
		}
	}
	if (jobs < 1 || jobs > 64)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ksm-fuzz: %lu calls in %d jobs, seed %u\n", calls, jobs, seed);

	baseline(before);
	list_partitions(&old);
	for (i = 3; i < 7; i++) {
		snprintf(path, sizeof(path), KSM "/%s", global_files[i]);
		saved[i] = read_long(path);
	}
	saved[2] = read_long(KSM "/control/max_partitions");

	/* A name that runs into an unmapped page */
	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || munmap(p + PAGE, PAGE))
		return 1;
	memset(p, 'u', PAGE);
	unterminated = p + PAGE - 8;

	for (i = 0; i < NR_TARGETS; i++)
		start_target(&targets[i]);
	foreign_pid = fork();
	if (!foreign_pid) {
		if (setgid(65534) || setuid(65534))
			_exit(1);
		for (;;)
			pause();
	}
	dead_pid = fork();
	if (!dead_pid)
		_exit(0);
	dead_pidfd = syscall(SYS_pidfd_open, dead_pid, 0);
	waitpid(dead_pid, NULL, 0);
	fds[nr_fds++] = open("/dev/null", O_RDWR);
	fds[nr_fds++] = open(KSM "/pages_shared", O_RDONLY);

	for (i = 0; i < jobs; i++) {
		job_pids[i] = fork();
		if (!job_pids[i]) {
			job = i;
			run_job(calls / jobs, seed + i);
		}
	}
	for (i = 0; i < jobs; i++)
		if (job_pids[i] < 0 ||
		    waitpid(job_pids[i], &status, 0) != job_pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "ksm-fuzz: job %d failed (status %#x)\n",
				i, status);
			failed = 1;
		}

	/* The targets' memory must have come through unchanged */
	for (i = 0; i < NR_TARGETS; i++) {
		kill(targets[i].pid, SIGUSR1);
		if (waitpid(targets[i].pid, &status, 0) != targets[i].pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "ksm-fuzz: target %d: memory changed "
				"or lost (status %#x)\n", i, status);
			failed = 1;
		}
		close(targets[i].pidfd);
	}
	kill(foreign_pid, SIGKILL);
	waitpid(foreign_pid, NULL, 0);
	for (i = 0; i < nr_fds; i++)
		close(fds[i]);
	close(dead_pidfd);

	/* Put back what the run may have changed, then compare */
	remove_new_partitions(&old);
	for (i = 3; i < 7; i++) {
		snprintf(path, sizeof(path), KSM "/%s", global_files[i]);
		snprintf(val, sizeof(val), "%ld", saved[i]);
		write_file(path, val);
	}
	snprintf(val, sizeof(val), "%ld", saved[2]);
	write_file(KSM "/control/max_partitions", val);
	if (check_baseline && back_to_baseline("ksm-fuzz", before))
		failed = 1;
	printf("ksm-fuzz: %s\n", failed ? "FAILED" : "ok");
	return failed;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of libsksm against fake sysfs and /proc trees.
 *
 *   test-libsksm DIR
 *
 * DIR is a scratch copy of tests/host/fixtures (it gets written to): DIR/sysfs
 * stands for /sys/kernel/mm/ksm of the patched kernel, DIR/proc for /proc.
 * The library is pointed at them with SKSM_SYSFS_ROOT and SKSM_PROC_ROOT.
 * Internals (parsers) are tested through lib/internal.h.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "tap.h"

/* Short enough that every path below fits its buffer */
static char sysfs[1024], proc[1024], stock[1024];

static const char features_syscalls[] =
	"partitions\nsync_merge\nksm_open 500\nksm_merge 501\n"
	"ksm_unmerge 502\nksm_unlink 503\n";

static void put(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX * 2];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		printf("# cannot write %s\n", path);
		exit(1);
	}
}

/* The content of DIR/FILE, in a buffer of the caller. */
static const char *get(const char *dir, const char *file, char *buf,
		       size_t size)
{
	char path[PATH_MAX * 2];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, size - 1);
	if (fd >= 0)
		close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

/* The sysfs tree as the kernel in question would show it */
static void kernel_with(const char *features)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/control/features", sysfs);
	unlink(path);
	if (features)
		put(sysfs, "control/features", features);
	setenv("SKSM_SYSFS_ROOT", sysfs, 1);
	setenv("SKSM_PROC_ROOT", proc, 1);
}

/*
 * The fake kernel: every write the library makes to sysfs goes through
 * here (ld --wrap), is logged as "FILE REQUEST", and is answered with an
 * errno when asked, or written to the fixture file. A merge request adds
 * fake.merged pages to the process's ksm_merging_pages, as the kernel's
 * merge would.
 */
static struct {
	char log[4096];
	size_t len;
	const char *fail_file;
	int fail_with, fail_from;	/* from the fail_from'th write on */
	int writes;
	long merged;
} fake;

int __real_sksm__write_file(const char *path, const char *buf, size_t len);
int __wrap_sksm__write_file(const char *path, const char *buf, size_t len);

int __wrap_sksm__write_file(const char *path, const char *buf, size_t len)
{
	const char *file = strrchr(path, '/') + 1;
	char dir[PATH_MAX], count[32];

	if (fake.len < sizeof(fake.log))
		fake.len += snprintf(fake.log + fake.len,
				     sizeof(fake.log) - fake.len, "%s %.*s\n",
				     file, (int)len, buf);
	if (fake.fail_file && !strcmp(file, fake.fail_file) &&
	    ++fake.writes >= fake.fail_from)
		return -fake.fail_with;
	if (fake.merged && !strcmp(file, "trigger_merge")) {
		snprintf(dir, sizeof(dir), "%s/%d", proc, atoi(buf));
		get(dir, "ksm_merging_pages", count, sizeof(count));
		snprintf(count, sizeof(count), "%ld\n",
			 atol(count) + fake.merged);
		put(dir, "ksm_merging_pages", count);
	}
	return __real_sksm__write_file(path, buf, len);
}

/* Start logging; writes to @file fail with @err from the @from'th on. */
static void fake_reset(const char *file, int err, int from)
{
	memset(&fake, 0, sizeof(fake));
	fake.fail_file = file;
	fake.fail_with = err;
	fake.fail_from = from;
}

static void test_parse_numbers(void)
{
	uint64_t u;
	int64_t s;

	CHECK_EQ(sksm__parse_u64("0", 10, &u), 0);
	CHECK_EQ(u, 0);
	CHECK_EQ(sksm__parse_u64("18446744073709551615", 10, &u), 0);
	CHECK(u == UINT64_MAX);
	CHECK_EQ(sksm__parse_u64("18446744073709551616", 10, &u), -ERANGE);
	CHECK_EQ(sksm__parse_u64("99999999999999999999999", 10, &u), -ERANGE);
	CHECK_EQ(sksm__parse_u64("", 10, &u), -EBADMSG);
	CHECK_EQ(sksm__parse_u64("-1", 10, &u), -EBADMSG);
	CHECK_EQ(sksm__parse_u64("+1", 10, &u), -EBADMSG);
	CHECK_EQ(sksm__parse_u64(" 1", 10, &u), -EBADMSG);
	CHECK_EQ(sksm__parse_u64("1 ", 10, &u), -EBADMSG);
	CHECK_EQ(sksm__parse_u64("12abc", 10, &u), -EBADMSG);
	CHECK_EQ(sksm__parse_u64("0x10", 16, &u), -EBADMSG);
	CHECK_EQ(sksm__parse_u64("7fFF", 16, &u), 0);
	CHECK_EQ(u, 0x7fff);
	CHECK_EQ(sksm__parse_u64("0640", 8, &u), 0);
	CHECK_EQ(u, 0640);
	CHECK_EQ(sksm__parse_u64("08", 8, &u), -EBADMSG);
	CHECK_EQ(sksm__parse_s64("-9223372036854775808", &s), 0);
	CHECK(s == INT64_MIN);
	CHECK_EQ(sksm__parse_s64("9223372036854775807", &s), 0);
	CHECK(s == INT64_MAX);
	CHECK_EQ(sksm__parse_s64("9223372036854775808", &s), -ERANGE);
	CHECK_EQ(sksm__parse_s64("-9223372036854775809", &s), -ERANGE);
	CHECK_EQ(sksm__parse_s64("-", &s), -EBADMSG);
	CHECK_EQ(sksm__parse_s64("--1", &s), -EBADMSG);
}

static void test_names(void)
{
	char longest[SKSM_NAME_MAX + 2];

	memset(longest, 'a', sizeof(longest));
	longest[SKSM_NAME_MAX] = '\0';
	CHECK_EQ(sksm__name_valid("vm1"), 0);
	CHECK_EQ(sksm__name_valid("A.b-c_9"), 0);
	CHECK_EQ(sksm__name_valid("x"), 0);
	CHECK_EQ(sksm__name_valid(longest), 0);
	longest[SKSM_NAME_MAX] = 'a';
	longest[SKSM_NAME_MAX + 1] = '\0';
	CHECK_EQ(sksm__name_valid(longest), -ENAMETOOLONG);
	CHECK_EQ(sksm__name_valid(""), -EINVAL);
	CHECK_EQ(sksm__name_valid(".hidden"), -EINVAL);
	CHECK_EQ(sksm__name_valid(".."), -EINVAL);
	CHECK_EQ(sksm__name_valid("a/b"), -EINVAL);
	CHECK_EQ(sksm__name_valid("../x"), -EINVAL);
	CHECK_EQ(sksm__name_valid("a b"), -EINVAL);
	CHECK_EQ(sksm__name_valid("a\n"), -EINVAL);
	CHECK_EQ(sksm__name_valid("caf\xc3\xa9"), -EINVAL);
}

static void test_features_lines(void)
{
	struct sksm__features f = { .nr_open = -1, .nr_merge = -1 };

	sksm__parse_features_line("partitions", &f);
	sksm__parse_features_line("sync_merge", &f);
	sksm__parse_features_line("ksm_open 500", &f);
	sksm__parse_features_line("ksm_merge 501 extra", &f);
	sksm__parse_features_line("ksm_openx 7", &f);
	sksm__parse_features_line("future_feature 42", &f);
	sksm__parse_features_line("future_flag", &f);
	CHECK_EQ(f.partitions, 1);
	CHECK_EQ(f.sync_merge, 1);
	CHECK_EQ(f.nr_open, 500);
	CHECK_EQ(f.nr_merge, -1);
	sksm__parse_features_line("ksm_merge -1", &f);
	sksm__parse_features_line("ksm_merge 0x1f5", &f);
	sksm__parse_features_line("ksm_merge 99999999999999999999", &f);
	sksm__parse_features_line("ksm_merge ", &f);
	CHECK_EQ(f.nr_merge, -1);
	sksm__parse_features_line("ksm_merge 501", &f);
	CHECK_EQ(f.nr_merge, 501);
}

static void test_backend_syscalls(void)
{
	kernel_with(features_syscalls);
	CHECK_EQ(sksm_probe(), SKSM_BACKEND_SYSCALLS);
	/* Unknown lines in between change nothing */
	kernel_with("partitions\nsomething_new 9\nsync_merge\nksm_open 500\n"
		    "ksm_merge 501\nnew_flag\nksm_unmerge 502\nksm_unlink 503\n");
	CHECK_EQ(sksm_probe(), SKSM_BACKEND_SYSCALLS);
	/*
	 * The host kernel has no system call 500: the call is made (ENOSYS
	 * from the kernel), where sysfs would have opened vm1.
	 */
	kernel_with(features_syscalls);
	CHECK_ERRNO(sksm_open("vm1", SKSM_RDWR, 0) == NULL, ENOSYS);
	CHECK_ERRNO(sksm_unlink("vm1") == -1, ENOSYS);
}

static void test_backend_sysfs(void)
{
	struct sksm_partition *p;

	kernel_with("partitions\nsync_merge\n");
	CHECK_EQ(sksm_probe(), SKSM_BACKEND_SYSFS);
	kernel_with(NULL);
	CHECK_EQ(sksm_probe(), SKSM_BACKEND_SYSFS);
	/* Three of the four calls, or no sync_merge: not usable */
	kernel_with("partitions\nsync_merge\nksm_open 500\nksm_merge 501\n"
		    "ksm_unmerge 502\n");
	CHECK_EQ(sksm_probe(), SKSM_BACKEND_SYSFS);
	kernel_with("partitions\nksm_open 500\nksm_merge 501\n"
		    "ksm_unmerge 502\nksm_unlink 503\n");
	CHECK_EQ(sksm_probe(), SKSM_BACKEND_SYSFS);
	kernel_with("partitions\nsync_merge\nksm_open 500\nksm_merge 501\n"
		    "ksm_unmerge 502\nksm_unlink five\n");
	CHECK_EQ(sksm_probe(), SKSM_BACKEND_SYSFS);

	kernel_with(NULL);
	p = sksm_open("vm1", SKSM_RDWR, 0600);
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ(sksm_backend(p), SKSM_BACKEND_SYSFS);
		CHECK_EQ(sksm_fd(p), -1);
		CHECK_STR(sksm_name(p), "vm1");
		sksm_close(p);
	}
}

static void test_backend_none(void)
{
	char **names;

	setenv("SKSM_SYSFS_ROOT", stock, 1);
	CHECK_ERRNO(sksm_probe() == -1, ENOSYS);
	CHECK_ERRNO(sksm_open("vm1", SKSM_RDWR | SKSM_CREAT, 0600) == NULL,
		    ENOSYS);
	CHECK_ERRNO(sksm_unlink("vm1") == -1, ENOSYS);
	CHECK_ERRNO(sksm_list(&names) == -1, ENOSYS);
	CHECK_ERRNO(sksm_stat_name("vm1", &(struct sksm_stats){ 0 }) == -1,
		    ENOSYS);
	CHECK_STR(sksm_strerror(ENOSYS),
		  "the running kernel lacks the Selective KSM series");
	/* No KSM at all */
	setenv("SKSM_SYSFS_ROOT", "/nonexistent/sksm-test", 1);
	CHECK_ERRNO(sksm_probe() == -1, ENOSYS);
	CHECK_ERRNO(sksm_stat_global(&(struct sksm_global_stats){ 0 }) == -1,
		    ENOSYS);
	/* The stock tree's own counters still read */
	setenv("SKSM_SYSFS_ROOT", stock, 1);
	CHECK_EQ(sksm_stat_global(&(struct sksm_global_stats){ 0 }), 0);
}

static void test_open_flags_and_names(void)
{
	struct sksm_partition *p;

	kernel_with(NULL);
	CHECK_ERRNO(sksm_open(NULL, SKSM_RDWR, 0) == NULL, EINVAL);
	CHECK_ERRNO(sksm_open("vm1", SKSM_ACCMODE, 0) == NULL, EINVAL);
	CHECK_ERRNO(sksm_open("vm1", SKSM_RDWR | 0x100, 0) == NULL, EINVAL);
	CHECK_ERRNO(sksm_open("vm1", SKSM_RDWR | SKSM_EXCL, 0) == NULL,
		    EINVAL);
	CHECK_ERRNO(sksm_open("../vm1", SKSM_RDWR, 0) == NULL, EINVAL);
	CHECK_ERRNO(sksm_open("", SKSM_RDWR, 0) == NULL, EINVAL);
	CHECK_ERRNO(sksm_open("a234567890123456789012345678901234567890"
			      "123456789012345678901234", SKSM_RDWR, 0) == NULL,
		    ENAMETOOLONG);
	CHECK_ERRNO(sksm_open("nosuch", SKSM_RDWR, 0) == NULL, ENOENT);
	/* Entries of the KSM directory that are not partitions */
	CHECK_ERRNO(sksm_open("control", SKSM_RDWR, 0) == NULL, ENOENT);
	CHECK_ERRNO(sksm_open("run", SKSM_RDONLY, 0) == NULL, ENOENT);
	/* SYNC and CLOEXEC are implied, and accepted */
	p = sksm_open("vm2", SKSM_RDONLY | SKSM_SYNC | SKSM_CLOEXEC, 0);
	CHECK(p != NULL);
	sksm_close(p);
	sksm_close(NULL);
}

static void test_sysfs_create_unlink(void)
{
	struct sksm_partition *p;
	char buf[128];

	kernel_with(NULL);
	put(sysfs, "control/add_partition", "");
	p = sksm_open("vm1", SKSM_RDWR | SKSM_CREAT, 0640);
	CHECK(p != NULL);
	sksm_close(p);
	CHECK_STR(get(sysfs, "control/add_partition", buf, sizeof(buf)),
		  "vm1");
	/* The name alone, without a newline, the whole of one write */
	p = sksm_open("new-one.2", SKSM_WRONLY | SKSM_CREAT | SKSM_EXCL, 0600);
	CHECK(p != NULL);
	sksm_close(p);
	CHECK_STR(get(sysfs, "control/add_partition", buf, sizeof(buf)),
		  "new-one.2");

	/* The kernel says the name is taken */
	fake_reset("add_partition", EEXIST, 1);
	p = sksm_open("vm1", SKSM_RDWR | SKSM_CREAT, 0600);
	CHECK(p != NULL);
	sksm_close(p);
	CHECK_ERRNO(sksm_open("vm1", SKSM_RDWR | SKSM_CREAT | SKSM_EXCL,
			      0600) == NULL, EEXIST);
	/* ... by a file of the KSM directory, not a partition */
	CHECK_ERRNO(sksm_open("run", SKSM_RDWR | SKSM_CREAT, 0600) == NULL,
		    EEXIST);
	CHECK_STR(fake.log, "add_partition vm1\nadd_partition vm1\n"
		  "add_partition run\n");
	fake_reset("add_partition", EACCES, 1);
	CHECK_ERRNO(sksm_open("vm3", SKSM_RDWR | SKSM_CREAT, 0600) == NULL,
		    EACCES);
	fake_reset("remove_partition", ENOENT, 1);
	CHECK_ERRNO(sksm_unlink("nosuch") == -1, ENOENT);
	fake_reset(NULL, 0, 0);

	CHECK_EQ(sksm_unlink("vm2"), 0);
	CHECK_STR(get(sysfs, "control/remove_partition", buf, sizeof(buf)),
		  "vm2");
	CHECK_ERRNO(sksm_unlink("bad/name") == -1, EINVAL);
	CHECK_ERRNO(sksm_unlink(NULL) == -1, EINVAL);
}

static void test_sysfs_merge_requests(void)
{
	long page = sysconf(_SC_PAGESIZE);
	struct sksm_partition *p, *ro;
	char buf[128];

	kernel_with(NULL);
	p = sksm_open("vm1", SKSM_WRONLY, 0);
	ro = sksm_open("vm1", SKSM_RDONLY, 0);
	CHECK(p && ro);
	if (!p || !ro)
		goto out;
	CHECK_EQ(sksm_merge(p, 1234, 0x7f0000000000UL, 3 * page), 0);
	CHECK_STR(get(sysfs, "vm1/trigger_merge", buf, sizeof(buf)),
		  "1234 7f0000000000 7f0000003000");
	/* A size is rounded up to whole pages */
	CHECK_EQ(sksm_merge(p, 1234, 0x10000, 1), 0);
	CHECK_STR(get(sysfs, "vm1/trigger_merge", buf, sizeof(buf)),
		  "1234 10000 11000");
	CHECK_EQ(sksm_unmerge(p, 1234, 0x10000, 2 * page), 0);
	CHECK_STR(get(sysfs, "vm1/trigger_unmerge", buf, sizeof(buf)),
		  "1234 10000 12000");
	CHECK_EQ(sksm_unmerge(p, 4321, 0, 0), 0);
	CHECK_STR(get(sysfs, "vm1/trigger_unmerge", buf, sizeof(buf)),
		  "4321");

	CHECK_ERRNO(sksm_merge(p, 1234, 0x10001, page) == -1, EINVAL);
	CHECK_ERRNO(sksm_merge(p, 1234, 0x10000, 0) == -1, EINVAL);
	CHECK_ERRNO(sksm_merge(p, 0, 0x10000, page) == -1, EINVAL);
	CHECK_ERRNO(sksm_merge(p, -5, 0x10000, page) == -1, EINVAL);
	CHECK_ERRNO(sksm_merge(p, 1234, 0, 0) == -1, EINVAL);
	CHECK_ERRNO(sksm_merge(p, 1234, -(unsigned long)page, 2 * page) == -1,
		    EINVAL);
	CHECK_ERRNO(sksm_merge(p, 1234, 0x10000, SIZE_MAX) == -1, EINVAL);
	CHECK_ERRNO(sksm_merge(NULL, 1234, 0x10000, page) == -1, EINVAL);
	CHECK_ERRNO(sksm_merge(ro, 1234, 0x10000, page) == -1, EBADF);
	CHECK_ERRNO(sksm_unmerge(ro, 1234, 0, 0) == -1, EBADF);
	CHECK_ERRNO(sksm_merge_process(ro, 1234, NULL) == -1, EBADF);
out:
	sksm_close(p);
	sksm_close(ro);
}

struct seen {
	int calls;
	uint64_t last_done, total;
	int stop_after;
};

static int progress(uint64_t done, uint64_t total, long pages, void *arg)
{
	struct seen *s = arg;

	(void)pages;
	s->calls++;
	/* Monotonic, and never beyond the total */
	if (done < s->last_done || done > total)
		s->calls = -1000;
	s->last_done = done;
	s->total = total;
	return s->stop_after && s->calls >= s->stop_after;
}

/* fixtures/proc/1234/maps: 4 eligible ranges once neighbours are joined */
#define MAPS_1234_TOTAL	(0x25000 + 0x1001000 + 0x2000 + 0x21000)

static void test_merge_process_chunks(void)
{
	struct sksm_walk_opts opts = { .progress = progress };
	struct sksm_partition *p;
	struct seen seen = { 0 };

	kernel_with(NULL);
	p = sksm_open("vm1", SKSM_RDWR, 0);
	CHECK(p != NULL);
	if (!p)
		return;
	opts.arg = &seen;
	fake_reset(NULL, 0, 0);
	CHECK_EQ(sksm_merge_process(p, 1234, &opts), 0);
	/* Private mappings, neighbours joined, 8 MiB chunks, no [v*] */
	CHECK_STR(fake.log,
		  "trigger_merge 1234 555555554000 555555579000\n"
		  "trigger_merge 1234 7f0000000000 7f0000800000\n"
		  "trigger_merge 1234 7f0000800000 7f0001000000\n"
		  "trigger_merge 1234 7f0001000000 7f0001001000\n"
		  "trigger_merge 1234 7f0003000000 7f0003002000\n"
		  "trigger_merge 1234 7ffd00000000 7ffd00021000\n");
	CHECK_EQ(seen.calls, 6);
	CHECK_EQ(seen.total, MAPS_1234_TOTAL);
	CHECK_EQ(seen.last_done, MAPS_1234_TOTAL);

	/* The callback stops the walk; a small chunk; a window */
	memset(&seen, 0, sizeof(seen));
	seen.stop_after = 2;
	opts.chunk = 0x10000;
	opts.start = 0x555555570000UL;
	opts.end = 0x7f0000100000UL;
	fake_reset(NULL, 0, 0);
	CHECK_ERRNO(sksm_merge_process(p, 1234, &opts) == -1, ECANCELED);
	CHECK_STR(fake.log,
		  "trigger_merge 1234 555555570000 555555579000\n"
		  "trigger_merge 1234 7f0000000000 7f0000010000\n");
	CHECK_EQ(seen.calls, 2);
	CHECK_EQ(seen.total, 0x9000 + 0x100000);

	/* A window with nothing eligible: the kernel answers for it */
	opts = (struct sksm_walk_opts){ .start = 0x7f0002000000UL,
					.end = 0x7f0002001000UL };
	fake_reset(NULL, 0, 0);
	CHECK_EQ(sksm_merge_process(p, 1234, &opts), 0);
	CHECK_STR(fake.log, "trigger_merge 1234 7f0002000000 7f0002001000\n");

	opts.end = opts.start;
	CHECK_ERRNO(sksm_merge_process(p, 1234, &opts) == -1, EINVAL);
	opts.end = opts.start + 1;
	CHECK_ERRNO(sksm_merge_process(p, 1234, &opts) == -1, EINVAL);
	/* Nothing eligible at all (shared memory and [vdso] only) */
	CHECK_ERRNO(sksm_merge_process(p, 4321, NULL) == -1, ENOMEM);
	CHECK_ERRNO(sksm_merge_process(p, 5555, NULL) == -1, ENOMEM);
	CHECK_ERRNO(sksm_merge_process(p, 999999, NULL) == -1, ESRCH);
	CHECK_ERRNO(sksm_merge_process(p, 0, NULL) == -1, EINVAL);
	sksm_close(p);
}

/* What the kernel answers reaches the caller; ENOMEM chunks are skipped */
static void test_merge_errors_and_counts(void)
{
	struct sksm_partition *p;
	char buf[32], dir[PATH_MAX];

	kernel_with(NULL);
	snprintf(dir, sizeof(dir), "%s/1234", proc);
	p = sksm_open("vm1", SKSM_RDWR, 0);
	CHECK(p != NULL);
	if (!p)
		return;
	fake_reset("trigger_merge", EBUSY, 1);
	CHECK_ERRNO(sksm_merge(p, 1234, 0x10000, 4096) == -1, EBUSY);
	CHECK_ERRNO(sksm_merge_process(p, 1234, NULL) == -1, EBUSY);
	CHECK_EQ(fake.writes, 2);	/* stopped at the first chunk */
	fake_reset("trigger_merge", EPERM, 3);
	CHECK_ERRNO(sksm_merge_process(p, 1234, NULL) == -1, EPERM);
	CHECK_EQ(fake.writes, 3);
	fake_reset("trigger_unmerge", EINVAL, 1);
	CHECK_ERRNO(sksm_unmerge_process(p, 1234, NULL) == -1, EINVAL);
	CHECK_EQ(fake.writes, 1);
	fake_reset("trigger_merge", ENOENT, 1);
	CHECK_ERRNO(sksm_merge(p, 1234, 0x10000, 4096) == -1, ENOENT);

	/* Mappings gone since maps was read: skipped, unless all are */
	fake_reset("trigger_merge", ENOMEM, 1);
	CHECK_ERRNO(sksm_merge_process(p, 1234, NULL) == -1, ENOMEM);
	CHECK_EQ(fake.writes, 6);
	fake_reset("trigger_merge", ENOMEM, 6);
	fake.merged = 10;
	CHECK_EQ(sksm_merge_process(p, 1234, NULL), 50);
	fake_reset("trigger_unmerge", ENOMEM, 1);
	CHECK_ERRNO(sksm_unmerge_process(p, 1234, NULL) == -1, ENOMEM);
	CHECK_EQ(fake.writes, 7);	/* the final request decides */

	/* Pages: ksm_merging_pages before and after each request */
	fake_reset(NULL, 0, 0);
	fake.merged = 7;
	put(dir, "ksm_merging_pages", "3000\n");
	CHECK_EQ(sksm_merge(p, 1234, 0x10000, 4096), 7);
	CHECK_STR(get(dir, "ksm_merging_pages", buf, sizeof(buf)), "3007\n");
	CHECK_EQ(sksm_merge_process(p, 1234, NULL), 6 * 7);
	/* Unreadable counter: 0 pages, not an error */
	put(dir, "ksm_merging_pages", "garbage\n");
	CHECK_EQ(sksm_merge(p, 1234, 0x10000, 4096), 0);
	put(dir, "ksm_merging_pages", "3000\n");
	sksm_close(p);
}

static void test_unmerge_process(void)
{
	struct sksm_walk_opts opts = { .chunk = 16 << 20 };
	struct sksm_partition *p;

	kernel_with(NULL);
	p = sksm_open("vm1", SKSM_WRONLY, 0);
	CHECK(p != NULL);
	if (!p)
		return;
	fake_reset(NULL, 0, 0);
	CHECK_EQ(sksm_unmerge_process(p, 1234, &opts), 0);
	/* The walk, then everything, which ends the membership */
	CHECK_STR(fake.log,
		  "trigger_unmerge 1234 555555554000 555555579000\n"
		  "trigger_unmerge 1234 7f0000000000 7f0001000000\n"
		  "trigger_unmerge 1234 7f0001000000 7f0001001000\n"
		  "trigger_unmerge 1234 7f0003000000 7f0003002000\n"
		  "trigger_unmerge 1234 7ffd00000000 7ffd00021000\n"
		  "trigger_unmerge 1234\n");
	/* A range never ends it */
	opts.start = 0x7ffd00000000UL;
	opts.end = 0x7ffd00002000UL;
	fake_reset(NULL, 0, 0);
	CHECK_EQ(sksm_unmerge_process(p, 1234, &opts), 0);
	CHECK_STR(fake.log, "trigger_unmerge 1234 7ffd00000000 7ffd00002000\n");
	/* No eligible mapping: only the final request */
	fake_reset(NULL, 0, 0);
	CHECK_EQ(sksm_unmerge_process(p, 4321, NULL), 0);
	CHECK_STR(fake.log, "trigger_unmerge 4321\n");
	sksm_close(p);
}

static void test_maps_lines(void)
{
	static const struct {
		const char *line;
		int ret, eligible;
		unsigned long start, end;
	} cases[] = {
		{ "7f0000000000-7f0001000000 rw-p 00000000 00:00 0 ",
		  0, 1, 0x7f0000000000, 0x7f0001000000 },
		{ "00400000-00452000 r-xp 00000000 08:02 173521      /usr/bin/dbus-daemon",
		  0, 1, 0x400000, 0x452000 },
		{ "7f0000000000-7f0000001000 ---p 00000000 00:00 0",
		  0, 1, 0x7f0000000000, 0x7f0000001000 },
		{ "7f0002000000-7f0002100000 rw-s 00000000 00:01 2048 /memfd:x (deleted)",
		  0, 0, 0x7f0002000000, 0x7f0002100000 },
		{ "7ffd00104000-7ffd00106000 r-xp 00000000 00:00 0 [vdso]",
		  0, 0, 0x7ffd00104000, 0x7ffd00106000 },
		{ "7ffd00100000-7ffd00104000 r--p 00000000 00:00 0 [vvar]",
		  0, 0, 0x7ffd00100000, 0x7ffd00104000 },
		{ "7ffd00100000-7ffd00104000 r--p 00000000 00:00 0 [vvar_vclock]",
		  0, 0, 0x7ffd00100000, 0x7ffd00104000 },
		{ "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]",
		  0, 0, 0xffffffffff600000, 0xffffffffff601000 },
		{ "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]",
		  0, 1, 0x7ffd00000000, 0x7ffd00021000 },
		{ "7ffd00000000-7ffd00001000 rw-p 00000000 08:01 9 /x/[vdso]",
		  0, 1, 0x7ffd00000000, 0x7ffd00001000 },
		{ "hello", -EBADMSG, 0, 0, 0 },
		{ "", -EBADMSG, 0, 0, 0 },
		{ "1000-2000 rw-p", -EBADMSG, 0, 0, 0 },
		{ "1000-2000 rw-p 0 00:00", -EBADMSG, 0, 0, 0 },
		{ "1000-2000 rw-p 0 0000 0", -EBADMSG, 0, 0, 0 },
		{ "1000-2000 rwzp 0 00:00 0", -EBADMSG, 0, 0, 0 },
		{ "1000-2000 rw-x 0 00:00 0", -EBADMSG, 0, 0, 0 },
		{ "1000-2000 wr-p 0 00:00 0", -EBADMSG, 0, 0, 0 },
		{ "2000-1000 rw-p 0 00:00 0", -EBADMSG, 0, 0, 0 },
		{ "1000-1000 rw-p 0 00:00 0", -EBADMSG, 0, 0, 0 },
		{ "1001-2000 rw-p 0 00:00 0", -EBADMSG, 0, 0, 0 },
		{ "-2000 rw-p 0 00:00 0", -EBADMSG, 0, 0, 0 },
		{ "1000 2000 rw-p 0 00:00 0", -EBADMSG, 0, 0, 0 },
		{ "x1000-2000 rw-p 0 00:00 0", -EBADMSG, 0, 0, 0 },
		{ "1000-2000 rw-p 0 00:00 0x1", -EBADMSG, 0, 0, 0 },
		{ "1000-10000000000000000 rw-p 0 00:00 0", -EBADMSG, 0, 0, 0 },
		{ "1000-2000  rw-p 0 00:00 0", -EBADMSG, 0, 0, 0 },
	};
	struct sksm__range r;
	size_t i;
	int eligible, ret;

	for (i = 0; i < SKSM_ARRAY_SIZE(cases); i++) {
		eligible = -1;
		ret = sksm__parse_maps_line(cases[i].line, &r, &eligible);
		if (ret != cases[i].ret ||
		    (!ret && (eligible != cases[i].eligible ||
			      r.start != cases[i].start ||
			      r.end != cases[i].end))) {
			tap_case_failed = 1;
			printf("#   maps line \"%s\": ret %d eligible %d\n",
			       cases[i].line, ret, eligible);
		}
	}
}

static void test_read_maps(void)
{
	struct sksm__range *r = NULL;
	char dir[PATH_MAX], path[PATH_MAX * 2];
	size_t n = 0;
	FILE *f;
	int i;

	kernel_with(NULL);
	CHECK_EQ(sksm__read_maps(1234, &r, &n), 0);
	CHECK_EQ(n, 4);
	if (n == 4) {
		CHECK(r[0].start == 0x555555554000 && r[0].end == 0x555555579000);
		CHECK(r[1].start == 0x7f0000000000 && r[1].end == 0x7f0001001000);
		/* Joined across the line of 5000 characters */
		CHECK(r[2].start == 0x7f0003000000 && r[2].end == 0x7f0003002000);
		CHECK(r[3].start == 0x7ffd00000000 && r[3].end == 0x7ffd00021000);
	}
	free(r);
	CHECK_EQ(sksm__read_maps(999999, &r, &n), -ESRCH);

	/* Garbage anywhere fails the whole read; many lines grow the array */
	snprintf(dir, sizeof(dir), "%s/6666", proc);
	mkdir(dir, 0755);
	put(dir, "maps", "1000-2000 rw-p 00000000 00:00 0\nbogus\n");
	CHECK_EQ(sksm__read_maps(6666, &r, &n), -EBADMSG);
	snprintf(path, sizeof(path), "%s/maps", dir);
	f = fopen(path, "w");
	if (f) {
		static const char nul[] = "1000-2000 rw-p 00000000 00:00 0\0\n";

		fwrite(nul, sizeof(nul) - 1, 1, f);
		fclose(f);
	}
	CHECK_EQ(sksm__read_maps(6666, &r, &n), -EBADMSG);
	put(dir, "maps", "");
	for (i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "%s/maps", dir);
		f = fopen(path, "a");
		if (!f)
			break;
		fprintf(f, "%x-%x rw-p 00000000 00:00 0\n", (i * 2 + 1) << 12,
			(i * 2 + 2) << 12);
		fclose(f);
	}
	r = NULL;
	CHECK_EQ(sksm__read_maps(6666, &r, &n), 0);
	CHECK_EQ(n, 100);
	if (n == 100)
		CHECK(r[99].start == 199 << 12 && r[99].end == 200 << 12);
	free(r);
}

static void test_stat_sysfs(void)
{
	struct sksm_global_stats g = { .size = sizeof(g) };
	struct sksm_partition *p;
	struct sksm_stats st = { .size = sizeof(st) };
	char dir[PATH_MAX * 2];

	kernel_with(NULL);
	CHECK_EQ(sksm_stat_name("vm1", &st), 0);
	CHECK_STR(st.name, "vm1");
	CHECK_EQ(st.state, SKSM_STATE_LINKED);
	CHECK_EQ(st.pages_shared, 100);
	CHECK_EQ(st.pages_sharing, 3000);
	CHECK_EQ(st.pages_unshared, 50);
	CHECK_EQ(st.pages_scanned, 4096);
	CHECK_EQ(st.pages_skipped, 16);
	CHECK_EQ(st.ksm_zero_pages, 2);
	CHECK_EQ(st.general_profit, 12345678);
	CHECK_EQ(st.members, 2);
	CHECK_EQ(st.merge_time_ns, 987654321);
	CHECK_EQ(st.uid, 0);
	CHECK_EQ(st.gid, 0);
	CHECK_EQ(st.mode, 0600);
	CHECK_EQ(st.use_zero_pages, 1);

	/* vm2 has no uid, gid, mode files (an earlier series) */
	p = sksm_open("vm2", SKSM_RDONLY, 0);
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ(sksm_stat(p, &st), 0);
		CHECK_STR(st.name, "vm2");
		CHECK_EQ(st.general_profit, -4096);
		CHECK(st.uid == (uid_t)-1 && st.gid == (gid_t)-1);
		CHECK(st.mode == (mode_t)-1);
		CHECK_EQ(st.use_zero_pages, 0);
		sksm_close(p);
	}
	CHECK_ERRNO(sksm_stat_name("nosuch", &st) == -1, ENOENT);
	CHECK_ERRNO(sksm_stat_name("run", &st) == -1, ENOENT);
	CHECK_ERRNO(sksm_stat_name("control", &st) == -1, ENOENT);
	CHECK_ERRNO(sksm_stat_name("../vm1", &st) == -1, EINVAL);

	/* Garbage in a counter is an error, not a number */
	snprintf(dir, sizeof(dir), "%s/broken", sysfs);
	mkdir(dir, 0755);
	put(dir, "pages_shared", "12abc\n");
	CHECK_ERRNO(sksm_stat_name("broken", &st) == -1, EBADMSG);
	put(dir, "pages_shared", "1\n");
	CHECK_ERRNO(sksm_stat_name("broken", &st) == -1, ENOENT);
	put(dir, "pages_shared", "1234567890123456789012345678901234567890"
	    "1234567890123456789012345678901234567890\n");
	CHECK_ERRNO(sksm_stat_name("broken", &st) == -1, EBADMSG);
	snprintf(dir, sizeof(dir), "rm -r '%s/broken'", sysfs);
	CHECK_EQ(system(dir), 0);

	CHECK_EQ(sksm_stat_global(&g), 0);
	CHECK_EQ(g.run, 1);
	CHECK_EQ(g.pages_shared, 120);
	CHECK_EQ(g.pages_sharing, 3400);
	CHECK_EQ(g.pages_unshared, 56);
	CHECK_EQ(g.pages_volatile, 7);
	CHECK_EQ(g.pages_scanned, 99999);
	CHECK_EQ(g.pages_skipped, 12);
	CHECK_EQ(g.full_scans, 3);
	CHECK_EQ(g.general_profit, 14192640);
	CHECK_ERRNO(sksm_stat(NULL, &st) == -1, EINVAL);
}

/* A handle of the syscall backend whose fd has fixture fdinfo */
static void test_stat_fdinfo(void)
{
	struct sksm_partition p = {
		.backend = SKSM_BACKEND_SYSCALLS, .fd = 7,
	};
	struct sksm_stats st = { .size = sizeof(st) };

	kernel_with(features_syscalls);
	CHECK_EQ(sksm_stat(&p, &st), 0);
	CHECK_STR(st.name, "vm1");
	CHECK_EQ(st.state, SKSM_STATE_LINKED);
	CHECK_EQ(st.uid, 1000);
	CHECK_EQ(st.gid, 1000);
	CHECK_EQ(st.mode, 0640);
	CHECK_EQ(st.members, 2);
	CHECK_EQ(st.pages_shared, 100);
	CHECK_EQ(st.pages_sharing, 3000);
	CHECK_EQ(st.pages_unshared, 50);
	CHECK_EQ(st.pages_scanned, 4096);
	CHECK_EQ(st.pages_skipped, 16);
	CHECK_EQ(st.ksm_zero_pages, 2);
	CHECK_EQ(st.general_profit, 12345678);
	CHECK_EQ(st.merge_time_ns, 987654321);
	/* Linked: sysfs adds what fdinfo lacks */
	CHECK_EQ(st.use_zero_pages, 1);

	p.fd = 8;	/* unlinked, with a line of a later kernel */
	CHECK_EQ(sksm_stat(&p, &st), 0);
	CHECK_STR(st.name, "gone.1");
	CHECK_EQ(st.state, SKSM_STATE_UNLINKED);
	CHECK_EQ(st.general_profit, -512);
	CHECK_EQ(st.use_zero_pages, -1);

	p.fd = 9;	/* pages_sharing missing */
	CHECK_ERRNO(sksm_stat(&p, &st) == -1, EBADMSG);
	p.fd = 10;	/* no such fd */
	CHECK_ERRNO(sksm_stat(&p, &st) == -1, ENOENT);
}

static void test_process_stat(void)
{
	struct sksm_process_stats ps = { .size = sizeof(ps) };
	char dir[PATH_MAX * 2];

	kernel_with(NULL);
	CHECK_EQ(sksm_process_stat(1234, &ps), 0);
	CHECK_STR(ps.partition, "vm1");
	CHECK_EQ(ps.rmap_items, 4200);
	CHECK_EQ(ps.zero_pages, 2);
	CHECK_EQ(ps.merging_pages, 3000);
	CHECK_EQ(ps.process_profit, 11935744);
	CHECK_EQ(ps.merge_any, 0);
	CHECK_EQ(ps.mergeable, 1);

	/* 6.12's format, not a member */
	CHECK_EQ(sksm_process_stat(4321, &ps), 0);
	CHECK_STR(ps.partition, "");
	CHECK_EQ(ps.merging_pages, 0);
	CHECK_EQ(ps.merge_any, -1);
	CHECK_EQ(ps.mergeable, -1);

	/* A kernel thread: empty */
	CHECK_EQ(sksm_process_stat(5555, &ps), 0);
	CHECK_EQ(ps.rmap_items, 0);

	CHECK_ERRNO(sksm_process_stat(999999, &ps) == -1, ESRCH);
	CHECK_ERRNO(sksm_process_stat(0, &ps) == -1, EINVAL);
	snprintf(dir, sizeof(dir), "%s/7777", proc);
	mkdir(dir, 0755);
	CHECK_ERRNO(sksm_process_stat(7777, &ps) == -1, ENOSYS);
	put(dir, "ksm_stat", "ksm_merging_pages lots\n");
	CHECK_ERRNO(sksm_process_stat(7777, &ps) == -1, EBADMSG);
	put(dir, "ksm_stat", "ksm_partition ../../etc\n");
	CHECK_ERRNO(sksm_process_stat(7777, &ps) == -1, EBADMSG);
	put(dir, "ksm_stat", "ksm_mergeable: maybe\n");
	CHECK_ERRNO(sksm_process_stat(7777, &ps) == -1, EBADMSG);
}

static void test_list(void)
{
	char **names = NULL, dir[PATH_MAX * 2];
	int n;

	kernel_with(NULL);
	/* Not partitions: files, hidden or invalid names */
	snprintf(dir, sizeof(dir), "%s/.hidden", sysfs);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/bad name", sysfs);
	mkdir(dir, 0755);
	n = sksm_list(&names);
	CHECK_EQ(n, 2);
	if (n == 2) {
		CHECK_STR(names[0], "vm1");
		CHECK_STR(names[1], "vm2");
		CHECK(names[2] == NULL);
	}
	sksm_list_free(names);
	sksm_list_free(NULL);
	CHECK_ERRNO(sksm_list(NULL) == -1, EINVAL);
}

static void test_strerror(void)
{
	CHECK_STR(sksm_strerror(EBADF), "partition not opened for writing");
	CHECK_STR(sksm_strerror(EBUSY), "process belongs to another partition");
	CHECK_STR(sksm_strerror(EPERM),
		  "no permission to modify that process's memory");
	CHECK_STR(sksm_strerror_op(SKSM_OP_MERGE, EPERM),
		  "no permission to modify that process's memory");
	CHECK_STR(sksm_strerror_op(SKSM_OP_UNLINK, EPERM),
		  "only the partition's creator or CAP_SYS_ADMIN may remove it");
	CHECK_STR(sksm_strerror_op(SKSM_OP_OPEN, ENOENT), "no such partition");
	CHECK_STR(sksm_strerror_op(SKSM_OP_MERGE, ENOENT),
		  "the partition was removed");
	CHECK_STR(sksm_strerror_op(SKSM_OP_MERGE, ENOMEM),
		  "nothing mapped in that range");
	CHECK(sksm_strerror(E2BIG) == NULL);
	CHECK(sksm_strerror(0) == NULL);
	CHECK(sksm_strerror(-1) == NULL);
	CHECK(sksm_strerror_op(1000, EBUSY) != NULL);
}

/*
 * Since 1.2 the structs the caller allocates carry size and flags: 0 is
 * 1.2's size, a smaller one or an unknown flag is EINVAL, a larger walk
 * struct (a newer header) may only add zeros.
 */
static void test_struct_size_flags(void)
{
	struct sksm_stats st;
	struct sksm_global_stats g = { .flags = 1 };
	struct sksm_process_stats ps = { .size = 8 };
	struct {
		struct sksm_walk_opts o;
		char newer[16];
	} big = { .o.size = sizeof(big) };
	struct sksm_walk_opts o = { .size = sizeof(o) - 4 };
	struct sksm_partition *p;

	kernel_with(NULL);
	memset(&st, 0xff, sizeof(st));
	st.size = 0;
	st.flags = 0;
	CHECK_EQ(sksm_stat_name("vm1", &st), 0);
	CHECK_EQ(st.size, sizeof(st));
	CHECK_EQ(st.flags, 0);
	CHECK_EQ(st.pages_sharing, 3000);
	CHECK_EQ(st.reserved[0], 0);
	st.size = sizeof(st) - 8;
	CHECK_ERRNO(sksm_stat_name("vm1", &st) == -1, EINVAL);
	st.size = sizeof(st);
	st.flags = 1;
	CHECK_ERRNO(sksm_stat_name("vm1", &st) == -1, EINVAL);
	CHECK_ERRNO(sksm_stat_global(&g) == -1, EINVAL);
	CHECK_ERRNO(sksm_process_stat(1234, &ps) == -1, EINVAL);

	p = sksm_open("vm1", SKSM_RDWR, 0);
	CHECK(p != NULL);
	if (!p)
		return;
	fake_reset(NULL, 0, 0);
	CHECK_ERRNO(sksm_merge_process(p, 1234, &o) == -1, EINVAL);
	o = (struct sksm_walk_opts){ .flags = 0x2 };
	CHECK_ERRNO(sksm_merge_process(p, 1234, &o) == -1, EINVAL);
	CHECK_STR(fake.log, "");
	big.o.start = 0x7f0003000000UL;
	big.o.end = 0x7f0003001000UL;
	CHECK_EQ(sksm_merge_process(p, 1234, &big.o), 0);
	CHECK_STR(fake.log, "trigger_merge 1234 7f0003000000 7f0003001000\n");
	big.newer[15] = 1;
	CHECK_ERRNO(sksm_merge_process(p, 1234, &big.o) == -1, E2BIG);
	sksm_close(p);
}

/*
 * SKSM_PIDFD: a trigger file takes pids only, so the sysfs backend says
 * EOPNOTSUPP rather than merge a pid that may have been reused.
 */
static void test_pidfd_flag(void)
{
	struct sksm_walk_opts o = { .flags = SKSM_PIDFD };
	struct sksm_partition *p;
	char dir[PATH_MAX * 2];
	pid_t pid = 0;

	kernel_with(NULL);
	p = sksm_open("vm1", SKSM_RDWR, 0);
	CHECK(p != NULL);
	if (!p)
		return;
	fake_reset(NULL, 0, 0);
	CHECK_ERRNO(sksm_merge_range(p, 3, 0x7f0000000000UL, 4096,
				     SKSM_PIDFD) == -1, EOPNOTSUPP);
	CHECK_ERRNO(sksm_unmerge_range(p, 3, 0, 0, SKSM_PIDFD) == -1,
		    EOPNOTSUPP);
	CHECK_ERRNO(sksm_merge_range(p, 1234, 0x7f0000000000UL, 4096,
				     0x2) == -1, EINVAL);
	CHECK_ERRNO(sksm_merge_range(p, 0, 0x7f0000000000UL, 4096, 0) == -1,
		    EINVAL);
	CHECK_ERRNO(sksm_merge_process(p, 3, &o) == -1, EOPNOTSUPP);
	CHECK_STR(fake.log, "");
	CHECK_EQ(sksm_merge_range(p, 1234, 0x7f0000000000UL, 4096, 0), 0);
	CHECK_EQ(sksm_unmerge_range(p, 1234, 0x7f0000000000UL, 4096, 0), 0);
	CHECK_STR(fake.log, "trigger_merge 1234 7f0000000000 7f0000001000\n"
		  "trigger_unmerge 1234 7f0000000000 7f0000001000\n");
	sksm_close(p);

	/* A pidfd's process, from its fdinfo */
	snprintf(dir, sizeof(dir), "%s/self/fdinfo", proc);
	put(dir, "11", "pos:\t0\nflags:\t02000002\nPid:\t1234\n"
	    "NSpid:\t1234\n");
	put(dir, "12", "pos:\t0\nflags:\t02000002\nPid:\t-1\n");
	CHECK_EQ(sksm__pidfd_pid(11, &pid), 0);
	CHECK_EQ(pid, 1234);
	CHECK_EQ(sksm__pidfd_pid(12, &pid), -ESRCH);
	CHECK_EQ(sksm__pidfd_pid(7, &pid), -EINVAL);	/* a partition fd */
	CHECK_EQ(sksm__pidfd_pid(99, &pid), -EBADF);
	CHECK_EQ(sksm__pidfd_pid(-1, &pid), -EBADF);
}

#define T(name) { #name, test_##name }

static const struct tap_test tests[] = {
	T(parse_numbers), T(names), T(features_lines),
	T(backend_syscalls), T(backend_sysfs), T(backend_none),
	T(open_flags_and_names), T(sysfs_create_unlink),
	T(sysfs_merge_requests), T(merge_process_chunks),
	T(merge_errors_and_counts), T(unmerge_process), T(maps_lines), T(read_maps), T(stat_sysfs),
	T(stat_fdinfo), T(process_stat), T(list), T(strerror),
	T(struct_size_flags), T(pidfd_flag),
};

int main(int argc, char **argv)
{
	if (argc != 2 || strlen(argv[1]) > 1000) {
		fprintf(stderr, "usage: test-libsksm FIXTURES-COPY\n");
		return 2;
	}
	snprintf(sysfs, sizeof(sysfs), "%s/sysfs", argv[1]);
	snprintf(proc, sizeof(proc), "%s/proc", argv[1]);
	snprintf(stock, sizeof(stock), "%s/sysfs-stock", argv[1]);
	return tap_run(tests, SKSM_ARRAY_SIZE(tests));
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsksm internals: not installed. Internal functions return a negative
 * errno; the public ones turn that into -1 and errno at the boundary.
 */
#ifndef SKSM_INTERNAL_H
#define SKSM_INTERNAL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sksm.h"

/* The kernel's uapi header, where the build has it (the guest build does). */
#if defined(__has_include)
#if __has_include(<linux/ksm.h>)
#include <linux/ksm.h>
#endif
#endif

/*
 * Debian's linux-libc-dev does not carry these: our own copies, whose
 * values live in sksm.h. With the kernel's header, the asserts below make
 * any difference between the two a build error.
 */
#ifndef KSM_ACCMODE
#define KSM_ACCMODE	SKSM_ACCMODE
#endif
#ifndef KSM_CREAT
#define KSM_CREAT	SKSM_CREAT
#endif
#ifndef KSM_EXCL
#define KSM_EXCL	SKSM_EXCL
#endif
#ifndef KSM_SYNC
#define KSM_SYNC	SKSM_SYNC
#endif
#ifndef KSM_CLOEXEC
#define KSM_CLOEXEC	SKSM_CLOEXEC
#endif
#ifndef KSM_MERGE_PIDFD
#define KSM_MERGE_PIDFD	SKSM_PIDFD
#endif
#ifndef KSM_NAME_MAX
#define KSM_NAME_MAX	SKSM_NAME_MAX
#endif

_Static_assert(SKSM_ACCMODE == KSM_ACCMODE, "KSM_ACCMODE");
_Static_assert(SKSM_CREAT == KSM_CREAT, "KSM_CREAT");
_Static_assert(SKSM_EXCL == KSM_EXCL, "KSM_EXCL");
_Static_assert(SKSM_SYNC == KSM_SYNC, "KSM_SYNC");
_Static_assert(SKSM_CLOEXEC == KSM_CLOEXEC, "KSM_CLOEXEC");
_Static_assert(SKSM_NAME_MAX == KSM_NAME_MAX, "KSM_NAME_MAX");
_Static_assert(SKSM_PIDFD == KSM_MERGE_PIDFD, "KSM_MERGE_PIDFD");

#define SKSM_DEFAULT_SYSFS	"/sys/kernel/mm/ksm"
#define SKSM_DEFAULT_PROC	"/proc"
#define SKSM_DEFAULT_CHUNK	(8UL << 20)

#define SKSM_PATH_MAX		4096

struct sksm_partition {
	int fd;			/* the partition fd; -1 under sysfs */
	int backend;		/* enum sksm_backend */
	unsigned int accmode;	/* SKSM_RDONLY, SKSM_WRONLY or SKSM_RDWR */
	long nr_merge;		/* system call numbers (syscall backend) */
	long nr_unmerge;
	char *sysfs;		/* sysfs root it was opened under */
	char name[SKSM_NAME_MAX + 1];
};

/* What sksm__probe() found in the running kernel. */
struct sksm__kernel {
	int backend;
	long nr_open, nr_merge, nr_unmerge, nr_unlink;
};

/* The syscall numbers a features file advertises (-1: absent). */
struct sksm__features {
	int partitions, sync_merge;
	long nr_open, nr_merge, nr_unmerge, nr_unlink;
};

/* backend.c */
const char *sksm__sysfs_root(void);
const char *sksm__proc_root(void);
void sksm__parse_features_line(const char *line, struct sksm__features *f);
int sksm__probe(struct sksm__kernel *k);

/* util.c */
int sksm__path(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
ssize_t sksm__read_file(const char *path, char *buf, size_t size);
int sksm__write_file(const char *path, const char *buf, size_t len);
int sksm__read_lines(const char *path,
		     int (*fn)(char *line, size_t len, void *arg), void *arg);
int sksm__parse_u64(const char *s, int base, uint64_t *v);
int sksm__parse_s64(const char *s, int64_t *v);
int sksm__name_valid(const char *name);
void sksm__strip_newline(char *s);

/* Fields of a stats struct, read from sysfs files or "key value" lines. */
enum sksm__type {
	SKSM__U64, SKSM__S64, SKSM__ID, SKSM__MODE, SKSM__BOOL, SKSM__INT,
	SKSM__YESNO, SKSM__NAME, SKSM__STATE,
};

struct sksm__field {
	const char *key;
	unsigned char type;	/* enum sksm__type */
	unsigned char required;
	size_t off;		/* offsetof() in the struct */
};

int sksm__read_dir_fields(const char *dir, const struct sksm__field *fields,
			  size_t n, void *base);
int sksm__parse_kv_lines(const char *path, const struct sksm__field *fields,
			 size_t n, void *base);

/*
 * The functions whose structs changed in 1.2: the shared library exports
 * them only as compat.c's versioned symbols (1.0 and 1.2), the static
 * library as they are.
 */
#define SKSM_REVERSIONED	__attribute__((visibility("hidden")))

/* process.c */
struct sksm__range {
	unsigned long start, end;
};

int sksm__parse_maps_line(const char *line, struct sksm__range *r,
			  int *eligible);
int sksm__read_maps(pid_t pid, struct sksm__range **ranges, size_t *n);
int sksm__pidfd_pid(int pidfd, pid_t *pid);
long sksm__walk(struct sksm_partition *p, int merge, int pid,
		const struct sksm_walk_opts *o, long *pages);
int sksm__process_stat(pid_t pid, struct sksm_process_stats *st);

/* stat.c */
int sksm__stat(const struct sksm_partition *p, struct sksm_stats *st);
int sksm__stat_name(const char *name, struct sksm_stats *st);
int sksm__stat_global(struct sksm_global_stats *st);

/*
 * The size and flags a caller gave in a struct it allocated (since 1.2):
 * size 0 is 1.2's, smaller than 1.2's is EINVAL, and no flags are defined.
 */
static inline int sksm__out_struct(size_t size, unsigned int flags,
				   size_t known)
{
	return (size && size < known) || flags ? -EINVAL : 0;
}

/* partition.c */
long sksm__request(struct sksm_partition *p, int merge, int pid,
		   unsigned long addr, size_t len, unsigned int flags);

static inline long sksm__fail(long err)
{
	errno = (int)-err;
	return -1;
}

#define SKSM_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#endif /* SKSM_INTERNAL_H */

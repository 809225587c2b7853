/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsksm: Selective KSM partitions from user space.
 *
 * A partition is a named KSM merge domain; processes put into it have their
 * identical pages merged on request, in the caller's context, and never with
 * pages outside it. See libsksm(3).
 */
#ifndef SKSM_H
#define SKSM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The version this header describes; lib/Makefile takes the library's
 * version, its file names and libsksm.pc's from these two lines.
 * sksm_version() tells the version of the library loaded at run time.
 */
#define SKSM_VERSION_MAJOR	1
#define SKSM_VERSION_MINOR	2

/* Longest partition name: 1..63 of [A-Za-z0-9_.-], not starting with '.' */
#define SKSM_NAME_MAX		63

/*
 * sksm_open() flags: the values of the kernel's KSM_* flags (<linux/ksm.h>).
 * The access mode is one of O_RDONLY (statistics), O_WRONLY (merge and
 * unmerge) and O_RDWR (both).
 */
#define SKSM_RDONLY		0x0000
#define SKSM_WRONLY		0x0001
#define SKSM_RDWR		0x0002
#define SKSM_ACCMODE		0x0003
#define SKSM_CREAT		0x0004	/* create it if it does not exist */
#define SKSM_EXCL		0x0008	/* with SKSM_CREAT: EEXIST if it exists */
#define SKSM_SYNC		0x0010	/* merge on request; always set */
#define SKSM_CLOEXEC		0x0020	/* close-on-exec; always set */

/*
 * Flags of sksm_merge_range(), sksm_unmerge_range() and struct
 * sksm_walk_opts: the kernel's KSM_MERGE_* flags. With SKSM_PIDFD the pid
 * argument is a pidfd (pidfd_open(2)): the process it names cannot be
 * replaced by another that reuses its pid. Since 1.2.
 */
#define SKSM_PIDFD		0x0001

/* How the library reaches the kernel: sksm_probe(), sksm_backend() */
enum sksm_backend {
	SKSM_BACKEND_SYSCALLS = 1,	/* ksm_open(2) and friends */
	SKSM_BACKEND_SYSFS = 2,		/* /sys/kernel/mm/ksm, root only */
};

/* Whether a partition still has its name */
enum sksm_state {
	SKSM_STATE_UNKNOWN = 0,
	SKSM_STATE_LINKED,	/* named, in /sys/kernel/mm/ksm/NAME/ */
	SKSM_STATE_UNLINKED,	/* name removed, lives on while held */
	SKSM_STATE_REMOVED,	/* members released, merges fail */
};

/* What failed, for sksm_strerror_op() */
enum sksm_op {
	SKSM_OP_ANY = 0,
	SKSM_OP_OPEN,
	SKSM_OP_MERGE,
	SKSM_OP_UNMERGE,
	SKSM_OP_UNLINK,
	SKSM_OP_LIST,
	SKSM_OP_STAT,
};

/* Counters of one partition: sksm_stat(), sksm_stat_name() */
struct sksm_stats {
	uint32_t size;			/* sizeof(*st) or 0; out: bytes filled */
	uint32_t flags;			/* 0: none defined yet */
	char name[SKSM_NAME_MAX + 1];
	int state;			/* enum sksm_state */
	int use_zero_pages;		/* 0 or 1, -1 when unknown */
	uid_t uid;			/* creator; (uid_t)-1 when unknown */
	gid_t gid;			/* creator; (gid_t)-1 when unknown */
	mode_t mode;			/* permission bits; (mode_t)-1 unknown */
	uint64_t members;
	uint64_t pages_shared;
	uint64_t pages_sharing;
	uint64_t pages_unshared;
	uint64_t pages_scanned;
	uint64_t pages_skipped;
	uint64_t ksm_zero_pages;
	uint64_t merge_time_ns;
	int64_t general_profit;		/* bytes, may be negative */
	uint64_t reserved[8];
};

/* KSM as a whole (global KSM and every partition): sksm_stat_global() */
struct sksm_global_stats {
	uint32_t size;			/* sizeof(*st) or 0; out: bytes filled */
	uint32_t flags;			/* 0: none defined yet */
	int run;			/* /sys/kernel/mm/ksm/run */
	uint64_t pages_shared;
	uint64_t pages_sharing;
	uint64_t pages_unshared;
	uint64_t pages_volatile;
	uint64_t pages_scanned;
	uint64_t pages_skipped;
	uint64_t ksm_zero_pages;
	uint64_t full_scans;
	int64_t general_profit;
	uint64_t reserved[8];
};

/* KSM state of one process: sksm_process_stat() */
struct sksm_process_stats {
	uint32_t size;			/* sizeof(*st) or 0; out: bytes filled */
	uint32_t flags;			/* 0: none defined yet */
	char partition[SKSM_NAME_MAX + 1];	/* "" when not a member */
	uint64_t rmap_items;
	uint64_t merging_pages;
	int64_t zero_pages;
	int64_t process_profit;		/* bytes, may be negative */
	int merge_any;			/* 0, 1, -1 when unknown */
	int mergeable;			/* 0, 1, -1 when unknown */
	uint64_t reserved[8];
};

/*
 * Since 1.2 every structure the caller allocates starts with its size and
 * flags, so that later versions can grow it: set size to sizeof(*st) (or
 * leave it 0, which means the size of 1.2) and flags to 0. Programs built
 * with 1.0 or 1.1 keep their layouts through versioned symbols.
 */

/*
 * Called after each chunk of sksm_merge_process() and
 * sksm_unmerge_process(): bytes done of total, pages (un)merged so far.
 * A non-zero return stops the walk, which then fails with ECANCELED.
 */
typedef int (*sksm_progress_fn)(uint64_t done, uint64_t total, long pages,
				void *arg);

struct sksm_walk_opts {
	uint32_t size;			/* sizeof(opts) or 0 */
	uint32_t flags;			/* SKSM_PIDFD or 0 */
	size_t chunk;			/* bytes per request; 0: 8 MiB */
	sksm_progress_fn progress;	/* may be NULL */
	void *arg;			/* passed to progress */
	unsigned long start, end;	/* end != 0: only [start, end) */
};

struct sksm_partition;

int sksm_probe(void);
struct sksm_partition *sksm_open(const char *name, unsigned int flags,
				 mode_t mode);
void sksm_close(struct sksm_partition *p);
int sksm_fd(const struct sksm_partition *p);
const char *sksm_name(const struct sksm_partition *p);
int sksm_backend(const struct sksm_partition *p);

long sksm_merge(struct sksm_partition *p, pid_t pid, unsigned long addr,
		size_t len);
long sksm_unmerge(struct sksm_partition *p, pid_t pid, unsigned long addr,
		  size_t len);
long sksm_merge_process(struct sksm_partition *p, pid_t pid,
			const struct sksm_walk_opts *opts);
long sksm_unmerge_process(struct sksm_partition *p, pid_t pid,
			  const struct sksm_walk_opts *opts);

int sksm_unlink(const char *name);
int sksm_list(char ***names);
void sksm_list_free(char **names);

int sksm_stat(const struct sksm_partition *p, struct sksm_stats *st);
int sksm_stat_name(const char *name, struct sksm_stats *st);
int sksm_stat_global(struct sksm_global_stats *st);
int sksm_process_stat(pid_t pid, struct sksm_process_stats *st);

const char *sksm_strerror(int errnum);
const char *sksm_strerror_op(int op, int errnum);

/* Since 1.1 */
const char *sksm_version(void);
const char *sksm_state_name(int state);

/* Since 1.2 */
long sksm_merge_range(struct sksm_partition *p, int pid, unsigned long addr,
		      size_t len, unsigned int flags);
long sksm_unmerge_range(struct sksm_partition *p, int pid, unsigned long addr,
			size_t len, unsigned int flags);

#ifdef __cplusplus
}
#endif

#endif /* SKSM_H */

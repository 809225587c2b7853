// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Counters: of a partition (its sysfs directory, or the fdinfo of its fd,
 * which still answers once the name is gone), of KSM as a whole, and the
 * list of partitions.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define SF(key, type, required, field) \
	{ key, type, required, offsetof(struct sksm_stats, field) }

/* Named alike in a partition's sysfs directory and in its fdinfo */
#define SKSM_COUNTERS \
	SF("pages_shared", SKSM__U64, 1, pages_shared), \
	SF("pages_sharing", SKSM__U64, 1, pages_sharing), \
	SF("pages_unshared", SKSM__U64, 1, pages_unshared), \
	SF("pages_scanned", SKSM__U64, 1, pages_scanned), \
	SF("pages_skipped", SKSM__U64, 1, pages_skipped), \
	SF("ksm_zero_pages", SKSM__U64, 1, ksm_zero_pages), \
	SF("general_profit", SKSM__S64, 1, general_profit), \
	SF("members", SKSM__U64, 1, members), \
	SF("merge_time_ns", SKSM__U64, 1, merge_time_ns), \
	SF("uid", SKSM__ID, 0, uid), \
	SF("gid", SKSM__ID, 0, gid), \
	SF("mode", SKSM__MODE, 0, mode)

static const struct sksm__field sysfs_fields[] = {
	SKSM_COUNTERS,
	SF("use_zero_pages", SKSM__BOOL, 0, use_zero_pages),
};

static const struct sksm__field fdinfo_fields[] = {
	SF("ksm_partition", SKSM__NAME, 1, name),
	SF("state", SKSM__STATE, 1, state),
	SKSM_COUNTERS,
};

static const struct sksm__field zero_pages_field[] = {
	SF("use_zero_pages", SKSM__BOOL, 0, use_zero_pages),
};

#define GF(key, type, field) \
	{ key, type, 1, offsetof(struct sksm_global_stats, field) }

static const struct sksm__field global_fields[] = {
	GF("run", SKSM__INT, run),
	GF("pages_shared", SKSM__U64, pages_shared),
	GF("pages_sharing", SKSM__U64, pages_sharing),
	GF("pages_unshared", SKSM__U64, pages_unshared),
	GF("pages_volatile", SKSM__U64, pages_volatile),
	GF("pages_scanned", SKSM__U64, pages_scanned),
	GF("pages_skipped", SKSM__U64, pages_skipped),
	GF("ksm_zero_pages", SKSM__U64, ksm_zero_pages),
	GF("full_scans", SKSM__U64, full_scans),
	GF("general_profit", SKSM__S64, general_profit),
};

static void stats_init(struct sksm_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->state = SKSM_STATE_UNKNOWN;
	st->use_zero_pages = -1;
	st->uid = (uid_t)-1;
	st->gid = (gid_t)-1;
	st->mode = (mode_t)-1;
}

static int stat_dir(const char *root, const char *name,
		    struct sksm_stats *st)
{
	char path[SKSM_PATH_MAX];
	int err;

	stats_init(st);
	if (!strcmp(name, "control"))
		return -ENOENT;
	err = sksm__path(path, sizeof(path), "%s/%s", root, name);
	if (!err)
		err = sksm__read_dir_fields(path, sysfs_fields,
					    SKSM_ARRAY_SIZE(sysfs_fields), st);
	if (err == -ENOTDIR)	/* a file of the KSM directory, as "run" */
		err = -ENOENT;
	if (err)
		return err;
	strcpy(st->name, name);		/* checked by the callers */
	st->state = SKSM_STATE_LINKED;
	return 0;
}

int sksm__stat_name(const char *name, struct sksm_stats *st)
{
	struct sksm__kernel k;
	int err;

	err = sksm__name_valid(name);
	if (!err)
		err = stat_dir(sksm__sysfs_root(), name, st);
	/* No such partition, or no partitions at all? */
	if (err == -ENOENT && sksm__probe(&k) == -ENOSYS)
		err = -ENOSYS;
	return err;
}

SKSM_REVERSIONED
int sksm_stat_name(const char *name, struct sksm_stats *st)
{
	int err;

	if (!name || !st)
		return (int)sksm__fail(-EINVAL);
	err = sksm__out_struct(st->size, st->flags, sizeof(*st));
	if (!err)
		err = sksm__stat_name(name, st);
	return err ? (int)sksm__fail(err) : 0;
}

static int stat_fd(const struct sksm_partition *p, struct sksm_stats *st)
{
	char path[SKSM_PATH_MAX];
	int err;

	stats_init(st);
	err = sksm__path(path, sizeof(path), "%s/self/fdinfo/%d",
			 sksm__proc_root(), p->fd);
	if (!err)
		err = sksm__parse_kv_lines(path, fdinfo_fields,
					   SKSM_ARRAY_SIZE(fdinfo_fields), st);
	if (err < 0)
		return err;
	/* Not in fdinfo; while it has its name, sysfs tells */
	if (st->state == SKSM_STATE_LINKED &&
	    !sksm__path(path, sizeof(path), "%s/%s", sksm__sysfs_root(),
			st->name))
		sksm__read_dir_fields(path, zero_pages_field, 1, st);
	return 0;
}

int sksm__stat(const struct sksm_partition *p, struct sksm_stats *st)
{
	if (p->backend == SKSM_BACKEND_SYSFS)
		return stat_dir(p->sysfs, p->name, st);
	return stat_fd(p, st);
}

SKSM_REVERSIONED
int sksm_stat(const struct sksm_partition *p, struct sksm_stats *st)
{
	int err;

	if (!p || !st)
		return (int)sksm__fail(-EINVAL);
	err = sksm__out_struct(st->size, st->flags, sizeof(*st));
	if (!err)
		err = sksm__stat(p, st);
	return err ? (int)sksm__fail(err) : 0;
}

int sksm__stat_global(struct sksm_global_stats *st)
{
	int err;

	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	err = sksm__read_dir_fields(sksm__sysfs_root(), global_fields,
				    SKSM_ARRAY_SIZE(global_fields), st);
	/* No /sys/kernel/mm/ksm: no KSM at all; else a counter is missing */
	if (err == -ENOENT && access(sksm__sysfs_root(), F_OK))
		err = -ENOSYS;
	return err;
}

SKSM_REVERSIONED
int sksm_stat_global(struct sksm_global_stats *st)
{
	int err;

	if (!st)
		return (int)sksm__fail(-EINVAL);
	err = sksm__out_struct(st->size, st->flags, sizeof(*st));
	if (!err)
		err = sksm__stat_global(st);
	return err ? (int)sksm__fail(err) : 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_dir(DIR *dir, const struct dirent *de)
{
	struct stat st;

	if (de->d_type != DT_UNKNOWN)
		return de->d_type == DT_DIR;
	return !fstatat(dirfd(dir), de->d_name, &st, 0) && S_ISDIR(st.st_mode);
}

static int list_dir(const char *root, char ***namesp)
{
	char **names = NULL, **grown;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	int fd, err = 0;
	DIR *dir;

	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		err = -errno;
		close(fd);
		return err;
	}
	for (;;) {
		errno = 0;
		de = readdir(dir);
		if (!de) {
			err = -errno;
			break;
		}
		/* Only what could be a partition name: not ".", "..", junk */
		if (sksm__name_valid(de->d_name) ||
		    !strcmp(de->d_name, "control") || !is_dir(dir, de))
			continue;
		if (n + 1 >= cap) {
			cap = cap ? cap * 2 : 16;
			grown = reallocarray(names, cap, sizeof(*names));
			if (!grown) {
				err = -ENOMEM;
				break;
			}
			names = grown;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			err = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(dir);
	if (!err && !names) {
		names = calloc(1, sizeof(*names));
		if (!names)
			err = -ENOMEM;
	}
	if (err) {
		for (i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return err;
	}
	qsort(names, n, sizeof(*names), cmp_names);
	names[n] = NULL;
	*namesp = names;
	return (int)n;
}

int sksm_list(char ***names)
{
	struct sksm__kernel k;
	int ret;

	if (!names)
		return (int)sksm__fail(-EINVAL);
	ret = sksm__probe(&k);
	if (!ret)
		ret = list_dir(sksm__sysfs_root(), names);
	return ret < 0 ? (int)sksm__fail(ret) : ret;
}

void sksm_list_free(char **names)
{
	char **n;

	if (!names)
		return;
	for (n = names; *n; n++)
		free(*n);
	free(names);
}

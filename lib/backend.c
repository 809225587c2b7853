// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Which interface the running kernel offers: the system calls when
 * control/features advertises them, else the sysfs files, else nothing.
 * Probed on every sksm_open(), sksm_unlink() and sksm_list(): a small file,
 * and no cache means no global state.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/*
 * Tests point these at fake trees. secure_getenv(): a set-user-ID program
 * must not be steered to another sysfs by its caller's environment.
 */
static const char *root_from_env(const char *var, const char *fallback)
{
	const char *root = secure_getenv(var);

	return root && *root ? root : fallback;
}

const char *sksm__sysfs_root(void)
{
	return root_from_env("SKSM_SYSFS_ROOT", SKSM_DEFAULT_SYSFS);
}

const char *sksm__proc_root(void)
{
	return root_from_env("SKSM_PROC_ROOT", SKSM_DEFAULT_PROC);
}

/*
 * One line of control/features: "NAME" or "NAME NUMBER". Lines we do not
 * know, and known ones we cannot read, are ignored: a later kernel may add
 * features, and a syscall number we cannot trust is one we must not call.
 */
void sksm__parse_features_line(const char *line, struct sksm__features *f)
{
	static const struct {
		const char *name;
		size_t off;
	} calls[] = {
		{ "ksm_open", offsetof(struct sksm__features, nr_open) },
		{ "ksm_merge", offsetof(struct sksm__features, nr_merge) },
		{ "ksm_unmerge", offsetof(struct sksm__features, nr_unmerge) },
		{ "ksm_unlink", offsetof(struct sksm__features, nr_unlink) },
	};
	size_t len = strcspn(line, " "), i;
	const char *arg = line + len;
	uint64_t nr;

	if (!*arg) {
		if (!strcmp(line, "partitions"))
			f->partitions = 1;
		else if (!strcmp(line, "sync_merge"))
			f->sync_merge = 1;
		return;
	}
	arg++;
	for (i = 0; i < SKSM_ARRAY_SIZE(calls); i++) {
		if (strlen(calls[i].name) != len ||
		    strncmp(calls[i].name, line, len))
			continue;
		/* Syscall numbers are small; anything else is garbage */
		if (sksm__parse_u64(arg, 10, &nr) || nr > 100000)
			return;
		*(long *)((char *)f + calls[i].off) = (long)nr;
	}
}

static int features_line(char *line, size_t len, void *arg)
{
	(void)len;
	sksm__parse_features_line(line, arg);
	return 0;
}

int sksm__probe(struct sksm__kernel *k)
{
	struct sksm__features f = {
		.nr_open = -1, .nr_merge = -1, .nr_unmerge = -1,
		.nr_unlink = -1,
	};
	const char *root = sksm__sysfs_root();
	char path[SKSM_PATH_MAX];
	int err;

	memset(k, 0, sizeof(*k));
	err = sksm__path(path, sizeof(path), "%s/control/features", root);
	if (err)
		return err;
	/* No features file (an older series) is no syscalls, not an error */
	if (sksm__read_lines(path, features_line, &f))
		f.nr_open = -1;

	/*
	 * Every open passes KSM_SYNC, so sync_merge is needed too. The numbers
	 * are the native 64-bit ABI's: unusable from a 32-bit build.
	 */
#if defined(__LP64__)
	if (f.partitions && f.sync_merge && f.nr_open >= 0 &&
	    f.nr_merge >= 0 && f.nr_unmerge >= 0 && f.nr_unlink >= 0) {
		k->backend = SKSM_BACKEND_SYSCALLS;
		k->nr_open = f.nr_open;
		k->nr_merge = f.nr_merge;
		k->nr_unmerge = f.nr_unmerge;
		k->nr_unlink = f.nr_unlink;
		return 0;
	}
#endif
	err = sksm__path(path, sizeof(path), "%s/control/add_partition",
			 root);
	if (err)
		return err;
	if (access(path, F_OK))
		return -ENOSYS;
	k->backend = SKSM_BACKEND_SYSFS;
	return 0;
}

int sksm_probe(void)
{
	struct sksm__kernel k;
	int err = sksm__probe(&k);

	return err ? (int)sksm__fail(err) : k.backend;
}

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What an errno means for this API, where it means more than strerror(3)
 * says. Constant strings only: safe from any thread.
 */
#include <stddef.h>

#include "internal.h"

static const struct {
	int op;
	int errnum;
	const char *text;
} explanations[] = {
	/* Whatever the operation */
	{ SKSM_OP_ANY, ENOSYS, "the running kernel lacks the Selective KSM series" },
	{ SKSM_OP_ANY, EBADF, "partition not opened for writing" },
	{ SKSM_OP_ANY, EBUSY, "process belongs to another partition" },
	{ SKSM_OP_ANY, EPERM, "no permission to modify that process's memory" },
	{ SKSM_OP_ANY, EACCES, "the partition's mode does not allow this access, or the sysfs interface needs root" },
	{ SKSM_OP_ANY, ENOENT, "no such partition, or it was removed" },
	{ SKSM_OP_ANY, EEXIST, "a partition of that name exists" },
	{ SKSM_OP_ANY, ENAMETOOLONG, "partition name longer than 63 characters" },
	{ SKSM_OP_ANY, EINVAL, "invalid name, flags or range, or the process is not a member of the partition" },
	{ SKSM_OP_ANY, ENOSPC, "too many partitions created by unprivileged users (max_partitions)" },
	{ SKSM_OP_ANY, EINTR, "interrupted by a fatal signal; what was merged stays merged" },
	{ SKSM_OP_ANY, EBADMSG, "unexpected content in a sysfs or /proc file" },
	{ SKSM_OP_ANY, ENOMEM, "nothing mapped in that range, or out of memory" },

	{ SKSM_OP_OPEN, EACCES, "the partition's mode does not allow this access" },
	{ SKSM_OP_OPEN, ENOENT, "no such partition" },
	{ SKSM_OP_OPEN, EINVAL, "invalid partition name (1 to 63 of A-Z a-z 0-9 _ . -, no leading '.') or flags" },
	{ SKSM_OP_OPEN, ENOMEM, "out of memory" },
	{ SKSM_OP_MERGE, EINVAL, "invalid range: the address must be page aligned and the size not zero" },
	{ SKSM_OP_MERGE, ENOENT, "the partition was removed" },
	{ SKSM_OP_MERGE, ENOMEM, "nothing mapped in that range" },
	{ SKSM_OP_UNMERGE, EINVAL, "the process is not a member of this partition, or the range is invalid" },
	{ SKSM_OP_UNMERGE, ENOENT, "the partition was removed" },
	{ SKSM_OP_UNMERGE, ENOMEM, "out of memory for the private copies" },
	{ SKSM_OP_UNLINK, EPERM, "only the partition's creator or CAP_SYS_ADMIN may remove it" },
	{ SKSM_OP_UNLINK, EACCES, "removing a partition through sysfs needs root" },
	{ SKSM_OP_UNLINK, ENOENT, "no such partition" },
	{ SKSM_OP_UNLINK, EINVAL, "invalid partition name" },
	{ SKSM_OP_STAT, ENOENT, "no such partition" },
	{ SKSM_OP_STAT, EINVAL, "invalid partition name" },
	{ SKSM_OP_STAT, EPERM, "no permission to read that process's KSM state" },
};

const char *sksm_strerror_op(int op, int errnum)
{
	const char *any = NULL;
	size_t i;

	for (i = 0; i < SKSM_ARRAY_SIZE(explanations); i++) {
		if (explanations[i].errnum != errnum)
			continue;
		if (explanations[i].op == op)
			return explanations[i].text;
		if (explanations[i].op == SKSM_OP_ANY)
			any = explanations[i].text;
	}
	return any;
}

const char *sksm_strerror(int errnum)
{
	return sksm_strerror_op(SKSM_OP_ANY, errnum);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * ksm-enosys: on a kernel built without CONFIG_KSM, each of the KSM
 * partition system calls must fail with ENOSYS. Prints one line a call and
 * exits 0 only if all four did.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/ksm.h>

int main(void)
{
	static const struct { const char *name; long nr; } calls[] = {
		{ "ksm_open", __NR_ksm_open },
		{ "ksm_merge", __NR_ksm_merge },
		{ "ksm_unmerge", __NR_ksm_unmerge },
		{ "ksm_unlink", __NR_ksm_unlink },
	};
	unsigned int i;
	int bad = 0;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		long ret;

		errno = 0;
		/* arguments that would be valid on a kernel with KSM */
		if (calls[i].nr == __NR_ksm_open)
			ret = syscall(calls[i].nr, "enosys", KSM_CREAT | KSM_SYNC |
				      2, 0600);
		else if (calls[i].nr == __NR_ksm_unlink)
			ret = syscall(calls[i].nr, "enosys");
		else
			ret = syscall(calls[i].nr, 0, getpid(), 0, 4096, 0);
		printf("%s (%ld): %ld, %s\n", calls[i].name, calls[i].nr, ret,
		       ret < 0 ? strerror(errno) : "no error");
		bad |= !(ret == -1 && errno == ENOSYS);
	}
	return bad;
}

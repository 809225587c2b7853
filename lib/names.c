// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Names the library gives at run time: its own version, and the states of
 * a partition. Constant strings only: safe from any thread.
 */
#include "internal.h"

#define STR(x)		#x
#define VERSION_STR(major, minor)	STR(major) "." STR(minor)

/* The version of the library loaded, which may be newer than the header */
const char *sksm_version(void)
{
	return VERSION_STR(SKSM_VERSION_MAJOR, SKSM_VERSION_MINOR);
}

/* "linked", "unlinked", "removed"; NULL for SKSM_STATE_UNKNOWN and others */
const char *sksm_state_name(int state)
{
	static const char *const names[] = {
		[SKSM_STATE_LINKED] = "linked",
		[SKSM_STATE_UNLINKED] = "unlinked",
		[SKSM_STATE_REMOVED] = "removed",
	};

	if (state <= SKSM_STATE_UNKNOWN || state > SKSM_STATE_REMOVED)
		return NULL;
	return names[state];
}

// SPDX-License-Identifier: GPL-2.0
/*
 * ksmctl's values: a PID, an octal mode, "START-END" as /proc/PID/maps
 * writes ranges (hex, "0x" optional). Strict: strtoul() alone would take
 * " 12", "-1" and "12abc".
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* strtoul() over the whole of @s, which holds nothing but digits. */
static int whole_number(const char *s, int base, unsigned long max,
			unsigned long *v)
{
	const char *digits = base == 16 ? "0123456789abcdefABCDEF" :
			     base == 8 ? "01234567" : "0123456789";

	if (!*s || strspn(s, digits) != strlen(s))
		return -1;
	errno = 0;
	*v = strtoul(s, NULL, base);
	return errno || *v > max ? -1 : 0;
}

int parse_pid(const char *s, pid_t *pid)
{
	unsigned long v;

	if (whole_number(s, 10, INT_MAX, &v) || !v)
		return -1;
	*pid = (pid_t)v;
	return 0;
}

/* Permission bits as chmod(1) takes them in octal: "600", "0640". */
int parse_mode(const char *s, mode_t *mode)
{
	unsigned long v;

	if (whole_number(s, 8, 0777, &v))
		return -1;
	*mode = (mode_t)v;
	return 0;
}

int parse_address(const char *s, unsigned long *addr)
{
	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))
		s += 2;
	return whole_number(s, 16, ULONG_MAX, addr);
}

int parse_range(const char *s, unsigned long *start, unsigned long *end)
{
	const char *dash = strchr(s, '-');
	char first[32];

	if (!dash || (size_t)(dash - s) >= sizeof(first))
		return -1;
	memcpy(first, s, dash - s);
	first[dash - s] = '\0';
	if (parse_address(first, start) || parse_address(dash + 1, end) ||
	    *end <= *start)
		return -1;
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0 */
/* Command-line values of ksmctl; each returns 0, or -1 for bad input. */
#ifndef KSMCTL_PARSE_H
#define KSMCTL_PARSE_H

#include <sys/types.h>

int parse_pid(const char *s, pid_t *pid);
int parse_mode(const char *s, mode_t *mode);
int parse_address(const char *s, unsigned long *addr);
int parse_range(const char *s, unsigned long *start, unsigned long *end);

#endif

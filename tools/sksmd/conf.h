/* SPDX-License-Identifier: GPL-2.0 */
/* sksmd.conf: see sksmd.conf(5) */
#ifndef SKSMD_CONF_H
#define SKSMD_CONF_H

#include <stddef.h>
#include <sys/types.h>

#include "sksm.h"

/* Where cgroup v2 is mounted; cgroup paths in the file are below it */
#define CGROUP_ROOT	"/sys/fs/cgroup"

struct sksmd_partition {
	char name[SKSM_NAME_MAX + 1];
	mode_t mode;
	char **cgroups;		/* paths below the cgroup2 root, "/a/b" */
	size_t nr_cgroups;
	char **processes;	/* fnmatch(3) patterns of command lines */
	size_t nr_processes;
};

struct sksmd_conf {
	unsigned int interval;		/* seconds; 0: no periodic pass */
	char psi[64];			/* "some 150000 1000000", or "" */
	int mem_available_below;	/* percent of MemTotal; -1: always */
	unsigned int rescan_every;	/* passes; 0: never merge unchanged */
	struct sksmd_partition *partitions;
	size_t nr_partitions;
};

/*
 * Read a configuration file. Returns 0, or -1 with a message naming the
 * file and line in @err.
 */
int sksmd_conf_load(const char *path, struct sksmd_conf *conf, char *err,
		    size_t errlen);
void sksmd_conf_free(struct sksmd_conf *conf);

#endif

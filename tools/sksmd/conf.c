// SPDX-License-Identifier: GPL-2.0
/*
 * sksmd.conf parser: "key = value" lines, global ones first, then one
 * "[partition NAME]" section per partition. See sksmd.conf(5).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

struct parser {
	const char *path;
	unsigned int line;
	char *err;
	size_t errlen;
};

static int fail(struct parser *ps, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ps->line)
		snprintf(ps->err, ps->errlen, "%s:%u: %s", ps->path, ps->line,
			 msg);
	else
		snprintf(ps->err, ps->errlen, "%s: %s", ps->path, msg);
	return -1;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno || *end || *v > max ? -1 : 0;
}

/* A partition name as the kernel takes it: 1..63 of [A-Za-z0-9_.-] */
static int valid_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > SKSM_NAME_MAX || s[0] == '.')
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789_.-") == n;
}

static int push(char ***v, size_t *n, const char *s)
{
	char **grown = reallocarray(*v, *n + 1, sizeof(**v));

	if (!grown)
		return -1;
	*v = grown;
	grown[*n] = strdup(s);
	if (!grown[*n])
		return -1;
	(*n)++;
	return 0;
}

static int global_key(struct parser *ps, struct sksmd_conf *c,
		      const char *key, const char *val)
{
	unsigned long v, stall, window;
	char kind[8], tail;

	if (!strcmp(key, "interval")) {
		if (parse_uint(val, 86400 * 365, &v))
			return fail(ps, "interval: seconds expected, got '%s'",
				    val);
		c->interval = v;
	} else if (!strcmp(key, "rescan_every")) {
		if (parse_uint(val, 1000000, &v))
			return fail(ps, "rescan_every: a number of passes "
				    "expected, got '%s'", val);
		c->rescan_every = v;
	} else if (!strcmp(key, "mem_available_below")) {
		char num[16];
		size_t n = strlen(val);

		if (n < 2 || n >= sizeof(num) || val[n - 1] != '%')
			return fail(ps, "mem_available_below: a percentage "
				    "such as 20%% expected, got '%s'", val);
		memcpy(num, val, n - 1);
		num[n - 1] = '\0';
		if (parse_uint(num, 100, &v))
			return fail(ps, "mem_available_below: 0%% to 100%%, "
				    "got '%s'", val);
		c->mem_available_below = v;
	} else if (!strcmp(key, "psi")) {
		/* The kernel's trigger syntax: some|full STALL_US WINDOW_US */
		if (sscanf(val, "%7s %lu %lu %c", kind, &stall, &window,
			   &tail) != 3 ||
		    (strcmp(kind, "some") && strcmp(kind, "full")) ||
		    !stall || stall > window)
			return fail(ps, "psi: 'some|full STALL_US WINDOW_US' "
				    "expected, got '%s'", val);
		snprintf(c->psi, sizeof(c->psi), "%s %lu %lu", kind, stall,
			 window);
	} else {
		return fail(ps, "unknown setting '%s'", key);
	}
	return 0;
}

/* A path component "..": the path could leave the subtree it names */
static int has_dotdot(const char *path)
{
	for (const char *s = path; (s = strstr(s, "..")); s += 2)
		if ((s == path || s[-1] == '/') && (s[2] == '\0' || s[2] == '/'))
			return 1;
	return 0;
}

static int partition_key(struct parser *ps, struct sksmd_partition *p,
			 const char *key, const char *val)
{
	unsigned long v;
	char *end;

	if (!strcmp(key, "cgroup")) {
		const char *rel = val;
		char norm[4096];
		size_t n;

		/* Below the cgroup2 root, as /proc/PID/cgroup names it */
		if (!strncmp(rel, CGROUP_ROOT "/", strlen(CGROUP_ROOT) + 1))
			rel += strlen(CGROUP_ROOT);
		n = strlen(rel);
		if (rel[0] != '/' || has_dotdot(rel) || n >= sizeof(norm))
			return fail(ps, "cgroup: an absolute path without '..' "
				    "expected, got '%s'", val);
		strcpy(norm, rel);
		while (n > 1 && norm[n - 1] == '/')
			norm[--n] = '\0';
		if (push(&p->cgroups, &p->nr_cgroups, norm))
			return fail(ps, "out of memory");
	} else if (!strcmp(key, "process")) {
		if (!*val)
			return fail(ps, "process: a pattern expected");
		if (push(&p->processes, &p->nr_processes, val))
			return fail(ps, "out of memory");
	} else if (!strcmp(key, "mode")) {
		errno = 0;
		v = strtoul(val, &end, 8);
		if (!*val || *end || errno || v > 0777)
			return fail(ps, "mode: octal permission bits such as "
				    "0600 expected, got '%s'", val);
		p->mode = v;
	} else {
		return fail(ps, "unknown partition setting '%s'", key);
	}
	return 0;
}

static int check_partition(struct parser *ps, const struct sksmd_partition *p)
{
	if (!p->nr_cgroups && !p->nr_processes)
		return fail(ps, "partition %s: no cgroup and no process: it "
			    "would have no members", p->name);
	return 0;
}

int sksmd_conf_load(const char *path, struct sksmd_conf *conf, char *err,
		    size_t errlen)
{
	struct parser ps = { .path = path, .err = err, .errlen = errlen };
	struct sksmd_conf c = { .interval = 60, .mem_available_below = -1,
				.rescan_every = 10 };
	struct sksmd_partition *cur = NULL;
	char *buf = NULL;
	size_t cap = 0;
	FILE *f;
	int ret = -1;

	f = fopen(path, "re");
	if (!f) {
		fail(&ps, "%s", strerror(errno));
		return -1;
	}
	while (getline(&buf, &cap, f) >= 0) {
		char *s, *eq, *key, *val;

		ps.line++;
		s = strchr(buf, '#');
		if (s)
			*s = '\0';
		s = trim(buf);
		if (!*s)
			continue;
		if (*s == '[') {
			struct sksmd_partition *grown;
			char name[128];
			size_t i;

			if (cur && check_partition(&ps, cur))
				goto out;
			if (sscanf(s, "[partition %127[^] ]] %c", name,
				   name) != 1 || s[strlen(s) - 1] != ']')
				goto bad_section;
			if (!valid_name(name)) {
				fail(&ps, "bad partition name '%s': 1 to %d "
				     "of A-Z a-z 0-9 _ . -, not starting "
				     "with '.'", name, SKSM_NAME_MAX);
				goto out;
			}
			for (i = 0; i < c.nr_partitions; i++)
				if (!strcmp(c.partitions[i].name, name)) {
					fail(&ps, "partition %s twice", name);
					goto out;
				}
			grown = reallocarray(c.partitions, c.nr_partitions + 1,
					     sizeof(*grown));
			if (!grown) {
				fail(&ps, "out of memory");
				goto out;
			}
			c.partitions = grown;
			cur = &grown[c.nr_partitions++];
			memset(cur, 0, sizeof(*cur));
			strcpy(cur->name, name);
			cur->mode = 0600;
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			fail(&ps, "'key = value' expected");
			goto out;
		}
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		if (cur ? partition_key(&ps, cur, key, val) :
			  global_key(&ps, &c, key, val))
			goto out;
	}
	ps.line = 0;
	if (cur && check_partition(&ps, cur))
		goto out;
	if (!c.nr_partitions) {
		fail(&ps, "no [partition NAME] section");
		goto out;
	}
	*conf = c;
	memset(&c, 0, sizeof(c));
	ret = 0;
	goto out;
bad_section:
	fail(&ps, "'[partition NAME]' expected");
out:
	free(buf);
	fclose(f);
	sksmd_conf_free(&c);
	return ret;
}

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void sksmd_conf_free(struct sksmd_conf *c)
{
	for (size_t i = 0; i < c->nr_partitions; i++) {
		free_strings(c->partitions[i].cgroups,
			     c->partitions[i].nr_cgroups);
		free_strings(c->partitions[i].processes,
			     c->partitions[i].nr_processes);
	}
	free(c->partitions);
	memset(c, 0, sizeof(*c));
}

// SPDX-License-Identifier: GPL-2.0
/*
 * ksmctl: create and remove Selective KSM partitions, merge and unmerge the
 * memory of processes in them, show their counters. See ksmctl(8).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <libsmartcols.h>
#include <sksm.h>

#include "estimate.h"
#include "json.h"
#include "parse.h"
#include "targets.h"

/* Exit status, as ksmctl(8) documents it */
#define EXIT_USAGE		2
#define EXIT_NO_KERNEL		3
#define EXIT_INTERRUPTED	130

#define MIB(bytes)		((double)(bytes) / (1 << 20))

enum {
	OPT_MODE = 1 << 0,
	OPT_EXCLUSIVE = 1 << 1,
	OPT_JSON = 1 << 2,
	OPT_PID = 1 << 3,
	OPT_RANGE = 1 << 4,
	OPT_ALL = 1 << 5,
	OPT_PROMETHEUS = 1 << 6,
	OPT_CGROUP = 1 << 7,
};

static const struct option long_options[] = {
	{ "mode", required_argument, NULL, 'm' },
	{ "exclusive", no_argument, NULL, 'x' },
	{ "json", no_argument, NULL, 'J' },
	{ "pid", required_argument, NULL, 'p' },
	{ "range", required_argument, NULL, 'r' },
	{ "all", no_argument, NULL, 'a' },
	{ "prometheus", no_argument, NULL, 'P' },
	{ "cgroup", required_argument, NULL, 'g' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* The option bit of each long option above, in that order */
static const unsigned int option_bits[] = {
	OPT_MODE, OPT_EXCLUSIVE, OPT_JSON, OPT_PID, OPT_RANGE, OPT_ALL,
	OPT_PROMETHEUS, OPT_CGROUP,
};

struct args {
	const char *cmd;
	const char *name;	/* the partition, or NULL */
	unsigned int given;	/* OPT_* */
	mode_t mode;
	pid_t pid;
	unsigned long start, end;
	pid_t *pids;		/* estimate: every --pid */
	size_t nr_pids;
	const char **cgroups;	/* estimate: every --cgroup */
	size_t nr_cgroups;
};

struct command {
	const char *name;
	int (*run)(const struct args *a);
	unsigned int options;	/* OPT_* it takes */
	int name_min, name_max;	/* how many NAME arguments */
};

/* Set by SIGINT during a merge: stop after the current chunk */
static volatile sig_atomic_t interrupted;

static void usage(FILE *f)
{
	fputs("Usage:\n"
	      " ksmctl create NAME [--mode MODE] [--exclusive]\n"
	      " ksmctl remove NAME\n"
	      " ksmctl list [--json]\n"
	      " ksmctl stat [NAME] [--json | --prometheus]\n"
	      " ksmctl merge NAME (--pid PID | --cgroup PATH)...\n"
	      "              (--range START-END | --all) [--json]\n"
	      " ksmctl unmerge NAME (--pid PID | --cgroup PATH)...\n"
	      "              (--range START-END | --all) [--json]\n"
	      " ksmctl status --pid PID [--json]\n"
	      " ksmctl estimate [--pid PID]... [--cgroup PATH]... [--json]\n"
	      "\n"
	      "Manage Selective KSM partitions and merge process memory on request.\n"
	      "\n"
	      "Options:\n"
	      " -m, --mode MODE          permission bits of a new partition (octal,\n"
	      "                          default 0600)\n"
	      " -x, --exclusive          create: fail if the partition exists\n"
	      " -p, --pid PID            the process to merge, unmerge, show or\n"
	      "                          estimate (repeatable but for status)\n"
	      " -r, --range START-END    hex addresses as in /proc/PID/maps, END excluded\n"
	      " -a, --all                every KSM-compatible mapping of the process\n"
	      "                          (unmerge: all its memory, and it leaves)\n"
	      " -J, --json               one JSON object on stdout, no progress\n"
	      " -P, --prometheus         stat: the node_exporter textfile format\n"
	      " -g, --cgroup PATH        the processes of a cgroup v2 and below\n"
	      "                          (repeatable; estimate: each a group)\n"
	      " -h, --help               display this help\n"
	      " -V, --version            display version\n"
	      "\n"
	      "Exit status: 0 success, 1 failure, 2 bad usage, 3 the kernel lacks\n"
	      "Selective KSM, 130 interrupted.\n"
	      "For more details see ksmctl(8).\n", f);
}

static int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("ksmctl: ", stderr);
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'ksmctl --help' for more information.\n");
	return EXIT_USAGE;
}

/* "ksmctl: CMD: WHAT: strerror(err)[ (why)]" on standard error */
static void report(const struct args *a, int err, const char *why,
		   const char *fmt, va_list ap)
{
	fprintf(stderr, "ksmctl: %s: ", a->cmd);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, ": %s", strerror(err));
	if (why)
		fprintf(stderr, " (%s)", why);
	fputc('\n', stderr);
}

/*
 * A failure of the library, with what it means for that operation:
 * "ksmctl: merge: partition "vm1", process 42: Operation not permitted (no
 * permission to modify that process's memory)"
 */
static int fail(const struct args *a, int op, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(a, err, sksm_strerror_op(op, err), fmt, ap);
	va_end(ap);
	return err == ENOSYS ? EXIT_NO_KERNEL : EXIT_FAILURE;
}

/* A failure outside the library: "ksmctl: merge: cgroup /a: No such..." */
static int fail_sys(const struct args *a, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(a, err, NULL, fmt, ap);
	va_end(ap);
	return EXIT_FAILURE;
}

static const char *backend_name(int backend)
{
	switch (backend) {
	case SKSM_BACKEND_SYSCALLS:
		return "syscalls";
	case SKSM_BACKEND_SYSFS:
		return "sysfs";
	}
	return "none";
}

/*
 * Key and value lines for people, or members of a JSON object: the same
 * calls write both, so the two outputs cannot drift apart.
 */
struct out {
	struct json *json;	/* NULL: text */
};

static void out_u64(struct out *o, const char *key, uint64_t v)
{
	if (o->json)
		json_u64(o->json, key, v);
	else
		printf("  %-16s %llu\n", key, (unsigned long long)v);
}

static void out_bytes(struct out *o, const char *key, int64_t v)
{
	if (o->json)
		json_s64(o->json, key, v);
	else
		printf("  %-16s %.1f MiB (%lld bytes)\n", key, MIB(v),
		       (long long)v);
}

static void out_str(struct out *o, const char *key, const char *v)
{
	if (o->json && v)
		json_str(o->json, key, v);
	else if (o->json)
		json_null(o->json, key);
	else
		printf("  %-16s %s\n", key, v ? v : "-");
}

/* A yes/no field; left out when this kernel does not tell (-1) */
static void out_flag(struct out *o, const char *key, int v)
{
	if (v < 0)
		return;
	if (o->json)
		json_bool(o->json, key, v);
	else
		out_str(o, key, v ? "yes" : "no");
}

static void out_id(struct out *o, const char *key, unsigned int id)
{
	if (id == (unsigned int)-1)
		out_str(o, key, NULL);
	else
		out_u64(o, key, id);
}

static void out_partition(struct out *o, const struct sksm_stats *st)
{
	char mode[8];

	if (o->json)
		json_str(o->json, "name", st->name);
	else
		printf("%s:\n", st->name);
	out_str(o, "state", sksm_state_name(st->state));
	out_id(o, "uid", st->uid);
	out_id(o, "gid", st->gid);
	snprintf(mode, sizeof(mode), "%04o", (unsigned int)st->mode & 07777);
	out_str(o, "mode", st->mode == (mode_t)-1 ? NULL : mode);
	out_flag(o, "use_zero_pages", st->use_zero_pages);
	out_u64(o, "members", st->members);
	out_u64(o, "pages_shared", st->pages_shared);
	out_u64(o, "pages_sharing", st->pages_sharing);
	out_u64(o, "pages_unshared", st->pages_unshared);
	out_u64(o, "pages_scanned", st->pages_scanned);
	out_u64(o, "pages_skipped", st->pages_skipped);
	out_u64(o, "ksm_zero_pages", st->ksm_zero_pages);
	out_u64(o, "merge_time_ns", st->merge_time_ns);
	out_bytes(o, "general_profit", st->general_profit);
}

static void out_global(struct out *o, const struct sksm_global_stats *g)
{
	if (!o->json)
		printf("global KSM and all partitions:\n");
	out_u64(o, "run", g->run);
	out_u64(o, "pages_shared", g->pages_shared);
	out_u64(o, "pages_sharing", g->pages_sharing);
	out_u64(o, "pages_unshared", g->pages_unshared);
	out_u64(o, "pages_volatile", g->pages_volatile);
	out_u64(o, "pages_scanned", g->pages_scanned);
	out_u64(o, "pages_skipped", g->pages_skipped);
	out_u64(o, "ksm_zero_pages", g->ksm_zero_pages);
	out_u64(o, "full_scans", g->full_scans);
	out_bytes(o, "general_profit", g->general_profit);
}

static int cmd_create(const struct args *a)
{
	mode_t mode = a->given & OPT_MODE ? a->mode : 0600;
	struct sksm_partition *p;
	int existed = 0;

	p = sksm_open(a->name, SKSM_RDONLY | SKSM_CREAT | SKSM_EXCL, mode);
	/* Without --exclusive an existing partition is success */
	if (!p && errno == EEXIST && !(a->given & OPT_EXCLUSIVE)) {
		p = sksm_open(a->name, SKSM_RDONLY, 0);
		existed = 1;
	}
	if (!p)
		return fail(a, SKSM_OP_OPEN, errno, "partition \"%s\"",
			    a->name);
	if ((a->given & OPT_MODE) && sksm_backend(p) == SKSM_BACKEND_SYSFS)
		fprintf(stderr, "ksmctl: create: warning: --mode ignored: the "
			"sysfs interface has no modes (root only)\n");
	else if ((a->given & OPT_MODE) && existed)
		fprintf(stderr, "ksmctl: create: warning: --mode ignored: "
			"partition \"%s\" exists and keeps its mode\n",
			a->name);
	sksm_close(p);
	return EXIT_SUCCESS;
}

static int cmd_remove(const struct args *a)
{
	if (sksm_unlink(a->name))
		return fail(a, SKSM_OP_UNLINK, errno, "partition \"%s\"",
			    a->name);
	return EXIT_SUCCESS;
}

static int cmd_list(const struct args *a)
{
	struct json j;
	char **names;
	int n, i;

	n = sksm_list(&names);
	if (n < 0)
		return fail(a, SKSM_OP_LIST, errno, "listing partitions");
	if (a->given & OPT_JSON) {
		json_begin(&j, stdout);
		json_str(&j, "backend", backend_name(sksm_probe()));
		json_array(&j, "partitions");
		for (i = 0; i < n; i++) {
			json_object(&j, NULL);
			json_str(&j, "name", names[i]);
			json_close(&j, '}');
		}
		json_close(&j, ']');
		json_end(&j);
	} else {
		for (i = 0; i < n; i++)
			puts(names[i]);
	}
	sksm_list_free(names);
	return EXIT_SUCCESS;
}

/*
 * The partitions' counters for node_exporter's textfile collector: named
 * as its ksmd collector names the global ones (node_ksmd_pages_shared),
 * with "partition" between, and a partition label.
 */
static const struct {
	const char *name, *type, *help;
	size_t offset;
	int is_signed;
	double scale;
} prom_metrics[] = {
#define M(name, type, field, help, sgn, scale) \
	{ name, type, help, offsetof(struct sksm_stats, field), sgn, scale }
	M("members", "gauge", members, "Processes in the partition.", 0, 1),
	M("pages_shared", "gauge", pages_shared,
	  "KSM pages of the partition.", 0, 1),
	M("pages_sharing", "gauge", pages_sharing,
	  "Pages of the partition's members mapped onto its KSM pages.", 0, 1),
	M("pages_unshared", "gauge", pages_unshared,
	  "Pages indexed but not merged.", 0, 1),
	M("pages_scanned_total", "counter", pages_scanned,
	  "Pages looked at by merges.", 0, 1),
	M("pages_skipped_total", "counter", pages_skipped,
	  "Pages merges could not look at.", 0, 1),
	M("zero_pages", "gauge", ksm_zero_pages,
	  "Pages merged onto the zero page.", 0, 1),
	M("merge_seconds_total", "counter", merge_time_ns,
	  "Time spent merging and unmerging.", 0, 1e-9),
	M("profit_bytes", "gauge", general_profit,
	  "Memory saved, less KSM's own metadata.", 1, 1),
#undef M
};

static void prom_escape(const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			putchar('\\');
		putchar(*s);
	}
}

static int stat_prometheus(const struct args *a)
{
	struct sksm_stats *st = NULL, *grown;
	char **names;
	size_t m;
	int n, i, k = 0;

	n = sksm_list(&names);
	if (n < 0)
		return fail(a, SKSM_OP_LIST, errno, "listing partitions");
	for (i = 0; i < n; i++) {
		if (a->name && strcmp(a->name, names[i]))
			continue;
		grown = realloc(st, (k + 1) * sizeof(*st));
		if (!grown)
			break;
		st = grown;
		st[k] = (struct sksm_stats){ .size = sizeof(*st) };
		if (sksm_stat_name(names[i], &st[k]) == 0)
			k++;
	}
	sksm_list_free(names);
	if (a->name && !k) {
		free(st);
		return fail(a, SKSM_OP_STAT, ENOENT, "partition \"%s\"",
			    a->name);
	}
	for (m = 0; m < sizeof(prom_metrics) / sizeof(prom_metrics[0]); m++) {
		printf("# HELP node_ksmd_partition_%s %s\n"
		       "# TYPE node_ksmd_partition_%s %s\n",
		       prom_metrics[m].name, prom_metrics[m].help,
		       prom_metrics[m].name, prom_metrics[m].type);
		for (i = 0; i < k; i++) {
			const char *f = (const char *)&st[i] +
					prom_metrics[m].offset;
			double v = prom_metrics[m].is_signed ?
				   (double)*(const int64_t *)f :
				   (double)*(const uint64_t *)f;

			printf("node_ksmd_partition_%s{partition=\"",
			       prom_metrics[m].name);
			prom_escape(st[i].name);
			printf("\"} %.17g\n", v * prom_metrics[m].scale);
		}
	}
	free(st);
	return EXIT_SUCCESS;
}

/* Columns of the table "ksmctl stat" prints for people */
enum {
	COL_NAME, COL_STATE, COL_OWNER, COL_MODE, COL_MEMBERS, COL_SHARED,
	COL_SHARING, COL_UNSHARED, COL_ZERO, COL_SAVED,
};

static const struct {
	const char *name;
	int flags;
} table_columns[] = {
	[COL_NAME] = { "NAME", 0 },
	[COL_STATE] = { "STATE", 0 },
	[COL_OWNER] = { "OWNER", 0 },
	[COL_MODE] = { "MODE", 0 },
	[COL_MEMBERS] = { "MEMBERS", SCOLS_FL_RIGHT },
	[COL_SHARED] = { "SHARED", SCOLS_FL_RIGHT },
	[COL_SHARING] = { "SHARING", SCOLS_FL_RIGHT },
	[COL_UNSHARED] = { "UNSHARED", SCOLS_FL_RIGHT },
	[COL_ZERO] = { "ZERO", SCOLS_FL_RIGHT },
	[COL_SAVED] = { "SAVED", SCOLS_FL_RIGHT },
};

/* One row of the table; the strings are copied by libsmartcols */
static int table_row(struct libscols_table *tb, const struct sksm_stats *st)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);
	const char *state = sksm_state_name(st->state);
	char buf[COL_SAVED + 1][SKSM_NAME_MAX + 1];
	int i;

	if (!ln)
		return -ENOMEM;
	snprintf(buf[COL_NAME], sizeof(buf[0]), "%s", st->name);
	snprintf(buf[COL_STATE], sizeof(buf[0]), "%s", state ? state : "-");
	if (st->uid == (uid_t)-1)
		snprintf(buf[COL_OWNER], sizeof(buf[0]), "-");
	else
		snprintf(buf[COL_OWNER], sizeof(buf[0]), "%u:%u",
			 (unsigned int)st->uid, (unsigned int)st->gid);
	if (st->mode == (mode_t)-1)
		snprintf(buf[COL_MODE], sizeof(buf[0]), "-");
	else
		snprintf(buf[COL_MODE], sizeof(buf[0]), "%04o",
			 (unsigned int)st->mode & 07777);
	snprintf(buf[COL_MEMBERS], sizeof(buf[0]), "%llu",
		 (unsigned long long)st->members);
	snprintf(buf[COL_SHARED], sizeof(buf[0]), "%llu",
		 (unsigned long long)st->pages_shared);
	snprintf(buf[COL_SHARING], sizeof(buf[0]), "%llu",
		 (unsigned long long)st->pages_sharing);
	snprintf(buf[COL_UNSHARED], sizeof(buf[0]), "%llu",
		 (unsigned long long)st->pages_unshared);
	snprintf(buf[COL_ZERO], sizeof(buf[0]), "%llu",
		 (unsigned long long)st->ksm_zero_pages);
	snprintf(buf[COL_SAVED], sizeof(buf[0]), "%.1f MiB",
		 MIB(st->general_profit));
	for (i = 0; i <= COL_SAVED; i++)
		if (scols_line_set_data(ln, i, buf[i]))
			return -ENOMEM;
	return 0;
}

static struct libscols_table *table_new(void)
{
	struct libscols_table *tb = scols_new_table();
	size_t i;

	if (!tb)
		return NULL;
	for (i = 0; i < sizeof(table_columns) / sizeof(table_columns[0]);
	     i++) {
		if (!scols_table_new_column(tb, table_columns[i].name, 0,
					    table_columns[i].flags)) {
			scols_unref_table(tb);
			return NULL;
		}
	}
	return tb;
}

static int cmd_stat(const struct args *a)
{
	struct json j = { 0 }, *jp = a->given & OPT_JSON ? &j : NULL;
	struct out o = { .json = jp };
	struct sksm_global_stats g = { .size = sizeof(g) };
	struct sksm_stats st = { .size = sizeof(st) };
	struct libscols_table *tb = NULL;
	char **names;
	int n, i, ret = EXIT_SUCCESS;

	if (a->given & OPT_PROMETHEUS)
		return stat_prometheus(a);
	/* Text: that partition alone; JSON: as for all, of one partition */
	if (a->name && sksm_stat_name(a->name, &st))
		return fail(a, SKSM_OP_STAT, errno, "partition \"%s\"",
			    a->name);
	if (a->name && !jp) {
		out_partition(&o, &st);
		return EXIT_SUCCESS;
	}

	names = NULL;
	n = a->name ? 0 : sksm_list(&names);
	if (n < 0)
		return fail(a, SKSM_OP_LIST, errno, "listing partitions");
	if (sksm_stat_global(&g)) {
		ret = fail(a, SKSM_OP_STAT, errno, "global counters");
		goto out;
	}
	/* Many partitions: JSON objects, or a table for people */
	if (jp) {
		json_begin(jp, stdout);
		json_array(jp, "partitions");
	} else {
		tb = table_new();
		if (!tb) {
			ret = fail(a, SKSM_OP_ANY, ENOMEM, "table");
			goto out;
		}
	}
	if (a->name) {
		json_object(jp, NULL);
		out_partition(&o, &st);
		json_close(jp, '}');
	}
	for (i = 0; i < n; i++) {
		if (sksm_stat_name(names[i], &st)) {
			if (errno == ENOENT)	/* removed since the list */
				continue;
			ret = fail(a, SKSM_OP_STAT, errno, "partition \"%s\"",
				   names[i]);
			break;
		}
		if (tb) {
			if (table_row(tb, &st)) {
				ret = fail(a, SKSM_OP_ANY, ENOMEM, "table");
				goto out;
			}
			continue;
		}
		json_object(jp, NULL);
		out_partition(&o, &st);
		json_close(jp, '}');
	}
	if (jp) {
		json_close(jp, ']');
		json_object(jp, "global");
	} else if (n) {
		scols_print_table(tb);
		putchar('\n');
	}
	out_global(&o, &g);
	if (jp) {
		json_close(jp, '}');
		json_end(jp);
	}
out:
	if (tb)
		scols_unref_table(tb);
	if (names)
		sksm_list_free(names);
	return ret;
}

struct progress {
	const char *verb;
	const char *name;
	int tty;		/* draw progress on stderr */
	uint64_t done, total;
	long pages;		/* of the process being walked */
};

static int show_progress(uint64_t done, uint64_t total, long pages,
			 void *arg)
{
	struct progress *pr = arg;

	pr->done = done;
	pr->total = total;
	pr->pages = pages;
	if (pr->tty) {
		fprintf(stderr, "\rksmctl: %s %s: %.1f of %.1f MiB (%d%%), "
			"%ld pages ", pr->verb, pr->name, MIB(done), MIB(total),
			total ? (int)(done * 100 / total) : 100, pages);
		fflush(stderr);
	}
	return interrupted;
}

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static double seconds(const struct timespec *t)
{
	return t->tv_sec + t->tv_nsec / 1e9;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* What one process of a merge or unmerge came to */
struct result {
	long pages;		/* -1: failed, see err */
	int err;
	uint64_t range_bytes;
};

/* Each --pid, then the processes of each --cgroup, held by pidfd */
static int find_targets(const struct args *a, struct targets *ts)
{
	size_t i;
	int err;

	for (i = 0; i < a->nr_pids; i++) {
		err = targets_add_pid(ts, a->pids[i]);
		if (err)
			return fail_sys(a, -err, "process %d",
					(int)a->pids[i]);
	}
	for (i = 0; i < a->nr_cgroups; i++) {
		err = targets_add_cgroup(ts, a->cgroups[i]);
		if (err)
			return fail_sys(a, -err, "cgroup %s", a->cgroups[i]);
	}
	if (!ts->n && a->nr_cgroups)
		fprintf(stderr, "ksmctl: %s: no process in %s\n", a->cmd,
			a->nr_cgroups > 1 ? "those cgroups" : a->cgroups[0]);
	return -1;
}

static void out_results(const struct args *a, int merge, int backend,
			const struct targets *ts, const struct result *r,
			size_t done, int have_saved, int64_t saved,
			double wall, double cpu)
{
	long page = sysconf(_SC_PAGESIZE), pages = 0;
	uint64_t range_bytes = 0;
	struct json j;
	size_t i;

	for (i = 0; i < done; i++) {
		if (r[i].pages > 0)
			pages += r[i].pages;
		range_bytes += r[i].range_bytes;
	}
	if (a->given & OPT_JSON) {
		json_begin(&j, stdout);
		json_str(&j, "operation", merge ? "merge" : "unmerge");
		json_str(&j, "partition", a->name);
		json_str(&j, "backend", backend_name(backend));
		json_s64(&j, "pages", pages);
		json_s64(&j, "bytes", (int64_t)pages * page);
		json_u64(&j, "range_bytes", range_bytes);
		if (have_saved)
			json_s64(&j, "saved_bytes", saved);
		else
			json_null(&j, "saved_bytes");
		json_double(&j, "wall_seconds", wall);
		json_double(&j, "cpu_seconds", cpu);
		json_bool(&j, "stopped", interrupted);
		json_array(&j, "processes");
		for (i = 0; i < done; i++) {
			json_object(&j, NULL);
			json_s64(&j, "pid", ts->t[i].pid);
			if (ts->t[i].cgroup)
				json_str(&j, "cgroup", ts->t[i].cgroup);
			else
				json_null(&j, "cgroup");
			json_bool(&j, "pidfd", ts->t[i].pidfd >= 0 &&
				  backend == SKSM_BACKEND_SYSCALLS);
			if (r[i].pages >= 0)
				json_s64(&j, "pages", r[i].pages);
			else
				json_null(&j, "pages");
			json_u64(&j, "range_bytes", r[i].range_bytes);
			if (r[i].pages >= 0)
				json_null(&j, "error");
			else
				json_str(&j, "error", strerror(r[i].err));
			json_close(&j, '}');
		}
		json_close(&j, ']');
		json_end(&j);
		return;
	}
	for (i = 0; i < done && ts->n > 1; i++)
		if (r[i].pages >= 0)
			printf("%s: process %d: %ld pages %s (%.1f MiB) in "
			       "%.1f MiB of mappings\n", a->name,
			       (int)ts->t[i].pid, r[i].pages,
			       merge ? "merged" : "unmerged",
			       MIB(r[i].pages * page), MIB(r[i].range_bytes));
	if (ts->n == 1)
		printf("%s: process %d: %ld pages %s (%.1f MiB) in %.1f MiB "
		       "of mappings", a->name, (int)ts->t[0].pid, pages,
		       merge ? "merged" : "unmerged", MIB(pages * page),
		       MIB(range_bytes));
	else
		printf("%s: %zu processes: %ld pages %s (%.1f MiB) in %.1f "
		       "MiB of mappings", a->name, done, pages,
		       merge ? "merged" : "unmerged", MIB(pages * page),
		       MIB(range_bytes));
	if (have_saved)
		printf(", %s %.1f MiB", merge ? "saved" : "profit change",
		       MIB(saved));
	printf("; %.2f s wall, %.2f s CPU%s\n", wall, cpu,
	       interrupted ? "; stopped by SIGINT" : "");
}

/*
 * merge and unmerge: whole processes or a range of each, in chunks, one
 * process after the other. A process that fails does not stop the others;
 * one of a cgroup that exits meanwhile is no failure.
 */
static int merge_or_unmerge(const struct args *a, int merge)
{
	struct progress pr = {
		.verb = merge ? "merging" : "unmerging", .name = a->name,
		.tty = !(a->given & OPT_JSON) && isatty(STDERR_FILENO),
	};
	struct sksm_walk_opts opts = {
		.size = sizeof(opts),
		.progress = show_progress, .arg = &pr,
		.start = a->start, .end = a->end,
	};
	struct sigaction sa = { .sa_handler = on_sigint }, old;
	struct sksm_stats before = { .size = sizeof(before) };
	struct sksm_stats after = { .size = sizeof(after) };
	struct targets ts = { 0 };
	struct result *r = NULL;
	struct timespec t0, t1;
	int have_saved, backend, ret;
	double cpu0, wall, cpu;
	size_t i, done = 0, failed = 0;
	int64_t saved = 0;
	struct sksm_partition *p;

	ret = find_targets(a, &ts);
	if (ret >= 0)
		goto out;
	r = calloc(ts.n ? ts.n : 1, sizeof(*r));
	if (!r) {
		ret = fail(a, SKSM_OP_ANY, ENOMEM, "%s", a->cmd);
		goto out;
	}
	p = sksm_open(a->name, SKSM_WRONLY, 0);
	if (!p) {
		ret = fail(a, SKSM_OP_OPEN, errno, "partition \"%s\"",
			   a->name);
		goto out;
	}
	backend = sksm_backend(p);
	have_saved = !sksm_stat(p, &before);

	/* No SA_RESTART: SIGINT ends the walk after the current chunk */
	sigaction(SIGINT, &sa, &old);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cpu0 = cpu_seconds();
	for (i = 0; i < ts.n && !interrupted; i++, done++) {
		/* sysfs takes pids only, and is root's: pidfds where we can */
		int pidfd = ts.t[i].pidfd >= 0 &&
			    backend == SKSM_BACKEND_SYSCALLS;

		opts.flags = pidfd ? SKSM_PIDFD : 0;
		pr.total = 0;
		pr.pages = 0;
		if (merge)
			r[i].pages = sksm_merge_process(p, pidfd ?
					ts.t[i].pidfd : ts.t[i].pid, &opts);
		else
			r[i].pages = sksm_unmerge_process(p, pidfd ?
					ts.t[i].pidfd : ts.t[i].pid, &opts);
		r[i].err = errno;
		r[i].range_bytes = pr.total;
		if (r[i].pages >= 0)
			continue;
		if (r[i].err == ECANCELED) {	/* SIGINT: what it did */
			r[i].pages = pr.pages;
			continue;
		}
		/* One of a cgroup that exited since we found it: not ours */
		if (r[i].err == ESRCH && ts.t[i].cgroup) {
			r[i].pages = 0;
			continue;
		}
		failed++;
		ret = fail(a, merge ? SKSM_OP_MERGE : SKSM_OP_UNMERGE,
			   r[i].err, "partition \"%s\", process %d", a->name,
			   (int)ts.t[i].pid);
	}
	cpu = cpu_seconds() - cpu0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	wall = seconds(&t1) - seconds(&t0);
	sigaction(SIGINT, &old, NULL);
	if (pr.tty && pr.total)
		fputc('\n', stderr);
	if (have_saved && !sksm_stat(p, &after))
		saved = after.general_profit - before.general_profit;
	else
		have_saved = 0;
	sksm_close(p);

	/* One process that failed: its message says all */
	if (ts.n == 1 && failed)
		goto out;
	out_results(a, merge, backend, &ts, r, done, have_saved, saved, wall,
		    cpu);
	if (interrupted)
		ret = EXIT_INTERRUPTED;
	else if (!failed)
		ret = EXIT_SUCCESS;
out:
	free(r);
	targets_free(&ts);
	return ret;
}

static int cmd_merge(const struct args *a)
{
	return merge_or_unmerge(a, 1);
}

static int cmd_unmerge(const struct args *a)
{
	return merge_or_unmerge(a, 0);
}

static int cmd_status(const struct args *a)
{
	struct json j = { 0 }, *jp = a->given & OPT_JSON ? &j : NULL;
	struct out o = { .json = jp };
	struct sksm_process_stats ps = { .size = sizeof(ps) };
	long page = sysconf(_SC_PAGESIZE);

	if (sksm_process_stat(a->pid, &ps))
		return fail(a, SKSM_OP_STAT, errno, "process %d", (int)a->pid);
	if (jp) {
		json_begin(jp, stdout);
		json_array(jp, "processes");
		json_object(jp, NULL);
		json_s64(jp, "pid", a->pid);
	} else {
		printf("process %d:\n", (int)a->pid);
	}
	out_str(&o, "partition", ps.partition[0] ? ps.partition : NULL);
	out_u64(&o, "merging_pages", ps.merging_pages);
	out_bytes(&o, "merging_bytes", (int64_t)ps.merging_pages * page);
	out_u64(&o, "zero_pages", ps.zero_pages < 0 ? 0 : ps.zero_pages);
	out_u64(&o, "rmap_items", ps.rmap_items);
	out_bytes(&o, "profit", ps.process_profit);
	out_flag(&o, "merge_any", ps.merge_any);
	out_flag(&o, "mergeable", ps.mergeable);
	if (jp) {
		json_close(jp, '}');
		json_close(jp, ']');
		json_end(jp);
	}
	return EXIT_SUCCESS;
}

/* Append one element of @size bytes to a growing array */
static int push(void *array, size_t *n, const void *elem, size_t size)
{
	char *grown = realloc(*(void **)array, (*n + 1) * size);

	if (!grown)
		return -1;
	memcpy(grown + *n * size, elem, size);
	*(void **)array = grown;
	(*n)++;
	return 0;
}

static void out_estimate(struct out *o, const struct estimate *e,
			 const char *name)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t i;

	if (o->json) {
		if (name)
			json_str(o->json, "name", name);
	} else {
		printf("%s:\n", name);
	}
	if (o->json) {		/* processes are objects, as elsewhere */
		json_array(o->json, "processes");
		for (i = 0; i < e->nr_pids; i++) {
			json_object(o->json, NULL);
			json_s64(o->json, "pid", e->pids[i]);
			json_close(o->json, '}');
		}
		json_close(o->json, ']');
	} else {
		out_u64(o, "processes", e->nr_pids);
	}
	out_u64(o, "pages", e->pages);
	out_u64(o, "distinct", e->distinct);
	out_u64(o, "pages_sharing", e->pages_sharing);
	out_bytes(o, "saving", (int64_t)e->pages_sharing * page);
}

/*
 * Each --cgroup is a would-be partition, and every --pid together one
 * more: what each would save, and what one partition of all would.
 */
static int cmd_estimate(const struct args *a)
{
	struct json j = { 0 }, *jp = a->given & OPT_JSON ? &j : NULL;
	struct out o = { .json = jp };
	struct estimate *g, all = { 0 };
	int n = 0, err, ret = EXIT_SUCCESS;
	size_t i;

	g = calloc(a->nr_cgroups + 1, sizeof(*g));
	if (!g)
		return fail(a, SKSM_OP_ANY, ENOMEM, "estimate");
	for (i = 0; i < a->nr_cgroups; i++, n++) {
		char dir[4096];

		snprintf(dir, sizeof(dir), "%s%s",
			 strncmp(a->cgroups[i], "/sys/fs/cgroup", 14) ?
			 "/sys/fs/cgroup" : "", a->cgroups[i]);
		g[n].name = a->cgroups[i];
		err = cgroup_pids(dir, &g[n].pids, &g[n].nr_pids);
		if (err) {
			ret = fail_sys(a, -err, "cgroup %s", dir);
			goto out;
		}
	}
	if (a->nr_pids) {
		g[n].name = "pids";
		g[n].pids = malloc(a->nr_pids * sizeof(pid_t));
		if (!g[n].pids) {
			ret = fail(a, SKSM_OP_ANY, ENOMEM, "estimate");
			goto out;
		}
		memcpy(g[n].pids, a->pids, a->nr_pids * sizeof(pid_t));
		g[n++].nr_pids = a->nr_pids;
	}
	err = estimate_groups(g, n, &all);
	if (err) {
		for (i = 0; i < (size_t)n && !g[i].failed_pid; i++)
			;
		ret = fail(a, SKSM_OP_MERGE, -err, "process %d",
			   i < (size_t)n ? (int)g[i].failed_pid : 0);
		goto out;
	}
	if (jp) {
		json_begin(jp, stdout);
		json_array(jp, "partitions");
	}
	for (i = 0; i < (size_t)n; i++) {
		if (jp)
			json_object(jp, NULL);
		out_estimate(&o, &g[i], g[i].name);
		if (jp)
			json_close(jp, '}');
	}
	if (jp) {
		json_close(jp, ']');
		json_object(jp, "one_partition");
	}
	out_estimate(&o, &all, jp ? NULL : "all of them in one partition");
	if (jp) {
		json_close(jp, '}');
		json_end(jp);
	}
out:
	for (i = 0; i <= a->nr_cgroups; i++)
		free(g[i].pids);
	free(g);
	free(all.pids);
	return ret;
}

static const struct command commands[] = {
	{ "create", cmd_create, OPT_MODE | OPT_EXCLUSIVE, 1, 1 },
	{ "remove", cmd_remove, 0, 1, 1 },
	{ "list", cmd_list, OPT_JSON, 0, 0 },
	{ "stat", cmd_stat, OPT_JSON | OPT_PROMETHEUS, 0, 1 },
	{ "merge", cmd_merge,
	  OPT_PID | OPT_CGROUP | OPT_RANGE | OPT_ALL | OPT_JSON, 1, 1 },
	{ "unmerge", cmd_unmerge,
	  OPT_PID | OPT_CGROUP | OPT_RANGE | OPT_ALL | OPT_JSON, 1, 1 },
	{ "status", cmd_status, OPT_PID | OPT_JSON, 0, 0 },
	{ "estimate", cmd_estimate, OPT_PID | OPT_CGROUP | OPT_JSON, 0, 0 },
};

static int version(void)
{
	/* Built with one libsksm, maybe running with a newer one */
	printf("ksmctl from Selective KSM, libsksm %s (built with %d.%d)\n",
	       sksm_version(), SKSM_VERSION_MAJOR, SKSM_VERSION_MINOR);
	return EXIT_SUCCESS;
}

/* Options and arguments of one command; -1 to go on, else exit status. */
static int parse_args(const struct command *c, int argc, char **argv,
		      struct args *a)
{
	int opt, i;

	opterr = 0;	/* our own messages, naming the command */
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":m:xJjp:r:aPg:hV", long_options,
				  NULL)) != -1) {
		if (opt == 'j')		/* -J as util-linux; -j of 1.0 stays */
			opt = 'J';
		for (i = 0; long_options[i].name; i++)
			if (long_options[i].val == opt)
				break;
		switch (opt) {
		case 'm':
			if (parse_mode(optarg, &a->mode))
				return usage_error(a->cmd, "bad mode '%s': "
						   "octal permission bits expected", optarg);
			break;
		case 'p':
			if (parse_pid(optarg, &a->pid))
				return usage_error(a->cmd, "bad PID '%s'", optarg);
			if (push(&a->pids, &a->nr_pids, &a->pid, sizeof(a->pid)))
				return fail(a, SKSM_OP_ANY, ENOMEM, "--pid");
			break;
		case 'g':
			if (push(&a->cgroups, &a->nr_cgroups, &optarg,
				 sizeof(optarg)))
				return fail(a, SKSM_OP_ANY, ENOMEM, "--cgroup");
			break;
		case 'r':
			if (parse_range(optarg, &a->start, &a->end))
				return usage_error(a->cmd, "bad range '%s': "
						   "START-END in hex expected", optarg);
			break;
		case 'x': case 'J': case 'a': case 'P':
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			return version();
		case ':':
			return usage_error(a->cmd, "option '%s' requires an "
					   "argument", argv[optind - 1]);
		default:
			return usage_error(a->cmd, "unrecognized option '%s'",
					   argv[optind - 1]);
		}
		if ((size_t)i < sizeof(option_bits) / sizeof(option_bits[0])) {
			if (!(c->options & option_bits[i]))
				return usage_error(a->cmd, "option --%s does "
						   "not apply", long_options[i].name);
			a->given |= option_bits[i];
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < c->name_min)
		return usage_error(a->cmd, "partition NAME missing");
	if (argc > c->name_max)
		return usage_error(a->cmd, "unexpected argument '%s'",
				   argv[c->name_max]);
	a->name = argc ? argv[0] : NULL;

	if ((a->given & OPT_JSON) && (a->given & OPT_PROMETHEUS))
		return usage_error(a->cmd, "give one of --json and --prometheus");
	if ((c->options & OPT_CGROUP) && !(a->given & (OPT_PID | OPT_CGROUP)))
		return usage_error(a->cmd, "give --pid PID or --cgroup PATH");
	if ((c->options & OPT_PID) && !(c->options & OPT_CGROUP) &&
	    !(a->given & OPT_PID))
		return usage_error(a->cmd, "--pid PID is required");
	if (!(c->options & OPT_CGROUP) && a->nr_pids > 1)
		return usage_error(a->cmd, "one --pid only");
	if ((c->options & OPT_ALL) &&
	    !(a->given & OPT_RANGE) == !(a->given & OPT_ALL))
		return usage_error(a->cmd, "give one of --range START-END "
				   "and --all");
	if ((a->given & OPT_RANGE) &&
	    ((a->start | a->end) % sysconf(_SC_PAGESIZE)))
		return usage_error(a->cmd, "range %#lx-%#lx is not page "
				   "aligned", a->start, a->end);
	return -1;
}

int main(int argc, char **argv)
{
	struct args a = { 0 };
	size_t i;
	int ret;

	if (argc < 2)
		return usage_error(NULL, "no command given");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return EXIT_SUCCESS;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version"))
		return version();
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			break;
	if (i == sizeof(commands) / sizeof(commands[0]))
		return usage_error(NULL, "%s '%s'", argv[1][0] == '-' ?
				   "unrecognized option" : "unknown command",
				   argv[1]);
	a.cmd = commands[i].name;
	ret = parse_args(&commands[i], argc - 1, argv + 1, &a);
	if (ret < 0)
		ret = commands[i].run(&a);
	free(a.pids);
	free(a.cgroups);
	if (ret != EXIT_SUCCESS)
		return ret;
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "ksmctl: %s: writing the output: %s\n", a.cmd,
			strerror(errno));
		return EXIT_FAILURE;
	}
	return ret;
}

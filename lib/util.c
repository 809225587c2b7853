// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Files of sysfs and /proc: paths, reading and writing, strict parsing.
 * Everything here is reentrant: no static mutable state.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

int sksm__path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	return (size_t)n < size ? 0 : -ENAMETOOLONG;
}

/*
 * Read a whole small file (a counter, a features list) into @buf and
 * terminate it. A file that does not fit is not what we expect: -EBADMSG.
 */
ssize_t sksm__read_file(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	for (;;) {
		n = read(fd, buf + len, size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		len += n;
		if (len == size) {
			err = -EBADMSG;
			break;
		}
	}
	close(fd);
	if (err)
		return err;
	buf[len] = '\0';
	return len;
}

/*
 * One write(2) of the whole request: sysfs parses what one write brings and
 * answers with the request's errno, which must not be retried.
 */
int sksm__write_file(const char *path, const char *buf, size_t len)
{
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	if (close(fd) && !err && errno != EINTR)
		err = -errno;
	return err;
}

/*
 * Call @fn for each line of @path, without its newline, whatever its
 * length. A non-zero return of @fn stops and is returned.
 */
int sksm__read_lines(const char *path,
		     int (*fn)(char *line, size_t len, void *arg), void *arg)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int err = 0;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	errno = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		/* A NUL inside a line is garbage that strlen() would hide */
		if (memchr(line, '\0', n)) {
			err = -EBADMSG;
			break;
		}
		err = fn(line, n, arg);
		if (err)
			break;
		errno = 0;
	}
	if (!err && ferror(f))
		err = errno ? -errno : -EIO;
	free(line);
	fclose(f);
	return err;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/*
 * The whole of @s is one unsigned number in @base (8, 10 or 16), without
 * sign, spaces or prefix: strtoull() would accept " -1" and "12abc".
 */
int sksm__parse_u64(const char *s, int base, uint64_t *v)
{
	uint64_t x = 0;
	int d;

	if (!*s)
		return -EBADMSG;
	for (; *s; s++) {
		d = digit_value(*s);
		if (d >= base)
			return -EBADMSG;
		if (x > (UINT64_MAX - d) / base)
			return -ERANGE;
		x = x * base + d;
	}
	*v = x;
	return 0;
}

int sksm__parse_s64(const char *s, int64_t *v)
{
	int neg = *s == '-';
	uint64_t x;
	int err;

	err = sksm__parse_u64(s + neg, 10, &x);
	if (err)
		return err;
	if (x > (uint64_t)INT64_MAX + neg)
		return -ERANGE;
	*v = neg ? (int64_t)(0 - x) : (int64_t)x;
	return 0;
}

/* 0, -EINVAL or -ENAMETOOLONG, as the kernel answers for such a name. */
int sksm__name_valid(const char *name)
{
	size_t i, len = strnlen(name, SKSM_NAME_MAX + 1);

	if (len > SKSM_NAME_MAX)
		return -ENAMETOOLONG;
	if (!len || name[0] == '.')
		return -EINVAL;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-'))
			return -EINVAL;
	}
	return 0;
}

void sksm__strip_newline(char *s)
{
	size_t len = strlen(s);

	if (len && s[len - 1] == '\n')
		s[len - 1] = '\0';
}

static int parse_bool(const char *value, const char *no, const char *yes,
		      int *out)
{
	if (!strcmp(value, no))
		*out = 0;
	else if (!strcmp(value, yes))
		*out = 1;
	else
		return -EBADMSG;
	return 0;
}

static int parse_state(const char *value, int *out)
{
	static const char *const names[] = {
		[SKSM_STATE_LINKED] = "linked",
		[SKSM_STATE_UNLINKED] = "unlinked",
		[SKSM_STATE_REMOVED] = "removed",
	};
	size_t i;

	/* A state a later kernel adds is not an error */
	*out = SKSM_STATE_UNKNOWN;
	for (i = 1; i < SKSM_ARRAY_SIZE(names); i++)
		if (!strcmp(value, names[i]))
			*out = (int)i;
	return 0;
}

/* uid_t, gid_t, mode_t and int are all 32 bits on Linux */
_Static_assert(sizeof(uid_t) == 4 && sizeof(gid_t) == 4 &&
	       sizeof(mode_t) == 4 && sizeof(int) == 4, "32-bit fields");

/* A number in @base, at most @max, into a 32-bit field. */
static int set_u32(const char *value, int base, uint32_t max, char *dst)
{
	uint64_t u;
	uint32_t v;
	int err = sksm__parse_u64(value, base, &u);

	if (!err && u > max)
		err = -ERANGE;
	if (!err) {
		v = (uint32_t)u;
		memcpy(dst, &v, sizeof(v));
	}
	return err;
}

static int set_field(const struct sksm__field *f, const char *value,
		     void *base)
{
	char *dst = (char *)base + f->off;
	uint64_t u;
	int64_t s;
	int err = 0, b;

	switch (f->type) {
	case SKSM__U64:
		err = sksm__parse_u64(value, 10, &u);
		if (!err)
			memcpy(dst, &u, sizeof(u));
		break;
	case SKSM__S64:
		err = sksm__parse_s64(value, &s);
		if (!err)
			memcpy(dst, &s, sizeof(s));
		break;
	case SKSM__ID:		/* (uid_t)-1 means "no owner": not a value */
		err = set_u32(value, 10, UINT32_MAX - 1, dst);
		break;
	case SKSM__MODE:
		err = set_u32(value, 8, 07777, dst);
		break;
	case SKSM__INT:
		err = set_u32(value, 10, INT32_MAX, dst);
		break;
	case SKSM__BOOL:
	case SKSM__YESNO:
		if (f->type == SKSM__BOOL)
			err = parse_bool(value, "0", "1", &b);
		else
			err = parse_bool(value, "no", "yes", &b);
		if (!err)
			memcpy(dst, &b, sizeof(b));
		break;
	case SKSM__NAME:
		err = sksm__name_valid(value);
		if (!err)
			strcpy(dst, value);	/* checked: <= SKSM_NAME_MAX */
		break;
	case SKSM__STATE:
		err = parse_state(value, &b);
		if (!err)
			memcpy(dst, &b, sizeof(b));
		break;
	default:
		err = -EINVAL;
	}
	/* Garbage or a number too big for us: the file is not as expected */
	return err ? -EBADMSG : 0;
}

/* One file per field, as in /sys/kernel/mm/ksm/ and its partitions. */
int sksm__read_dir_fields(const char *dir, const struct sksm__field *fields,
			  size_t n, void *base)
{
	char path[SKSM_PATH_MAX], buf[64];
	ssize_t len;
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		err = sksm__path(path, sizeof(path), "%s/%s", dir,
				 fields[i].key);
		if (err)
			return err;
		len = sksm__read_file(path, buf, sizeof(buf));
		if (len == -ENOENT && !fields[i].required)
			continue;
		if (len < 0)
			return len;
		sksm__strip_newline(buf);
		err = set_field(&fields[i], buf, base);
		if (err)
			return err;
	}
	return 0;
}

struct kv_state {
	const struct sksm__field *fields;
	size_t n;
	void *base;
	unsigned char seen[32];
};

/* "key:\tvalue", "key: value" or "key value"; unknown keys are skipped. */
static int kv_line(char *line, size_t len, void *arg)
{
	struct kv_state *kv = arg;
	char *key = line, *value;
	size_t i, klen;

	klen = strcspn(line, ": \t");
	value = line + klen;
	if (*value == ':')
		value++;
	value += strspn(value, " \t");
	for (i = 0; i < kv->n; i++) {
		if (strlen(kv->fields[i].key) != klen ||
		    strncmp(kv->fields[i].key, key, klen))
			continue;
		/* Trailing blanks are layout, not part of the value */
		len = strlen(value);
		while (len && (value[len - 1] == ' ' || value[len - 1] == '\t'))
			value[--len] = '\0';
		kv->seen[i] = 1;
		return set_field(&kv->fields[i], value, kv->base);
	}
	return 0;
}

/* 0, or a negative errno: -EBADMSG if a required field is missing. */
int sksm__parse_kv_lines(const char *path, const struct sksm__field *fields,
			 size_t n, void *base)
{
	struct kv_state kv = { .fields = fields, .n = n, .base = base };
	size_t i;
	int err;

	if (n > sizeof(kv.seen))
		return -EINVAL;
	err = sksm__read_lines(path, kv_line, &kv);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		if (fields[i].required && !kv.seen[i])
			return -EBADMSG;
	}
	return 0;
}

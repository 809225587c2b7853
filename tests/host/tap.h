/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP for the host tests: each TEST() is one "ok"/"not ok" line;
 * every failed CHECK inside it prints where and what as a diagnostic.
 */
#ifndef SKSM_TAP_H
#define SKSM_TAP_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int tap_case_failed;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		tap_case_failed = 1;					\
		printf("#   %s:%d: CHECK(%s) failed\n", __FILE__,	\
		       __LINE__, #cond);				\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a != _b) {							\
		tap_case_failed = 1;					\
		printf("#   %s:%d: %s == %lld, expected %s == %lld\n",	\
		       __FILE__, __LINE__, #a, _a, #b, _b);		\
	}								\
} while (0)

#define CHECK_STR(a, b) do {						\
	const char *_a = (a), *_b = (b);				\
	if (!_a || !_b || strcmp(_a, _b)) {				\
		tap_case_failed = 1;					\
		printf("#   %s:%d: %s is \"%s\", expected \"%s\"\n",	\
		       __FILE__, __LINE__, #a, _a ? _a : "(null)",	\
		       _b ? _b : "(null)");				\
	}								\
} while (0)

/* @failed: a call's failure, as f() == -1; it must leave errno @err */
#define CHECK_ERRNO(failed, err) do {					\
	int _f, _e;							\
	errno = 0;							\
	_f = (failed);							\
	_e = errno;							\
	if (!_f || _e != (err)) {					\
		tap_case_failed = 1;					\
		printf("#   %s:%d: %s: %s, errno %d (%s), expected %s\n",\
		       __FILE__, __LINE__, #failed,			\
		       _f ? "failed" : "succeeded", _e, strerror(_e),	\
		       #err);						\
	}								\
} while (0)

struct tap_test {
	const char *name;
	void (*fn)(void);
};

/* Run every test; the exit status is 1 when any failed. */
static inline int tap_run(const struct tap_test *tests, size_t n)
{
	size_t i, failed = 0;

	printf("TAP version 13\n1..%zu\n", n);
	for (i = 0; i < n; i++) {
		tap_case_failed = 0;
		fflush(stdout);
		tests[i].fn();
		printf("%sok %zu %s\n", tap_case_failed ? "not " : "", i + 1,
		       tests[i].name);
		failed += tap_case_failed;
	}
	return failed ? 1 : 0;
}

#endif

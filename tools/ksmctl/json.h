/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON writer for ksmctl's --json output: one object, nested
 * objects and arrays, strings escaped so that any bytes give valid JSON.
 */
#ifndef KSMCTL_JSON_H
#define KSMCTL_JSON_H

#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	8

struct json {
	FILE *f;
	int depth;
	int count[JSON_MAX_DEPTH];	/* members written at each level */
};

void json_begin(struct json *j, FILE *f);
void json_end(struct json *j);
void json_object(struct json *j, const char *key);
void json_array(struct json *j, const char *key);
void json_close(struct json *j, char bracket);
void json_str(struct json *j, const char *key, const char *value);
void json_u64(struct json *j, const char *key, uint64_t value);
void json_s64(struct json *j, const char *key, int64_t value);
void json_double(struct json *j, const char *key, double value);
void json_bool(struct json *j, const char *key, int value);
void json_null(struct json *j, const char *key);

#endif

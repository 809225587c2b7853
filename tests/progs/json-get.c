// SPDX-License-Identifier: GPL-2.0
/*
 * json-get: validate one JSON document on stdin (json-c, strict mode) and
 * print a value of it, for guest tests, which have only busybox.
 *
 *   json-get [-t TYPE] [-l] [PATH]
 *
 * PATH is keys and array indexes joined by dots: "partitions.0.name". No
 * PATH: the whole document. Strings print raw, other values as JSON; -l
 * prints the length of an array or object instead; -t TYPE (string, int,
 * double, number, boolean, null, object, array) requires that type.
 *
 * Exit: 0 done, 1 not valid JSON (or not all of stdin is the one
 * document), 2 usage, 3 no such path, 5 other type. (4 means "skip" to the
 * tests' TAP helpers, so it is not used.)
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 4096, n;
	char *buf = malloc(cap), *grown;

	*len = 0;
	while (buf) {
		n = fread(buf + *len, 1, cap - *len - 1, f);
		*len += n;
		if (n == 0)
			break;
		if (*len + 1 == cap) {
			cap *= 2;
			grown = realloc(buf, cap);
			if (!grown)
				free(buf);
			buf = grown;
		}
	}
	if (buf)
		buf[*len] = '\0';
	return buf;
}

/*
 * What json-c accepts even in strict mode but RFC 8259 does not: NaN,
 * Infinity, "1.", single quotes, raw control characters in strings. The
 * offset of the first such byte, or -1.
 */
static long not_rfc8259(const char *s, size_t len)
{
	int in_string = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (in_string) {
			if (c < 0x20)
				return i;
			if (c == '\\')
				i++;	/* json-c checks the escape itself */
			else if (c == '"')
				in_string = 0;
		} else if (c == '"') {
			in_string = 1;
		} else if (c == '.' && (i + 1 == len || s[i + 1] < '0' ||
					s[i + 1] > '9')) {
			return i;
		} else if (!c || !strchr("{}[],: \t\r\n0123456789-+.eEtruefalsn",
					c)) {
			return i;
		}
	}
	return -1;
}

static int type_matches(struct json_object *v, const char *type)
{
	static const struct {
		const char *name;
		enum json_type type;
	} types[] = {
		{ "string", json_type_string }, { "int", json_type_int },
		{ "double", json_type_double }, { "boolean", json_type_boolean },
		{ "null", json_type_null }, { "object", json_type_object },
		{ "array", json_type_array },
	};
	enum json_type t = json_object_get_type(v);
	size_t i;

	if (!strcmp(type, "number"))
		return t == json_type_int || t == json_type_double;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(type, types[i].name))
			return t == types[i].type;
	return -1;
}

/* The value at PATH, or NULL (a JSON null is found, as json_type_null). */
static int lookup(struct json_object *v, char *path, struct json_object **out)
{
	char *key, *end;
	unsigned long idx;

	for (key = strtok(path, "."); key; key = strtok(NULL, ".")) {
		if (json_object_is_type(v, json_type_object)) {
			if (!json_object_object_get_ex(v, key, &v))
				return -1;
		} else if (json_object_is_type(v, json_type_array)) {
			errno = 0;
			idx = strtoul(key, &end, 10);
			if (errno || *end || end == key ||
			    idx >= json_object_array_length(v))
				return -1;
			v = json_object_array_get_idx(v, idx);
		} else {
			return -1;
		}
	}
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	const char *type = NULL;
	struct json_object *doc, *v;
	struct json_tokener *tok;
	int c, length = 0, ret = 0;
	size_t len, end;
	char *text, *path = NULL;

	while ((c = getopt(argc, argv, "t:l")) != -1) {
		switch (c) {
		case 't': type = optarg; break;
		case 'l': length = 1; break;
		default:
			fprintf(stderr, "usage: json-get [-t TYPE] [-l] [PATH] < JSON\n");
			return 2;
		}
	}
	if (argc - optind > 1 || (type && type_matches(NULL, type) < 0)) {
		fprintf(stderr, "usage: json-get [-t TYPE] [-l] [PATH] < JSON\n");
		return 2;
	}
	text = read_all(stdin, &len);
	if (!text || memchr(text, '\0', len)) {
		fprintf(stderr, "json-get: cannot read stdin\n");
		free(text);
		return 1;
	}
	if (not_rfc8259(text, len) >= 0) {
		fprintf(stderr, "json-get: not valid JSON at offset %ld\n",
			not_rfc8259(text, len));
		free(text);
		return 1;
	}
	tok = json_tokener_new();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	doc = json_tokener_parse_ex(tok, text, (int)len);
	end = json_tokener_get_parse_end(tok);
	/* One document and nothing after it but blanks */
	if (!doc || json_tokener_get_error(tok) != json_tokener_success ||
	    strspn(text + end, " \t\r\n") != len - end) {
		fprintf(stderr, "json-get: not valid JSON at offset %zu: %s\n",
			end, json_tokener_error_desc(json_tokener_get_error(tok)));
		ret = 1;
		goto out;
	}
	v = doc;
	path = optind < argc ? strdup(argv[optind]) : NULL;
	if (path && lookup(doc, path, &v)) {
		fprintf(stderr, "json-get: no %s in the document\n", argv[optind]);
		ret = 3;
		goto out;
	}
	if (type && !type_matches(v, type)) {
		fprintf(stderr, "json-get: %s is %s, not %s\n",
			optind < argc ? argv[optind] : "the document",
			json_type_to_name(json_object_get_type(v)), type);
		ret = 5;
		goto out;
	}
	if (length && json_object_is_type(v, json_type_array))
		printf("%zu\n", json_object_array_length(v));
	else if (length && json_object_is_type(v, json_type_object))
		printf("%d\n", json_object_object_length(v));
	else if (length)
		ret = 5;
	else if (json_object_is_type(v, json_type_string))
		printf("%s\n", json_object_get_string(v));
	else
		printf("%s\n", json_object_to_json_string_ext(v,
				JSON_C_TO_STRING_PLAIN));
out:
	free(path);
	json_object_put(doc);
	json_tokener_free(tok);
	free(text);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/* Host tests of ksmctl's value parsing and JSON writer. */
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "json.h"
#include "parse.h"
#include "tap.h"

static void test_pid(void)
{
	pid_t pid = 0;

	CHECK_EQ(parse_pid("1", &pid), 0);
	CHECK_EQ(pid, 1);
	CHECK_EQ(parse_pid("2147483647", &pid), 0);
	CHECK_EQ(pid, INT_MAX);
	CHECK_EQ(parse_pid("2147483648", &pid), -1);
	CHECK_EQ(parse_pid("99999999999999999999999", &pid), -1);
	CHECK_EQ(parse_pid("0", &pid), -1);
	CHECK_EQ(parse_pid("-1", &pid), -1);
	CHECK_EQ(parse_pid("+1", &pid), -1);
	CHECK_EQ(parse_pid(" 1", &pid), -1);
	CHECK_EQ(parse_pid("1 ", &pid), -1);
	CHECK_EQ(parse_pid("12abc", &pid), -1);
	CHECK_EQ(parse_pid("0x10", &pid), -1);
	CHECK_EQ(parse_pid("", &pid), -1);
}

static void test_mode(void)
{
	mode_t mode = 0;

	CHECK_EQ(parse_mode("600", &mode), 0);
	CHECK_EQ(mode, 0600);
	CHECK_EQ(parse_mode("0640", &mode), 0);
	CHECK_EQ(mode, 0640);
	CHECK_EQ(parse_mode("0", &mode), 0);
	CHECK_EQ(mode, 0);
	CHECK_EQ(parse_mode("777", &mode), 0);
	CHECK_EQ(parse_mode("1777", &mode), -1);
	CHECK_EQ(parse_mode("800", &mode), -1);
	CHECK_EQ(parse_mode("rw", &mode), -1);
	CHECK_EQ(parse_mode("-600", &mode), -1);
	CHECK_EQ(parse_mode("", &mode), -1);
}

static void test_range(void)
{
	unsigned long s = 0, e = 0;

	CHECK_EQ(parse_range("7f0000000000-7f0001000000", &s, &e), 0);
	CHECK(s == 0x7f0000000000UL && e == 0x7f0001000000UL);
	CHECK_EQ(parse_range("0x1000-0X3000", &s, &e), 0);
	CHECK(s == 0x1000 && e == 0x3000);
	CHECK_EQ(parse_range("0-ffffffffffffffff", &s, &e), 0);
	CHECK(s == 0 && e == ULONG_MAX);
	CHECK_EQ(parse_range("3000-1000", &s, &e), -1);
	CHECK_EQ(parse_range("1000-1000", &s, &e), -1);
	CHECK_EQ(parse_range("1000", &s, &e), -1);
	CHECK_EQ(parse_range("1000-", &s, &e), -1);
	CHECK_EQ(parse_range("-1000", &s, &e), -1);
	CHECK_EQ(parse_range("1000--2000", &s, &e), -1);
	CHECK_EQ(parse_range("0x0x1000-2000", &s, &e), -1);
	CHECK_EQ(parse_range("1000-2000-3000", &s, &e), -1);
	CHECK_EQ(parse_range("1000 -2000", &s, &e), -1);
	CHECK_EQ(parse_range("g000-2000", &s, &e), -1);
	CHECK_EQ(parse_range("10000000000000000-20000000000000000", &s, &e),
		 -1);
	CHECK_EQ(parse_range("00000000000000000000000000000001000-2000", &s,
			     &e), -1);
}

/* What the writer makes of some calls, as one string */
static char *render(void (*fn)(struct json *j))
{
	struct json j;
	size_t len;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	json_begin(&j, f);
	fn(&j);
	json_end(&j);
	fclose(f);
	return buf;
}

static void nested(struct json *j)
{
	json_str(j, "name", "a\"b\\c\n\t\x01\x7f\xc3\xa9/");
	json_u64(j, "big", UINT64_MAX);
	json_s64(j, "neg", INT64_MIN);
	json_array(j, "list");
	json_str(j, NULL, "x");
	json_null(j, NULL);
	json_object(j, NULL);
	json_bool(j, "t", 1);
	json_bool(j, "f", 0);
	json_close(j, '}');
	json_close(j, ']');
	json_double(j, "d", 1.5);
	json_double(j, "nan", 0.0 / 0.0);
}

static void empty(struct json *j)
{
	json_array(j, "none");
	json_close(j, ']');
}

static void test_json(void)
{
	char *s = render(nested);

	CHECK_STR(s, "{\"name\":\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\\u00c3"
		  "\\u00a9/\",\"big\":18446744073709551615,"
		  "\"neg\":-9223372036854775808,\"list\":[\"x\",null,"
		  "{\"t\":true,\"f\":false}],\"d\":1.500000,\"nan\":null}\n");
	free(s);
	s = render(empty);
	CHECK_STR(s, "{\"none\":[]}\n");
	free(s);
}

#define T(name) { #name, test_##name }

int main(void)
{
	static const struct tap_test tests[] = {
		T(pid), T(mode), T(range), T(json),
	};

	return tap_run(tests, sizeof(tests) / sizeof(tests[0]));
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mpdk-perf's wire format, without a network: the JSON parser and printer,
 * iperf3's cookie and stream ids, the parameter and result messages (also
 * as iperf 3.12 really sends them, captured with iperf3 --debug), and the
 * framing of the control connection fed in every possible split.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "iperf_proto.h"
#include "json.h"

/* ------------------------------------------------------------------ JSON */

static struct json *parse(const char *s)
{
	return json_parse(s, strlen(s), NULL, NULL);
}

static void test_json_values(void **state)
{
	(void)state;
	struct json *j = parse(" {\"a\": 1, \"b\": -2.5e3, \"c\": \"x\\u00e9\\n\", \"d\": [true, false, null],"
			       " \"e\": {}, \"f\": [], \"big\": 12345678901234, \"z\": 0} ");
	assert_non_null(j);
	assert_int_equal(j->type, JSON_OBJECT);
	assert_int_equal(j->n, 8);
	int64_t i;
	double d;
	assert_true(json_get_int(j, "a", &i));
	assert_int_equal(i, 1);
	assert_true(json_get(j, "a")->is_int);
	assert_true(json_get_double(j, "b", &d));
	assert_true(d == -2500.0);
	assert_false(json_get(j, "b")->is_int);
	struct json *c = json_get_type(j, "c", JSON_STRING);
	assert_non_null(c);
	assert_string_equal(c->s, "x\xc3\xa9\n");
	struct json *arr = json_get_type(j, "d", JSON_ARRAY);
	assert_non_null(arr);
	assert_int_equal(arr->n, 3);
	assert_int_equal(json_at(arr, 0)->type, JSON_TRUE);
	assert_int_equal(json_at(arr, 1)->type, JSON_FALSE);
	assert_int_equal(json_at(arr, 2)->type, JSON_NULL);
	assert_null(json_at(arr, 3));
	assert_int_equal(json_get(j, "e")->n, 0);
	assert_true(json_get_int(j, "big", &i));
	assert_true(i == 12345678901234ll);
	assert_null(json_get(j, "missing"));
	assert_null(json_get_type(j, "a", JSON_STRING));
	json_free(j);

	/* a surrogate pair is one code point: U+1F600 */
	j = parse("\"\\ud83d\\ude00\"");
	assert_non_null(j);
	assert_string_equal(j->s, "\xf0\x9f\x98\x80");
	json_free(j);
}

static void test_json_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.", ".5", "-",
		"1e", "+1", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"",
		"\"a\nb\"", "tru", "nul", "[1 2]", "{\"a\":1}x", "[]]", "NaN", "Infinity",
		"\"\\ud83d\\u0041\"",
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		const char *err = NULL;
		size_t off = 99999;
		struct json *j = json_parse(bad[k], strlen(bad[k]), &err, &off);
		if (j != NULL)
			fail_msg("accepted %s", bad[k]);
		assert_non_null(err);
		assert_true(off <= strlen(bad[k]));
	}
	/* a NUL inside the text is not whitespace */
	assert_null(json_parse("1\0", 2, NULL, NULL));
	/* depth is bounded */
	char deep[2 * JSON_MAX_DEPTH + 8];
	size_t n = 0;
	for (int k = 0; k < JSON_MAX_DEPTH + 1; k++)
		deep[n++] = '[';
	for (int k = 0; k < JSON_MAX_DEPTH + 1; k++)
		deep[n++] = ']';
	assert_null(json_parse(deep, n, NULL, NULL));
	struct json *ok = json_parse(deep + 1, n - 2, NULL, NULL);
	assert_non_null(ok);
	json_free(ok);
}

static void test_json_print(void **state)
{
	(void)state;
	struct json *j = json_new(JSON_OBJECT);
	json_add_int(j, "i", -42);
	json_add_double(j, "d", 0.1);
	json_add_double(j, "whole", 3.0);
	json_add_double(j, "nan", NAN);
	json_add_string(j, "s", "q\"b\\\x01\t");
	json_add_bool(j, "t", true);
	struct json *a = json_add_array(j, "a");
	json_push(a, json_new_int(1));
	json_push(a, json_new(JSON_NULL));
	json_add_object(j, "o");
	size_t len = 0;
	char *s = json_print(j, 0, &len);
	assert_non_null(s);
	assert_string_equal(s, "{\"i\":-42,\"d\":0.1,\"whole\":3,\"nan\":null,"
			       "\"s\":\"q\\\"b\\\\\\u0001\\t\",\"t\":true,\"a\":[1,null],\"o\":{}}");
	assert_int_equal(len, strlen(s));
	/* what we print we read back the same */
	struct json *back = json_parse(s, len, NULL, NULL);
	assert_non_null(back);
	char *s2 = json_print(back, 0, NULL);
	assert_string_equal(s, s2);
	free(s2);
	json_free(back);
	free(s);
	/* pretty printing is still JSON */
	s = json_print(j, 2, &len);
	assert_non_null(s);
	assert_non_null(strstr(s, "\n  \"i\": -42,\n"));
	back = json_parse(s, len, NULL, NULL);
	assert_non_null(back);
	assert_int_equal(back->n, j->n);
	json_free(back);
	free(s);
	/* doubles that need 17 digits keep them */
	struct json *v = json_new_double(0.1 + 0.2);
	s = json_print(v, 0, NULL);
	assert_true(strtod(s, NULL) == 0.1 + 0.2);
	free(s);
	json_free(v);
	json_free(j);
	assert_false(json_oom());
}

/* ------------------------------------------------------------------ iperf3 */

static void test_cookie_and_ids(void **state)
{
	(void)state;
	uint8_t rnd[IPERF_COOKIE_SIZE - 1];
	char c[IPERF_COOKIE_SIZE];
	for (unsigned k = 0; k < sizeof(rnd); k++)
		rnd[k] = (uint8_t)(k * 37 + 11);
	iperf_cookie_make(c, rnd);
	assert_int_equal(strlen(c), 36);
	assert_true(iperf_cookie_valid(c));
	c[5] = 'A';
	assert_false(iperf_cookie_valid(c));
	/* a real iperf 3.12 cookie */
	assert_true(iperf_cookie_valid("imf3hdf3qteybfhacidanbiaadh3bhemyd4k"));
	assert_int_equal(iperf_stream_id(0), 1);
	assert_int_equal(iperf_stream_id(1), 3);
	assert_int_equal(iperf_stream_id(2), 4);
	assert_int_equal(iperf_stream_id(127), 129);
	assert_string_equal(iperf_state_name(IPERF_PARAM_EXCHANGE), "PARAM_EXCHANGE");
	assert_string_equal(iperf_state_name(IPERF_SERVER_ERROR), "SERVER_ERROR");
	assert_null(iperf_state_name(3));
}

/* What iperf 3.12 sends for "iperf3 -c H -t 1 -P 2 -R" (iperf3 --debug). */
static const char iperf312_params[] =
	"{\"tcp\":true,\"omit\":0,\"time\":1,\"num\":0,\"blockcount\":0,\"parallel\":2,"
	"\"reverse\":true,\"len\":131072,\"pacing_timer\":1000,\"client_version\":\"3.12\"}";

static void test_params(void **state)
{
	(void)state;
	struct iperf_params p;
	const char *why = NULL;
	assert_int_equal(iperf_params_decode(iperf312_params, strlen(iperf312_params), &p, &why), 0);
	assert_true(p.tcp);
	assert_false(p.udp);
	assert_true(p.reverse);
	assert_int_equal(p.time, 1);
	assert_int_equal(p.parallel, 2);
	assert_int_equal(p.len, 131072);
	assert_string_equal(p.client_version, "3.12");

	/* ours round-trips, and has what iperf3 requires with the right types */
	struct iperf_params q;
	iperf_params_defaults(&q);
	q.time = 0;
	q.num = 5000000;
	q.parallel = 3;
	q.reverse = true;
	snprintf(q.congestion, sizeof(q.congestion), "cubic");
	size_t len;
	char *s = iperf_params_encode(&q, &len);
	assert_non_null(s);
	struct json *j = json_parse(s, len, NULL, NULL);
	assert_non_null(json_get_type(j, "tcp", JSON_TRUE));
	assert_non_null(json_get_type(j, "reverse", JSON_TRUE));
	assert_non_null(json_get_type(j, "time", JSON_NUMBER));
	assert_non_null(json_get_type(j, "num", JSON_NUMBER));
	assert_non_null(json_get_type(j, "parallel", JSON_NUMBER));
	assert_non_null(json_get_type(j, "client_version", JSON_STRING));
	json_free(j);
	assert_int_equal(iperf_params_decode(s, len, &p, &why), 0);
	assert_int_equal(p.num, 5000000);
	assert_int_equal(p.parallel, 3);
	assert_true(p.reverse);
	assert_string_equal(p.congestion, "cubic");
	free(s);

	/* wrong types and non-objects are refused with a reason */
	const char *bad1 = "{\"tcp\":true,\"time\":\"10\"}";
	assert_int_equal(iperf_params_decode(bad1, strlen(bad1), &p, &why), -EINVAL);
	assert_non_null(strstr(why, "time"));
	assert_int_equal(iperf_params_decode("[1]", 3, &p, &why), -EINVAL);
	assert_int_equal(iperf_params_decode("{", 1, &p, &why), -EINVAL);
	/* unknown members are fine (newer clients send more) */
	const char *newer = "{\"tcp\":true,\"time\":3,\"parallel\":1,\"skip_rx_copy\":1,\"mptcp\":true}";
	assert_int_equal(iperf_params_decode(newer, strlen(newer), &p, &why), 0);
	assert_true(p.mptcp);
	/* UDP is reported as such */
	const char *udp = "{\"udp\":true,\"time\":3}";
	assert_int_equal(iperf_params_decode(udp, strlen(udp), &p, &why), 0);
	assert_true(p.udp);
	assert_false(p.tcp);
}

/* The server's results iperf 3.12 sent in the same test. */
static const char iperf312_results[] =
	"{\"cpu_util_total\":32.0573177484712,\"cpu_util_user\":0.038882191956084111,"
	"\"cpu_util_system\":32.018335602294151,\"sender_has_retransmits\":1,"
	"\"congestion_used\":\"bbr\",\"streams\":[{\"id\":1,\"bytes\":969932800,\"retransmits\":1,"
	"\"jitter\":0,\"errors\":0,\"packets\":0,\"start_time\":0,\"end_time\":1.000428},"
	"{\"id\":3,\"bytes\":985661440,\"retransmits\":2,\"jitter\":0,\"errors\":0,\"packets\":0,"
	"\"start_time\":0,\"end_time\":1.000432}]}";

static void test_results(void **state)
{
	(void)state;
	struct iperf_results *r = calloc(1, sizeof(*r));
	const char *why = NULL;
	assert_int_equal(iperf_results_decode(iperf312_results, strlen(iperf312_results), r, &why), 0);
	assert_int_equal(r->n_streams, 2);
	assert_int_equal(r->sender_has_retransmits, 1);
	assert_string_equal(r->congestion_used, "bbr");
	const struct iperf_stream_result *s3 = iperf_results_stream(r, 3);
	assert_non_null(s3);
	assert_true(s3->bytes == 985661440);
	assert_int_equal(s3->retransmits, 2);
	assert_true(s3->has_times);
	assert_true(fabs(s3->end_time - 1.000432) < 1e-9);
	assert_null(iperf_results_stream(r, 2));

	/* ours round-trip */
	size_t len;
	char *s = iperf_results_encode(r, &len);
	assert_non_null(s);
	struct iperf_results *r2 = calloc(1, sizeof(*r2));
	assert_int_equal(iperf_results_decode(s, len, r2, &why), 0);
	assert_int_equal(r2->n_streams, 2);
	assert_true(r2->streams[0].bytes == 969932800);
	assert_true(r2->cpu_total == r->cpu_total);
	free(s);

	/* bytes beyond 32 bits survive */
	r2->streams[0].bytes = 5000000000ll;
	s = iperf_results_encode(r2, &len);
	iperf_results_clear(r2);
	assert_int_equal(iperf_results_decode(s, len, r2, &why), 0);
	assert_true(r2->streams[0].bytes == 5000000000ll);
	free(s);

	/* a missing required member is an error */
	const char *bad = "{\"cpu_util_total\":1,\"cpu_util_user\":1,\"cpu_util_system\":0,"
			  "\"sender_has_retransmits\":0,\"streams\":[{\"id\":1,\"bytes\":5}]}";
	assert_int_equal(iperf_results_decode(bad, strlen(bad), r2, &why), -EINVAL);
	const char *nostreams = "{\"cpu_util_total\":1,\"cpu_util_user\":1,\"cpu_util_system\":0,"
				"\"sender_has_retransmits\":0}";
	assert_int_equal(iperf_results_decode(nostreams, strlen(nostreams), r2, &why), -EINVAL);
	iperf_results_clear(r);
	iperf_results_clear(r2);
	free(r);
	free(r2);
}

/* ------------------------------------------------------------------ framing */

/* A control stream as a server sends it: PARAM_EXCHANGE, CREATE_STREAMS,
 * TEST_START, TEST_RUNNING, EXCHANGE_RESULTS, results JSON,
 * DISPLAY_RESULTS, then SERVER_ERROR with its two integers. */
static size_t build_stream(uint8_t *out, const char *json)
{
	size_t n = 0;
	out[n++] = IPERF_PARAM_EXCHANGE;
	out[n++] = IPERF_CREATE_STREAMS;
	out[n++] = IPERF_TEST_START;
	out[n++] = IPERF_TEST_RUNNING;
	out[n++] = IPERF_EXCHANGE_RESULTS;
	iperf_json_header(out + n, (uint32_t)strlen(json));
	n += 4;
	memcpy(out + n, json, strlen(json));
	n += strlen(json);
	out[n++] = IPERF_DISPLAY_RESULTS;
	out[n++] = (uint8_t)(int8_t)IPERF_SERVER_ERROR;
	iperf_json_header(out + n, 131);
	n += 4;
	iperf_json_header(out + n, 22);
	n += 4;
	return n;
}

/* Feed @data in pieces of @piece bytes; check the messages come out whole. */
static void feed(const uint8_t *data, size_t len, size_t piece, const char *json)
{
	struct iperf_ctrl_rx rx;
	static const int want_states[] = { IPERF_PARAM_EXCHANGE, IPERF_CREATE_STREAMS, IPERF_TEST_START,
					   IPERF_TEST_RUNNING, IPERF_EXCHANGE_RESULTS };
	unsigned got_states = 0;
	bool got_json = false, got_display = false, got_error = false;
	enum iperf_expect expect = IPERF_EXPECT_STATE;
	struct iperf_ctrl_msg m;

	iperf_ctrl_rx_init(&rx);
	for (size_t off = 0; off < len; off += piece) {
		size_t n = len - off < piece ? len - off : piece;
		assert_int_equal(iperf_ctrl_rx_push(&rx, data + off, n), 0);
		int rc;
		while ((rc = iperf_ctrl_rx_next(&rx, expect, &m)) == 1) {
			if (m.kind == IPERF_EXPECT_JSON) {
				assert_int_equal(m.json_len, strlen(json));
				assert_memory_equal(m.json, json, m.json_len);
				got_json = true;
				expect = IPERF_EXPECT_STATE;
			} else if (m.kind == IPERF_EXPECT_ERROR) {
				assert_int_equal(m.error, 131);
				assert_int_equal(m.err_no, 22);
				got_error = true;
				expect = IPERF_EXPECT_STATE;
			} else if (got_states < 5) {
				assert_int_equal(m.state, want_states[got_states]);
				if (++got_states == 5)
					expect = IPERF_EXPECT_JSON;
			} else if (!got_display) {
				assert_int_equal(m.state, IPERF_DISPLAY_RESULTS);
				got_display = true;
			} else {
				assert_int_equal(m.state, IPERF_SERVER_ERROR);
				expect = IPERF_EXPECT_ERROR;
			}
		}
		assert_int_equal(rc, 0);
	}
	assert_true(got_json && got_display && got_error);
	assert_int_equal(iperf_ctrl_rx_pending(&rx), 0);
	iperf_ctrl_rx_free(&rx);
}

static void test_framing(void **state)
{
	(void)state;
	uint8_t buf[1024];
	size_t n = build_stream(buf, iperf312_results);
	for (size_t piece = 1; piece <= n; piece++)
		feed(buf, n, piece, iperf312_results);

	/* a length of 0 or beyond the limit is refused */
	struct iperf_ctrl_rx rx;
	struct iperf_ctrl_msg m;
	uint8_t hdr[4];
	iperf_ctrl_rx_init(&rx);
	iperf_json_header(hdr, 0);
	iperf_ctrl_rx_push(&rx, hdr, 4);
	assert_int_equal(iperf_ctrl_rx_next(&rx, IPERF_EXPECT_JSON, &m), -EMSGSIZE);
	iperf_ctrl_rx_free(&rx);
	iperf_ctrl_rx_init(&rx);
	iperf_json_header(hdr, IPERF_JSON_MAX + 1);
	iperf_ctrl_rx_push(&rx, hdr, 4);
	assert_int_equal(iperf_ctrl_rx_next(&rx, IPERF_EXPECT_JSON, &m), -EMSGSIZE);
	iperf_ctrl_rx_free(&rx);
	/* a state byte is signed */
	iperf_ctrl_rx_init(&rx);
	uint8_t ad = 0xff;
	iperf_ctrl_rx_push(&rx, &ad, 1);
	assert_int_equal(iperf_ctrl_rx_next(&rx, IPERF_EXPECT_STATE, &m), 1);
	assert_int_equal(m.state, IPERF_ACCESS_DENIED);
	iperf_ctrl_rx_free(&rx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_values),
		cmocka_unit_test(test_json_rejects),
		cmocka_unit_test(test_json_print),
		cmocka_unit_test(test_cookie_and_ids),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_results),
		cmocka_unit_test(test_framing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

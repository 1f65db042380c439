/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iperf3's control protocol: cookies, state bytes, the parameter and result
 * messages and the framing of the control connection. Written from the
 * protocol's behaviour (see iperf_proto.h); no iperf3 code.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "iperf_proto.h"
#include "json.h"

static const char cookie_chars[] = "abcdefghijklmnopqrstuvwxyz234567";

const char *iperf_state_name(int s)
{
	switch (s) {
	case IPERF_TEST_START: return "TEST_START";
	case IPERF_TEST_RUNNING: return "TEST_RUNNING";
	case IPERF_TEST_END: return "TEST_END";
	case IPERF_PARAM_EXCHANGE: return "PARAM_EXCHANGE";
	case IPERF_CREATE_STREAMS: return "CREATE_STREAMS";
	case IPERF_SERVER_TERMINATE: return "SERVER_TERMINATE";
	case IPERF_CLIENT_TERMINATE: return "CLIENT_TERMINATE";
	case IPERF_EXCHANGE_RESULTS: return "EXCHANGE_RESULTS";
	case IPERF_DISPLAY_RESULTS: return "DISPLAY_RESULTS";
	case IPERF_IPERF_START: return "IPERF_START";
	case IPERF_IPERF_DONE: return "IPERF_DONE";
	case IPERF_ACCESS_DENIED: return "ACCESS_DENIED";
	case IPERF_SERVER_ERROR: return "SERVER_ERROR";
	}
	return NULL;
}

const char *iperf_error_text(int32_t ie)
{
	switch (ie) {
	case IPERF_IE_UNIMP: return "an option of the test is not implemented by the server";
	case 7: return "the block size is too large";
	case 6: return "too many parallel streams";
	case 101: return "the server could not initialize the test";
	case 102: return "the server could not listen";
	case 104: return "the server could not accept the connection";
	case 106: return "the server could not receive the cookie";
	case 108: return "the server could not read from the control connection";
	case 109: return "the control connection closed unexpectedly";
	case 110: return "the server received an unknown control message";
	case 114: return "the server could not receive the test parameters";
	case 117: return "the server could not receive the results";
	case 119: return "the client has terminated";
	case 121: return "the server is busy running a test";
	case 131: return "the server does not support the protocol";
	case 134: return "the server could not set the congestion control";
	case 142: return "the test was not authorized";
	case 144: return "nothing was received for too long";
	case 204: return "the server could not accept a stream";
	case 206: return "the server could not read from a stream";
	case 207: return "a stream closed unexpectedly";
	case 208: return "a stream has an invalid id";
	}
	return "error (see iperf3's error numbers)";
}

void iperf_cookie_make(char cookie[IPERF_COOKIE_SIZE], const uint8_t random[IPERF_COOKIE_SIZE - 1])
{
	/* 32 characters: a byte's low 5 bits pick one without bias */
	for (unsigned i = 0; i < IPERF_COOKIE_SIZE - 1; i++)
		cookie[i] = cookie_chars[random[i] & 31];
	cookie[IPERF_COOKIE_SIZE - 1] = '\0';
}

bool iperf_cookie_valid(const char c[IPERF_COOKIE_SIZE])
{
	if (c[IPERF_COOKIE_SIZE - 1] != '\0')
		return false;
	for (unsigned i = 0; i < IPERF_COOKIE_SIZE - 1; i++)
		if (c[i] == '\0' || strchr(cookie_chars, c[i]) == NULL)
			return false;
	return true;
}

int iperf_stream_id(unsigned idx)
{
	/* iperf3 gives the first stream 1 and the (k+1)-th stream k+2. */
	return idx == 0 ? 1 : (int)idx + 2;
}

/* ------------------------------------------------------------ parameters */

void iperf_params_defaults(struct iperf_params *p)
{
	memset(p, 0, sizeof(*p));
	p->tcp = true;
	p->time = 10;
	p->parallel = 1;
	p->len = IPERF_DEFAULT_BLKSIZE;
	p->pacing_timer = 1000;
}

char *iperf_params_encode(const struct iperf_params *p, size_t *len)
{
	struct json *j = json_new(JSON_OBJECT);
	if (j == NULL)
		return NULL;
	if (p->udp)
		json_add_bool(j, "udp", true);
	else if (p->sctp)
		json_add_bool(j, "sctp", true);
	else
		json_add_bool(j, "tcp", true);
	json_add_int(j, "omit", p->omit);
	json_add_int(j, "time", p->time);
	json_add_int(j, "num", p->num);
	json_add_int(j, "blockcount", p->blockcount);
	if (p->mss)
		json_add_int(j, "MSS", p->mss);
	if (p->nodelay)
		json_add_bool(j, "nodelay", true);
	json_add_int(j, "parallel", p->parallel);
	if (p->reverse)
		json_add_bool(j, "reverse", true);
	if (p->bidirectional)
		json_add_bool(j, "bidirectional", true);
	if (p->mptcp)
		json_add_bool(j, "mptcp", true);
	if (p->window)
		json_add_int(j, "window", p->window);
	if (p->len)
		json_add_int(j, "len", p->len);
	if (p->bandwidth)
		json_add_int(j, "bandwidth", p->bandwidth);
	if (p->fqrate)
		json_add_int(j, "fqrate", p->fqrate);
	if (p->pacing_timer)
		json_add_int(j, "pacing_timer", p->pacing_timer);
	if (p->burst)
		json_add_int(j, "burst", p->burst);
	if (p->tos)
		json_add_int(j, "TOS", p->tos);
	if (p->flowlabel)
		json_add_int(j, "flowlabel", p->flowlabel);
	if (p->congestion[0])
		json_add_string(j, "congestion", p->congestion);
	if (p->get_server_output)
		json_add_int(j, "get_server_output", 1);
	json_add_string(j, "client_version", p->client_version[0] ? p->client_version : "3.12");
	char *s = json_oom() ? NULL : json_print(j, 0, len);
	json_free(j);
	return s;
}

/* A member that is present must have the type iperf3 gives it. */
static bool get_flag(const struct json *j, const char *key, bool *out, const char **why)
{
	struct json *m = json_get(j, key);
	if (m == NULL)
		return true;
	/* iperf3 only ever sends true; 3.x before 3.16 tested presence. */
	if (m->type != JSON_TRUE && m->type != JSON_FALSE && m->type != JSON_NUMBER) {
		*why = key;
		return false;
	}
	*out = m->type == JSON_TRUE || (m->type == JSON_NUMBER && m->d != 0);
	return true;
}

static bool get_num(const struct json *j, const char *key, int64_t *out, const char **why)
{
	struct json *m = json_get(j, key);
	if (m == NULL)
		return true;
	if (m->type != JSON_NUMBER) {
		*why = key;
		return false;
	}
	*out = m->i;
	return true;
}

static bool get_str(const struct json *j, const char *key, char *out, size_t cap, const char **why)
{
	struct json *m = json_get(j, key);
	if (m == NULL)
		return true;
	if (m->type != JSON_STRING) {
		*why = key;
		return false;
	}
	snprintf(out, cap, "%s", m->s);
	return true;
}

int iperf_params_decode(const char *text, size_t len, struct iperf_params *p, const char **why)
{
	const char *err = NULL;
	const char *bad = NULL;
	static char msg[96];
	struct json *j = json_parse(text, len, &err, NULL);

	memset(p, 0, sizeof(*p));
	if (j == NULL || j->type != JSON_OBJECT) {
		snprintf(msg, sizeof(msg), "parameters are not a JSON object%s%s",
			 err ? ": " : "", err ? err : "");
		*why = msg;
		json_free(j);
		return -EINVAL;
	}
	bool ok = get_flag(j, "tcp", &p->tcp, &bad) && get_flag(j, "udp", &p->udp, &bad) &&
		  get_flag(j, "sctp", &p->sctp, &bad) && get_flag(j, "reverse", &p->reverse, &bad) &&
		  get_flag(j, "bidirectional", &p->bidirectional, &bad) &&
		  get_flag(j, "nodelay", &p->nodelay, &bad) && get_flag(j, "mptcp", &p->mptcp, &bad) &&
		  get_flag(j, "get_server_output", &p->get_server_output, &bad) &&
		  get_num(j, "omit", &p->omit, &bad) && get_num(j, "time", &p->time, &bad) &&
		  get_num(j, "num", &p->num, &bad) && get_num(j, "blockcount", &p->blockcount, &bad) &&
		  get_num(j, "parallel", &p->parallel, &bad) && get_num(j, "len", &p->len, &bad) &&
		  get_num(j, "window", &p->window, &bad) && get_num(j, "MSS", &p->mss, &bad) &&
		  get_num(j, "bandwidth", &p->bandwidth, &bad) &&
		  get_num(j, "fqrate", &p->fqrate, &bad) &&
		  get_num(j, "pacing_timer", &p->pacing_timer, &bad) &&
		  get_num(j, "burst", &p->burst, &bad) && get_num(j, "TOS", &p->tos, &bad) &&
		  get_num(j, "flowlabel", &p->flowlabel, &bad) &&
		  get_str(j, "congestion", p->congestion, sizeof(p->congestion), &bad) &&
		  get_str(j, "client_version", p->client_version, sizeof(p->client_version), &bad);
	json_free(j);
	if (!ok) {
		snprintf(msg, sizeof(msg), "parameter \"%s\" has the wrong type", bad);
		*why = msg;
		return -EINVAL;
	}
	if (!p->udp && !p->sctp)
		p->tcp = true;
	if (p->parallel <= 0)
		p->parallel = 1;
	return 0;
}

/* ---------------------------------------------------------------- results */

char *iperf_results_encode(const struct iperf_results *r, size_t *len)
{
	struct json *j = json_new(JSON_OBJECT);
	if (j == NULL)
		return NULL;
	json_add_double(j, "cpu_util_total", r->cpu_total);
	json_add_double(j, "cpu_util_user", r->cpu_user);
	json_add_double(j, "cpu_util_system", r->cpu_system);
	json_add_int(j, "sender_has_retransmits", r->sender_has_retransmits);
	if (r->congestion_used[0])
		json_add_string(j, "congestion_used", r->congestion_used);
	if (r->server_output_text != NULL)
		json_add_string(j, "server_output_text", r->server_output_text);
	struct json *a = json_add_array(j, "streams");
	for (unsigned i = 0; i < r->n_streams; i++) {
		const struct iperf_stream_result *s = &r->streams[i];
		struct json *o = json_push(a, json_new(JSON_OBJECT));
		json_add_int(o, "id", s->id);
		json_add_int(o, "bytes", s->bytes);
		json_add_int(o, "retransmits", s->retransmits);
		json_add_double(o, "jitter", s->jitter);
		json_add_int(o, "errors", s->errors);
		json_add_int(o, "omitted_errors", 0);
		json_add_int(o, "packets", s->packets);
		json_add_int(o, "omitted_packets", 0);
		json_add_double(o, "start_time", s->start_time);
		json_add_double(o, "end_time", s->end_time);
	}
	char *s = json_oom() ? NULL : json_print(j, 0, len);
	json_free(j);
	return s;
}

int iperf_results_decode(const char *text, size_t len, struct iperf_results *r, const char **why)
{
	const char *err = NULL;
	static char msg[96];
	struct json *j = json_parse(text, len, &err, NULL);

	memset(r, 0, sizeof(*r));
	if (j == NULL || j->type != JSON_OBJECT) {
		snprintf(msg, sizeof(msg), "results are not a JSON object%s%s", err ? ": " : "",
			 err ? err : "");
		*why = msg;
		json_free(j);
		return -EINVAL;
	}
	int rc = -EINVAL;
	struct json *streams;
	if (!json_get_double(j, "cpu_util_total", &r->cpu_total) ||
	    !json_get_double(j, "cpu_util_user", &r->cpu_user) ||
	    !json_get_double(j, "cpu_util_system", &r->cpu_system) ||
	    !json_get_int(j, "sender_has_retransmits", &r->sender_has_retransmits)) {
		*why = "results lack cpu_util_* or sender_has_retransmits";
		goto out;
	}
	streams = json_get_type(j, "streams", JSON_ARRAY);
	if (streams == NULL) {
		*why = "results lack the streams array";
		goto out;
	}
	if (streams->n > IPERF_MAX_STREAMS) {
		*why = "results have too many streams";
		goto out;
	}
	for (struct json *s = streams->child; s != NULL; s = s->next) {
		struct iperf_stream_result *o = &r->streams[r->n_streams];
		if (s->type != JSON_OBJECT || !json_get_int(s, "id", &o->id) ||
		    !json_get_int(s, "bytes", &o->bytes) ||
		    !json_get_int(s, "retransmits", &o->retransmits) ||
		    !json_get_double(s, "jitter", &o->jitter) ||
		    !json_get_int(s, "errors", &o->errors) ||
		    !json_get_int(s, "packets", &o->packets)) {
			*why = "a stream result lacks id, bytes, retransmits, jitter, errors or packets";
			goto out;
		}
		o->has_times = json_get_double(s, "start_time", &o->start_time) &&
			       json_get_double(s, "end_time", &o->end_time);
		r->n_streams++;
	}
	struct json *cu = json_get_type(j, "congestion_used", JSON_STRING);
	if (cu != NULL)
		snprintf(r->congestion_used, sizeof(r->congestion_used), "%s", cu->s);
	struct json *so = json_get_type(j, "server_output_text", JSON_STRING);
	if (so != NULL)
		r->server_output_text = strdup(so->s);
	rc = 0;
out:
	json_free(j);
	return rc;
}

void iperf_results_clear(struct iperf_results *r)
{
	free(r->server_output_text);
	memset(r, 0, sizeof(*r));
}

const struct iperf_stream_result *iperf_results_stream(const struct iperf_results *r, int64_t id)
{
	for (unsigned i = 0; i < r->n_streams; i++)
		if (r->streams[i].id == id)
			return &r->streams[i];
	return NULL;
}

/* ----------------------------------------------------- control-channel rx */

void iperf_ctrl_rx_init(struct iperf_ctrl_rx *rx)
{
	memset(rx, 0, sizeof(*rx));
}

void iperf_ctrl_rx_free(struct iperf_ctrl_rx *rx)
{
	free(rx->buf);
	memset(rx, 0, sizeof(*rx));
}

uint8_t *iperf_ctrl_rx_space(struct iperf_ctrl_rx *rx, size_t n)
{
	if (rx->off > 0) {
		/* drop what was consumed (the last message's pointers die here) */
		memmove(rx->buf, rx->buf + rx->off, rx->len - rx->off);
		rx->len -= rx->off;
		rx->off = 0;
	}
	if (n > IPERF_JSON_MAX + 64 || rx->len + n > IPERF_JSON_MAX + 64)
		return NULL;
	if (rx->len + n > rx->cap) {
		size_t cap = rx->cap ? rx->cap : 1024;
		while (cap < rx->len + n)
			cap *= 2;
		uint8_t *b = realloc(rx->buf, cap);
		if (b == NULL)
			return NULL;
		rx->buf = b;
		rx->cap = cap;
	}
	return rx->buf + rx->len;
}

void iperf_ctrl_rx_commit(struct iperf_ctrl_rx *rx, size_t n)
{
	rx->len += n;
}

int iperf_ctrl_rx_push(struct iperf_ctrl_rx *rx, const void *data, size_t n)
{
	uint8_t *p = iperf_ctrl_rx_space(rx, n);
	if (p == NULL)
		return -ENOMEM;
	memcpy(p, data, n);
	iperf_ctrl_rx_commit(rx, n);
	return 0;
}

size_t iperf_ctrl_rx_pending(const struct iperf_ctrl_rx *rx)
{
	return rx->len - rx->off;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int iperf_ctrl_rx_next(struct iperf_ctrl_rx *rx, enum iperf_expect expect, struct iperf_ctrl_msg *msg)
{
	size_t have = rx->len - rx->off;
	const uint8_t *p = rx->buf + rx->off;

	memset(msg, 0, sizeof(*msg));
	msg->kind = expect;
	switch (expect) {
	case IPERF_EXPECT_STATE:
		if (have < 1)
			return 0;
		msg->state = (int8_t)p[0];
		rx->off += 1;
		return 1;
	case IPERF_EXPECT_JSON: {
		if (have < 4)
			return 0;
		uint32_t n = be32(p);
		if (n == 0 || n > IPERF_JSON_MAX)
			return -EMSGSIZE;
		if (have < 4 + (size_t)n)
			return 0;
		msg->json = (const char *)p + 4;
		msg->json_len = n;
		rx->off += 4 + (size_t)n;
		return 1;
	}
	case IPERF_EXPECT_ERROR:
		if (have < 8)
			return 0;
		msg->error = (int32_t)be32(p);
		msg->err_no = (int32_t)be32(p + 4);
		rx->off += 8;
		return 1;
	}
	return 0;
}

void iperf_json_header(uint8_t hdr[4], uint32_t len)
{
	hdr[0] = (uint8_t)(len >> 24);
	hdr[1] = (uint8_t)(len >> 16);
	hdr[2] = (uint8_t)(len >> 8);
	hdr[3] = (uint8_t)len;
}

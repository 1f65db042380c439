/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_PERF_IPERF_PROTO_H
#define MPDK_PERF_IPERF_PROTO_H

/*
 * iperf3's wire protocol (as spoken by iperf 3.x, docs/mpdk-perf.md), as
 * pure logic: no sockets, no clock, no DPDK, so that it is unit-tested on
 * its own.
 *
 * A test has one control connection and N stream connections to the
 * server's port. Every connection the client opens starts with the same
 * cookie: 36 characters from [a-z2-7] and a NUL (37 bytes). On the control
 * connection the two sides then exchange
 *   - state bytes (a signed char each, IPERF_* below), and
 *   - JSON messages: a 4-byte big-endian length, then that many bytes of
 *     JSON text (no NUL): the client's parameters after PARAM_EXCHANGE,
 *     and both sides' results after EXCHANGE_RESULTS (client first);
 *   - after SERVER_ERROR, two 4-byte big-endian integers: iperf3's error
 *     code and an errno.
 * The server's sequence: PARAM_EXCHANGE, (params), CREATE_STREAMS, (the
 * streams connect), TEST_START, TEST_RUNNING, ... the client's TEST_END,
 * EXCHANGE_RESULTS, (results both ways), DISPLAY_RESULTS, the client's
 * IPERF_DONE.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IPERF_DEFAULT_PORT 5201
#define IPERF_COOKIE_SIZE 37           /* 36 characters and a NUL */
#define IPERF_DEFAULT_BLKSIZE (128 * 1024)

/* Control states: one signed byte on the control connection. */
enum {
	IPERF_TEST_START = 1,
	IPERF_TEST_RUNNING = 2,
	IPERF_TEST_END = 4,
	IPERF_PARAM_EXCHANGE = 9,
	IPERF_CREATE_STREAMS = 10,
	IPERF_SERVER_TERMINATE = 11,
	IPERF_CLIENT_TERMINATE = 12,
	IPERF_EXCHANGE_RESULTS = 13,
	IPERF_DISPLAY_RESULTS = 14,
	IPERF_IPERF_START = 15,
	IPERF_IPERF_DONE = 16,
	IPERF_ACCESS_DENIED = -1,
	IPERF_SERVER_ERROR = -2,
};

/* iperf3's error numbers that travel after SERVER_ERROR (the ones we send
 * or explain; iperf3 prints its own text for each). */
enum {
	IPERF_IE_UNIMP = 13,           /* "not implemented yet" */
	IPERF_IE_RECVPARAMS = 114,
	IPERF_IE_PROTOCOL = 131,       /* "protocol does not exist" */
	IPERF_IE_STREAMID = 208,
};

/* Name of a state ("PARAM_EXCHANGE"), or NULL for an unknown byte. */
const char *iperf_state_name(int state);

/* Text of an iperf3 error number (for a SERVER_ERROR we receive). */
const char *iperf_error_text(int32_t ie);

/* Fill @cookie (IPERF_COOKIE_SIZE bytes) from 36 random bytes. */
void iperf_cookie_make(char cookie[IPERF_COOKIE_SIZE], const uint8_t random[IPERF_COOKIE_SIZE - 1]);
/* True when @c is a well-formed cookie (the alphabet and the final NUL). */
bool iperf_cookie_valid(const char c[IPERF_COOKIE_SIZE]);

/* iperf3 numbers streams 1, 3, 4, 5, ... in the order they are created,
 * on both sides; results are matched by this id. @idx counts from 0. */
int iperf_stream_id(unsigned idx);

/* ------------------------------------------------------------ parameters */

/* The client's test parameters (the PARAM_EXCHANGE message). */
struct iperf_params {
	bool tcp, udp, sctp;
	bool reverse, bidirectional, nodelay, mptcp;
	bool get_server_output;
	int64_t omit;           /* seconds */
	int64_t time;           /* seconds, 0 with -n */
	int64_t num;            /* bytes (-n), 0 = by time */
	int64_t blockcount;     /* blocks (-k), 0 = none */
	int64_t parallel;       /* streams */
	int64_t len;            /* block size */
	int64_t window;         /* socket buffer (-w), 0 = default */
	int64_t mss;            /* -M, 0 = default */
	int64_t bandwidth;      /* bits/s (-b), 0 = unlimited */
	int64_t fqrate, pacing_timer, burst, tos, flowlabel;
	char congestion[32];    /* -C, "" = default */
	char client_version[32];
};

/* The parameters our client sends by default: TCP, @parallel streams. */
void iperf_params_defaults(struct iperf_params *p);

/* Encode as the compact JSON text iperf3 sends. @return malloc'ed text or NULL. */
char *iperf_params_encode(const struct iperf_params *p, size_t *len);

/*
 * Decode a PARAM_EXCHANGE message. Unknown members are ignored (newer
 * clients send more); members of the wrong type are errors, as newer
 * servers treat them. @return 0, or -EINVAL with *@why set.
 */
int iperf_params_decode(const char *text, size_t len, struct iperf_params *p, const char **why);

/* ---------------------------------------------------------------- results */

#define IPERF_MAX_STREAMS 128

struct iperf_stream_result {
	int64_t id;
	int64_t bytes;
	int64_t retransmits;    /* -1 when unknown (receiver) */
	double jitter;
	int64_t errors, packets;
	double start_time, end_time;  /* seconds from the test's start */
	bool has_times;
};

/* One side's results (the EXCHANGE_RESULTS message). */
struct iperf_results {
	double cpu_total, cpu_user, cpu_system;     /* percent */
	int64_t sender_has_retransmits;             /* 1, 0, or -1 (we are the receiver) */
	char congestion_used[32];                   /* "" = not sent */
	unsigned n_streams;
	struct iperf_stream_result streams[IPERF_MAX_STREAMS];
	char *server_output_text;                   /* malloc'ed or NULL */
};

char *iperf_results_encode(const struct iperf_results *r, size_t *len);
/* @return 0, or -EINVAL with *@why set (a required member is missing, a
 * stream without an id, more than IPERF_MAX_STREAMS streams). Free with
 * iperf_results_clear(). */
int iperf_results_decode(const char *text, size_t len, struct iperf_results *r, const char **why);
void iperf_results_clear(struct iperf_results *r);
/* The result of stream @id, or NULL. */
const struct iperf_stream_result *iperf_results_stream(const struct iperf_results *r, int64_t id);

/* ----------------------------------------------------- control-channel rx */

/* What the next bytes on the control connection are. */
enum iperf_expect {
	IPERF_EXPECT_STATE,     /* one state byte */
	IPERF_EXPECT_JSON,      /* 4-byte length + JSON */
	IPERF_EXPECT_ERROR,     /* two 4-byte integers after SERVER_ERROR */
};

/* Largest JSON message accepted (results with server output can be big). */
#define IPERF_JSON_MAX (4u << 20)

struct iperf_ctrl_rx {
	uint8_t *buf;
	size_t len;             /* bytes held */
	size_t off;             /* bytes consumed */
	size_t cap;
};

struct iperf_ctrl_msg {
	enum iperf_expect kind;
	int state;              /* IPERF_EXPECT_STATE */
	const char *json;       /* IPERF_EXPECT_JSON: valid until the next push */
	size_t json_len;
	int32_t error, err_no;  /* IPERF_EXPECT_ERROR */
};

void iperf_ctrl_rx_init(struct iperf_ctrl_rx *rx);
void iperf_ctrl_rx_free(struct iperf_ctrl_rx *rx);
/* Room for @n more bytes: @return where to write them (then commit), or NULL. */
uint8_t *iperf_ctrl_rx_space(struct iperf_ctrl_rx *rx, size_t n);
void iperf_ctrl_rx_commit(struct iperf_ctrl_rx *rx, size_t n);
/* Append bytes (space + commit). @return 0 or -ENOMEM. */
int iperf_ctrl_rx_push(struct iperf_ctrl_rx *rx, const void *data, size_t n);
/*
 * Take the next message of kind @expect. @return 1 with *@msg filled, 0
 * when more bytes are needed, -EMSGSIZE when a JSON length is 0 or above
 * IPERF_JSON_MAX.
 */
int iperf_ctrl_rx_next(struct iperf_ctrl_rx *rx, enum iperf_expect expect, struct iperf_ctrl_msg *msg);
/* Bytes held and not consumed. */
size_t iperf_ctrl_rx_pending(const struct iperf_ctrl_rx *rx);

/* The 4-byte length prefix of a JSON message of @len bytes. */
void iperf_json_header(uint8_t hdr[4], uint32_t len);

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_PERF_H
#define MPDK_PERF_H

/*
 * mpdk-perf: iperf3's protocol over the mpdk stack (docs/mpdk-perf.md).
 *
 * Everything runs on the main lcore: one engine, run to completion. The
 * mpdk callbacks (control connection, streams, listener) only record and
 * react; the main loops in perf_client.c and perf_server.c drive time
 * (intervals, the test's end, timeouts).
 *
 * Files: main.c (options, start-up), perf_test.c (what both roles share:
 * the control connection, the data streams, timing, results),
 * perf_client.c, perf_server.c (the two state machines), perf_report.c
 * (text and -J output), perf_payload.c (the zero-copy send buffer),
 * perf_mptcp.c (MPTCP controls and status), iperf_proto.c (the wire
 * format), json.c.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include "mpdk/mpdk.h"
#include "iperf_proto.h"
#include "json.h"

struct rte_mempool;
struct rte_mbuf;

#define PERF_NAME "mpdk-perf"
#define PERF_MAX_ENDPOINTS MPDK_MPTCP_MAX_ENDPOINTS
#define PERF_MAX_SUBFLOWS 8
#define PERF_MAX_CONNS 1000000   /* --conns */

/* ------------------------------------------------------------------ options */

enum perf_endpoint_flag {
	PERF_EP_SUBFLOW = 1,
	PERF_EP_SIGNAL = 2,
	PERF_EP_BACKUP = 4,
};

struct perf_endpoint {
	uint32_t addr;          /* network byte order */
	unsigned flags;         /* PERF_EP_* */
};

struct perf_opts {
	bool server;            /* -s */
	const char *host;       /* -c HOST */
	uint32_t host_addr;     /* network byte order */
	unsigned port;          /* -p */
	unsigned duration;      /* -t seconds */
	uint64_t bytes;         /* -n */
	unsigned streams;       /* -P */
	bool reverse;           /* -R */
	double interval;        /* -i seconds, 0 = none */
	bool json;              /* -J */
	bool one_off;           /* -1 */
	const char *congestion; /* -C */
	uint32_t window;        /* -w: send and receive buffer bytes, 0 = the stack's */
	bool tcp;               /* --tcp: plain TCP, no MPTCP */
	struct perf_endpoint endpoints[PERF_MAX_ENDPOINTS];
	unsigned n_endpoints;
	const char *scheduler;  /* --scheduler */
	unsigned timeout_s;     /* --timeout */
	bool copy;              /* --copy: mpdk_send/mpdk_recv instead of the mbuf calls */
	bool crr;               /* --crr: connect, request, response, close (perf_conn.c) */
	unsigned conns;         /* --conns N: open N idle connections (perf_conn.c) */
	/* which options were given, for the cross-checks */
	bool seen_server, seen_time, seen_bytes, seen_streams, seen_reverse, seen_congestion;
	bool seen_port;
	/* --app-keys KEYA:KEYB with --key-mode app (docs/security.md) */
	bool app_mode;          /* the stack's key mode is app */
	bool have_keys;
	uint64_t key_a, key_b;
};

/* ------------------------------------------------------------------ context */

/* Prebuilt payload: one buffer of random bytes that every sent mbuf
 * points into (perf_payload.c). */
#define PERF_PAYLOAD_MAX (63u * 1024)

struct perf_payload {
	struct rte_mempool *mp;     /* mbufs without data room */
	uint8_t *buf;
	void *shinfo;               /* struct rte_mbuf_ext_shared_info */
	uint64_t iova;
};

int perf_payload_init(struct perf_payload *p, unsigned n_mbufs);
/* An mbuf of @len (<= PERF_PAYLOAD_MAX) bytes of payload, or NULL. */
struct rte_mbuf *perf_payload_get(struct perf_payload *p, uint32_t len);
void perf_payload_fini(struct perf_payload *p);

/* A connection we are done with: shut down, drained, then closed. */
struct perf_linger {
	mpdk_conn_t c;
	uint64_t deadline_ns;
	struct perf_ctx *ctx;
	struct perf_linger *next;
};

struct perf_ctx {
	const struct perf_opts *o;
	struct mpdk_stack *stack;
	struct mpdk_engine *e;
	const struct mpdk_args *args;
	struct perf_payload pl;
	uint32_t sndbuf, rcvbuf;
	struct perf_linger *linger;
	unsigned n_linger;
	volatile bool *stop;
	volatile int *stop_signal;
};

uint64_t perf_now_ns(void);

/* Hand @c over to the linger list: FIN after the queued data, read and
 * discard until the peer's FIN, then close; at most @ms milliseconds. */
void perf_linger(struct perf_ctx *ctx, mpdk_conn_t c, unsigned ms);
/* Close lingering connections past their deadline. */
void perf_linger_tick(struct perf_ctx *ctx, uint64_t now);
/* Poll until nothing lingers or @ms passed (before exit). */
void perf_linger_drain(struct perf_ctx *ctx, unsigned ms);

/* ------------------------------------------------------------------ a test */

struct perf_test;

/* The subflows of a connection at one moment (mpdk_mptcp_subflows()). */
struct perf_sf_snap {
	struct mpdk_mptcp_subflow_info sf[PERF_MAX_SUBFLOWS];
	unsigned n;
};

struct perf_stream {
	struct perf_test *t;
	mpdk_conn_t c;
	int id;                 /* iperf3's stream id: 1, 3, 4, ... */
	bool sender;
	bool open;              /* we hold the handle */
	bool established;
	bool closed;            /* closed() was reported */
	int close_err;
	char cookie[IPERF_COOKIE_SIZE];
	unsigned cookie_len;    /* server: cookie bytes read so far */
	bool blocked;           /* a send was refused: writable follows */
	bool nobufs;            /* out of payload mbufs: retried from the loop */
	uint64_t bytes;         /* counted: queued for sending, or received */
	uint64_t iv_bytes;      /* at the start of the current interval */
	uint64_t retrans_base;  /* retransmits before the test started */
	uint64_t iv_retrans;
	struct mpdk_conn_info info;  /* last snapshot */
	bool have_info;
	uint32_t max_cwnd, min_rtt, max_rtt;
	uint64_t sum_rtt, n_rtt;
	uint32_t laddr, raddr;  /* network byte order */
	uint16_t lport, rport;  /* host byte order */
	struct perf_sf_snap sf_now;  /* subflows at the last snapshot */
	struct perf_sf_snap sf_iv;   /* ... at the start of the current interval */
	int app_keys;           /* --app-keys: 1 set, 0 not (yet), < 0 the error */
};

struct perf_test {
	struct perf_ctx *ctx;
	const struct perf_opts *o;
	bool server;
	unsigned test_no;

	/* control connection */
	mpdk_conn_t ctrl;
	bool ctrl_open;         /* we hold the handle */
	bool ctrl_eof;          /* the peer's FIN was read */
	bool ctrl_nobufs;
	struct iperf_ctrl_rx rx;
	enum iperf_expect expect;
	uint8_t *txq;           /* control bytes the send buffer did not take yet */
	size_t txq_len, txq_cap;
	char cookie[IPERF_COOKIE_SIZE];
	unsigned ctrl_cookie_len;  /* server: cookie bytes read so far */
	int state;              /* iperf3 state we are in (last sent or received) */
	uint32_t ctrl_laddr, ctrl_raddr;
	uint16_t ctrl_lport, ctrl_rport;
	uint32_t ctrl_mss;

	/* the test's parameters (ours, or the client's on the server) */
	struct iperf_params params;
	bool reverse;           /* the server sends */
	unsigned n_streams;
	uint64_t bytes_limit;   /* -n, 0 = by time */
	unsigned duration;
	char cc[32];            /* congestion control asked for, "" = default */

	struct perf_stream *st; /* n_streams entries */
	unsigned n_created;     /* streams connected (client) or accepted (server) */
	unsigned n_ready;       /* streams whose cookie was read (server) */

	/* time */
	uint64_t t_created_ns;
	uint64_t t0_ns;         /* TEST_RUNNING */
	uint64_t t_end_ns;      /* TEST_END */
	uint64_t iv_start_ns, next_iv_ns;
	bool running;           /* between TEST_RUNNING and TEST_END */
	bool counting;          /* received bytes still count (see perf_stream_pump_recv) */
	uint64_t last_total;    /* sent + received at the last tick */
	bool ended;             /* TEST_END sent or received */
	uint64_t sent_total, recv_total;
	uint64_t deadline_ns;   /* give up waiting for the peer at this time */
	const char *waiting_for;
	uint64_t last_progress_ns;
	struct rusage ru0;
	uint64_t cpu_t0_ns;
	double cpu[3];          /* total, user, system, percent */

	/* the peer's results */
	struct iperf_results peer;
	bool have_peer;

	/* outcome */
	bool done;              /* nothing more to do for this test */
	bool ok;                /* finished with results exchanged */
	bool reported;          /* final report printed */
	char err[256];

	/* -J document */
	struct json *jtop, *jstart, *jintervals, *jend;
	unsigned n_intervals;
};

/* perf_test.c */
struct perf_test *perf_test_new(struct perf_ctx *ctx, bool server, unsigned test_no);
void perf_test_free(struct perf_test *t);
/* Configure from the parameters (client: ours; server: received). */
int perf_test_setup(struct perf_test *t, const struct iperf_params *p);
void perf_test_fail(struct perf_test *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Queue control bytes; @return 0 or a negative code (the test failed). */
int perf_ctrl_send(struct perf_test *t, const void *data, size_t len);
int perf_ctrl_send_state(struct perf_test *t, int state);
int perf_ctrl_send_json(struct perf_test *t, const char *text, size_t len);
void perf_ctrl_flush(struct perf_test *t);
/* Read the control connection into t->rx. @return false when the
 * connection ended (EOF or error, recorded in t). */
bool perf_ctrl_read(struct perf_test *t);
extern const struct mpdk_tcp_handler perf_stream_handler;
/* Record a stream's addresses, apply the test's settings (CC). */
void perf_stream_opened(struct perf_stream *s);
/* Start the data phase (TEST_RUNNING). */
void perf_test_start_running(struct perf_test *t, uint64_t now);
/* Stop counting (TEST_END): final snapshot, CPU. */
void perf_test_stop_running(struct perf_test *t, uint64_t now);
/* Fill every sender stream's send buffer. */
void perf_streams_pump(struct perf_test *t);
void perf_stream_pump_send(struct perf_stream *s);
void perf_stream_pump_recv(struct perf_stream *s);
/* Refresh every open stream's mpdk_conn_info snapshot. */
void perf_stream_snapshot_all(struct perf_test *t);
/* Interval reports, retries, deadlines; @return false once t->done. */
void perf_test_tick(struct perf_test *t, uint64_t now);
/* Our results for the exchange. */
char *perf_results_encode(struct perf_test *t, size_t *len);
/* Hand every connection of the test to the linger list. */
void perf_test_release(struct perf_test *t, unsigned linger_ms);
void perf_set_deadline(struct perf_test *t, const char *what);
double perf_secs(const struct perf_test *t, uint64_t ns);

/* perf_client.c, perf_server.c: @return the exit status */
int perf_run_client(struct perf_ctx *ctx);
int perf_run_server(struct perf_ctx *ctx);

/* perf_conn.c: the connection modes, not iperf3's protocol. --crr:
 * connect, PERF_CRR_SIZE bytes of request and of response, close, as
 * often as possible (-P at a time, -t seconds). --conns N: open N
 * connections and keep them idle; time to open them all, memory per
 * connection. @return the exit status. */
#define PERF_CRR_SIZE 64u
int perf_run_crr(struct perf_ctx *ctx);
int perf_run_conns(struct perf_ctx *ctx);
/* The stack settings these modes need (more connections, short TIME_WAIT,
 * a wide ephemeral range); called from the configure hook. */
void perf_conn_tcp_conf(const struct perf_opts *o, struct mpdk_stack_conf *sc,
			struct mpdk_tcp_conf *tc);

/* perf_report.c */
void report_init(struct perf_test *t);
void report_server_listening(struct perf_ctx *ctx, unsigned test_no);
void report_connecting(struct perf_test *t);
void report_accepted(struct perf_test *t);
void report_streams_connected(struct perf_test *t);
void report_interval(struct perf_test *t, uint64_t from_ns, uint64_t to_ns);
void report_end(struct perf_test *t);
/* Print the -J document (with "error" when the test failed). */
void report_finish(struct perf_test *t);
void report_note(struct perf_test *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fmt_bytes(char *buf, size_t len, double bytes);
void fmt_bits(char *buf, size_t len, double bits_per_s);

/* perf_mptcp.c: MPTCP controls and status */
/* The stack's TCP settings for our options (--tcp, --endpoint,
 * --scheduler); @return 0, or -EINVAL with @why set. */
int perf_mptcp_tcp_conf(const struct perf_opts *o, const struct mpdk_stack_conf *sc,
			struct mpdk_tcp_conf *tc, char *why, size_t why_len);
/* Refresh s->sf_now (called with every mpdk_conn_info snapshot). */
void perf_mptcp_snapshot(struct perf_stream *s);
/* "active" (MPTCP), "fallback" (MPTCP offered, plain TCP), "off" (--tcp),
 * "tcp" (the peer did not offer it). */
const char *perf_mptcp_state(const struct perf_test *t, const struct perf_stream *s);
/* The status line of a connection: "MPTCP, 2 subflows" or "TCP (...)". */
void perf_mptcp_describe(const struct perf_test *t, const struct perf_stream *s, char *buf,
			 size_t len);
/* Add "mptcp" (the state) and, for MPTCP, "subflows" to @obj (-J);
 * @interval: bytes since the interval's start, else since the start. */
void perf_mptcp_json(const struct perf_test *t, const struct perf_stream *s, struct json *obj,
		     bool interval);
/* Print the per-subflow breakdown (bytes, share, RTT, retransmits) of an
 * MPTCP connection under its report line. */
void perf_mptcp_print_subflows(const struct perf_test *t, const struct perf_stream *s,
			       bool interval);
/* --app-keys: give every open stream of @t its keys (mpdk_mptcp_set_keys)
 * once its MPTCP handshake finished; called from perf_test_tick() and with
 * every snapshot. */
void perf_mptcp_app_keys(struct perf_stream *s);
/* The interval is reported: its end is the next one's start. */
void perf_mptcp_interval_done(struct perf_stream *s);

#endif

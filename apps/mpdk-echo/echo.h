/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_ECHO_H
#define MPDK_ECHO_H
/*
 * mpdk-echo's parts: main.c (options, start-up), echo_server.c (the echo
 * server), echo_client.c (the checking client and its report).
 */
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <rte_log.h>
#include "mpdk/mpdk.h"

#define ECHO_MAX_ENDPOINTS MPDK_MPTCP_MAX_ENDPOINTS
#define ECHO_MAX_PARALLEL 64     /* -P: client connections at once */

struct echo_opts {
	unsigned long tcp_port;
	unsigned long duration_s;
	const char *host;        /* -c: client mode */
	uint32_t host_addr;      /* network byte order */
	unsigned long bytes;
	unsigned long seed;
	unsigned long parallel;  /* -P: connections at once (0: one) */
	unsigned long timeout_s;
	bool sink;
	bool copy;
	/* MPTCP path manager (stack settings) */
	unsigned n_endpoints;
	struct mpdk_mptcp_endpoint endpoints[ECHO_MAX_ENDPOINTS];
	bool deny_join_initial;
	/* --remove-addr-after BYTES:ADDR: take endpoint ADDR away once BYTES
	 * were echoed (server) or sent (client) */
	bool rm_set;
	unsigned long rm_after;
	uint32_t rm_addr;
	/* --app-keys KEYA:KEYB with --key-mode app (docs/security.md): the
	 * out-of-band pre-shared keys every connection gets once established */
	bool app_mode;           /* the stack's key mode is app */
	bool have_keys;
	uint64_t key_a, key_b;
	/* which options were given, for the cross-checks */
	bool seen_duration, seen_bytes, seen_seed, seen_timeout, seen_parallel;
};

extern volatile bool stop;
extern volatile sig_atomic_t stop_signal;
extern int echo_logtype;

#define ECHO_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, echo_logtype, "mpdk-echo: " fmt "\n", ##__VA_ARGS__)

static inline uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* --remove-addr-after: when @p done bytes reached the mark, remove the
 * endpoint from engine @p e (once: *@p removed remembers it, one flag per
 * engine) and say so. Call on @p e's thread. */
void echo_maybe_remove_addr(struct mpdk_engine *e, const struct echo_opts *o, uint64_t done,
			    bool *removed);

/* --app-keys: give connection @p c the keys (mpdk_mptcp_set_keys). @return
 * 1 when set, 0 when not yet possible (the MPTCP handshake is not finished:
 * call again later), or a negative code when it cannot be done (plain TCP
 * after the peer did not take flag G: -EOPNOTSUPP). */
int echo_set_keys(mpdk_conn_t c, const struct echo_opts *o);

/* Both run every engine of @p e's stack: engine k on thread k % T, T =
 * min(engines, EAL lcores), thread 0 the calling (main) lcore, thread t
 * the t-th worker lcore; so engines may share an lcore. */
int run_server(struct mpdk_engine *e, const struct echo_opts *o);
int run_client(struct mpdk_engine *e, const struct echo_opts *o);

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_TCP_H
#define MPDK_TCP_H

/**
 * @file
 * TCP connections (RFC 9293) on an mpdk engine.
 *
 * Handles. A connection or listener is named by an ::mpdk_conn_t, a 64-bit
 * handle that encodes the engine, a slot and a generation. A handle stays
 * safe to pass after its connection is gone: every call then returns
 * -EBADF (or -ENOTCONN where noted); it never touches freed memory.
 * 0 (::MPDK_CONN_INVALID) is never a valid handle.
 *
 * Thread model. A connection lives on one engine. Every call on it (and on
 * its engine) must be made by the thread that polls that engine: from a
 * callback, or between two mpdk_engine_poll() calls. Nothing here locks.
 *
 * Events. Each listener and connection has a handler (struct
 * mpdk_tcp_handler) whose callbacks the engine calls from mpdk_engine_poll()
 * (never from inside another mpdk_* call). Callbacks may call any mpdk_tcp
 * function, including mpdk_close()/mpdk_abort() on the connection being
 * reported. Accepted connections inherit their listener's handler; change it
 * with mpdk_conn_set_handler().
 *
 * Lifetime. The application holds a connection from mpdk_connect() /
 * mpdk_accept() until either it calls mpdk_close() or mpdk_abort(), or the
 * engine calls handler->closed(). After either, the handle is stale. The
 * closed() callback is the last event of a connection: it reports 0 when
 * both directions finished normally (our FIN acknowledged and the peer's FIN
 * received), or a negative error: -ECONNRESET (RST received), -ETIMEDOUT
 * (retransmission, SYN or keepalive budget exhausted), -ECONNREFUSED (RST
 * in reply to our SYN), -ENOMEM (resources). During closed() the handle is
 * still valid for mpdk_conn_info() and mpdk_recv() of data left in the
 * receive buffer; mpdk_close() there is accepted and does nothing more.
 * After mpdk_close() no more callbacks are made; the engine finishes the
 * close (FIN, retransmissions, TIME_WAIT) on its own.
 */

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "mpdk_mptcp.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mpdk_engine;
struct rte_mbuf;

#ifndef MPDK_CONN_T_DEFINED
#define MPDK_CONN_T_DEFINED
/** Connection or listener handle. */
typedef uint64_t mpdk_conn_t;
#endif
#define MPDK_CONN_INVALID ((mpdk_conn_t)0)

/** RFC 9293 connection states. */
enum mpdk_tcp_state {
	MPDK_TCP_CLOSED = 0,
	MPDK_TCP_LISTEN,
	MPDK_TCP_SYN_SENT,
	MPDK_TCP_SYN_RECEIVED,
	MPDK_TCP_ESTABLISHED,
	MPDK_TCP_FIN_WAIT_1,
	MPDK_TCP_FIN_WAIT_2,
	MPDK_TCP_CLOSE_WAIT,
	MPDK_TCP_CLOSING,
	MPDK_TCP_LAST_ACK,
	MPDK_TCP_TIME_WAIT,
};

/** Name of a state ("ESTABLISHED"...), never NULL. */
const char *mpdk_tcp_state_name(enum mpdk_tcp_state s);

/**
 * Event callbacks. Any may be NULL. @p arg is the handler argument given at
 * listen/connect time (or with mpdk_conn_set_handler()).
 */
struct mpdk_tcp_handler {
	/** Listener @p l has a connection in its accept queue: call
	 *  mpdk_accept() (once per callback, or until it returns -EAGAIN). */
	void (*accept_ready)(void *arg, mpdk_conn_t l);
	/** Active open completed (ESTABLISHED). */
	void (*connected)(void *arg, mpdk_conn_t c);
	/** New in-order data, or the peer's FIN (mpdk_recv() then returns 0
	 *  once the data is read). Edge triggered: called again only when
	 *  more arrives. */
	void (*readable)(void *arg, mpdk_conn_t c);
	/** Space opened in the send buffer after a send was refused or short. */
	void (*writable)(void *arg, mpdk_conn_t c);
	/** The connection is over (see Lifetime above); @p err is 0 or a
	 *  negative errno code. */
	void (*closed)(void *arg, mpdk_conn_t c, int err);
};

/**
 * TCP settings of a stack (mpdk_stack_conf.tcp); zeroed fields take the
 * defaults in brackets. Copied at stack creation.
 */
struct mpdk_tcp_conf {
	uint32_t max_conns;       /**< connections + listeners per engine, sized up front [16384] */
	uint32_t sndbuf;          /**< send buffer bytes per connection [262144] */
	uint32_t rcvbuf;          /**< receive buffer bytes per connection [262144] */
	uint32_t time_wait_ms;    /**< TIME_WAIT duration, 2*MSL [60000] */
	uint32_t rto_min_ms;      /**< lower bound of the RTO [200] (RFC 6298 says 1000; Linux 200) */
	uint32_t rto_max_ms;      /**< upper bound of the RTO [60000] */
	uint32_t rto_init_ms;     /**< RTO before the first RTT sample [1000] */
	uint32_t syn_retries;     /**< SYN (and SYN-ACK) retransmissions before -ETIMEDOUT [6] */
	uint32_t data_retries;    /**< RTO retransmissions of one segment before -ETIMEDOUT [15] */
	uint32_t delack_ms;       /**< delayed-ACK timer [40] */
	bool no_delack;           /**< ACK every segment at once */
	bool keepalive;           /**< keepalive on new connections [off] */
	uint32_t keepalive_idle_ms;  /**< idle time before the first probe [7200000] */
	uint32_t keepalive_intvl_ms; /**< between probes [75000] */
	uint32_t keepalive_probes;   /**< unanswered probes before -ETIMEDOUT [9] */
	uint32_t fin_wait2_ms;    /**< FIN_WAIT_2 limit for connections the app closed [60000] */
	const char *cc;           /**< congestion control: "newreno" or "cubic" ["newreno"] */
	bool no_sack;             /**< do not offer SACK-permitted */
	bool no_timestamps;       /**< do not offer timestamps */
	bool no_wscale;           /**< do not offer window scaling */
	uint32_t challenge_ack_limit; /**< challenge ACKs per second per engine, RFC 5961 §7 [1000] */
	uint16_t ephemeral_lo;    /**< ephemeral port range [49152] */
	uint16_t ephemeral_hi;    /**< [65535] */
	uint32_t reasm_max_segs;  /**< out-of-order segments held per connection [256] */
	struct mpdk_mptcp_conf mptcp; /**< Multipath TCP (mpdk_mptcp.h) [on] */
};

/** Fill @p c with the defaults. */
void mpdk_tcp_conf_defaults(struct mpdk_tcp_conf *c);

/**
 * Listen on @p laddr:@p lport (network byte order; @p laddr 0 = every
 * address of the stack). Connections that completed the handshake but were
 * not accepted yet, plus those still in SYN_RECEIVED, count against
 * @p backlog; SYNs beyond it are dropped and counted (tcp_listen_overflow).
 * @return 0 with *@p out set; -EINVAL (bad arguments, backlog 0),
 * -EADDRINUSE (already listened on), -ENOMEM (connection table full).
 */
int mpdk_listen(struct mpdk_engine *e, uint32_t laddr, uint16_t lport, uint32_t backlog,
		const struct mpdk_tcp_handler *h, void *arg, mpdk_conn_t *out);

/**
 * Take one connection from listener @p l's accept queue. The connection is
 * ESTABLISHED (or already further, e.g. CLOSE_WAIT with data to read).
 * @return 0 with *@p out set; -EAGAIN (queue empty); -EBADF; -EINVAL
 * (not a listener).
 */
int mpdk_accept(mpdk_conn_t l, mpdk_conn_t *out);

/**
 * Open a connection to @p dst:@p dport (network byte order) from @p src
 * (0 = the route's source address) and @p sport (0 = an ephemeral port
 * whose 4-tuple is unused). Completion is reported by handler->connected,
 * failure by handler->closed. Data may be sent before it completes (it is
 * queued).
 * @return 0 with *@p out set; -EINVAL; -MPDK_ENOROUTE; -EADDRNOTAVAIL (src
 * not ours, or no free ephemeral port); -EADDRINUSE (4-tuple in use);
 * -ENOMEM (connection table full); -ENOBUFS (no mbuf for the SYN: it is
 * retried by the SYN timer, the call still succeeds in that case).
 */
int mpdk_connect(struct mpdk_engine *e, uint32_t dst, uint16_t dport, uint32_t src,
		 uint16_t sport, const struct mpdk_tcp_handler *h, void *arg, mpdk_conn_t *out);

/** Change the handler of a connection or listener. @return 0, -EBADF. */
int mpdk_conn_set_handler(mpdk_conn_t c, const struct mpdk_tcp_handler *h, void *arg);

/**
 * Copy up to @p len bytes into the send buffer.
 * @return bytes accepted (may be less than @p len: handler->writable follows
 * when space opens), -EAGAIN (buffer full), -EPIPE (after shutdown(SHUT_WR)
 * or close), -ENOTCONN (connection not open, e.g. in TIME_WAIT), -EBADF,
 * -EINVAL, -ENOBUFS (no mbufs; counted, try later).
 */
ssize_t mpdk_send(mpdk_conn_t c, const void *buf, size_t len);

/**
 * Queue the mbuf chain @p m (payload only, no headers) for sending. On
 * success the connection owns @p m. It is accepted when it fits in the free
 * space of the send buffer, or when the buffer is empty.
 * @return 0; -EAGAIN (no room, the caller keeps @p m); other errors as
 * mpdk_send (the caller keeps @p m).
 */
int mpdk_send_mbuf(mpdk_conn_t c, struct rte_mbuf *m);

/**
 * Copy up to @p len bytes of in-order received data.
 * @return bytes copied; 0 at end of stream (peer's FIN and all data read);
 * -EAGAIN (nothing yet); -EBADF; -EINVAL.
 */
ssize_t mpdk_recv(mpdk_conn_t c, void *buf, size_t len);

/**
 * Take all in-order received data as one mbuf chain (payload only). The
 * caller owns *@p m and frees it with rte_pktmbuf_free().
 * @return bytes in the chain; 0 at end of stream (*@p m = NULL); -EAGAIN;
 * -EBADF; -EINVAL.
 */
ssize_t mpdk_recv_mbuf(mpdk_conn_t c, struct rte_mbuf **m);

#define MPDK_SHUT_RD   0
#define MPDK_SHUT_WR   1
#define MPDK_SHUT_RDWR 2

/**
 * Half-close. SHUT_WR sends a FIN after the queued data. SHUT_RD discards
 * data received from now on (it is still acknowledged).
 * @return 0, -EINVAL, -EBADF, -ENOTCONN (not connected yet).
 */
int mpdk_shutdown(mpdk_conn_t c, int how);

/**
 * Graceful close: FIN after the queued data. The handle is stale once this
 * returns. Unread received data, or data arriving later, makes the engine
 * reset the connection (RFC 9293 §3.6 / RFC 2525). On a listener: stops
 * listening and resets connections not yet accepted.
 * @return 0 or -EBADF.
 */
int mpdk_close(mpdk_conn_t c);

/** Abortive close: send RST (when synchronized) and free the connection
 *  at once. @return 0 or -EBADF. */
int mpdk_abort(mpdk_conn_t c);

/** Connection information. */
struct mpdk_conn_info {
	enum mpdk_tcp_state state;
	uint32_t local_addr, remote_addr;   /**< network byte order */
	uint16_t local_port, remote_port;   /**< network byte order */
	uint32_t srtt_us, rttvar_us, rto_us;
	uint32_t cwnd, ssthresh;            /**< bytes */
	uint32_t snd_wnd, rcv_wnd;          /**< bytes (scaled) */
	uint32_t mss;                       /**< send MSS (payload bytes) */
	uint32_t snd_queued;                /**< bytes in the send buffer (unacked + unsent) */
	uint32_t rcv_queued;                /**< bytes readable */
	uint64_t retransmits;               /**< segments retransmitted */
	uint64_t bytes_out, bytes_in;       /**< payload bytes acked by the peer / received in order */
	uint64_t segs_out, segs_in;
	bool sack, timestamps, wscale;      /**< negotiated options */
	uint8_t snd_wscale, rcv_wscale;
	const char *cc;                     /**< congestion control name */
	bool mptcp;                         /**< MPTCP in use (RFC 8684) */
	bool mptcp_fallback;                /**< MPTCP was offered or accepted, but the
						 connection runs as plain TCP (§3.7) */
	bool mptcp_checksum;                /**< DSS checksums in use */
	uint8_t mptcp_subflows;             /**< subflows alive */
	uint64_t mptcp_local_key;           /**< our key (MPTCP only) */
};

/** @return 0 with *@p info filled, -EBADF, -EINVAL. Works on listeners. */
int mpdk_conn_info(mpdk_conn_t c, struct mpdk_conn_info *info);

/** Disable (true) or enable Nagle's algorithm. @return 0, -EBADF. */
int mpdk_conn_set_nodelay(mpdk_conn_t c, bool nodelay);

/** Choose the congestion control ("newreno", "cubic"). Allowed before any
 *  data was sent. @return 0, -EBADF, -EINVAL (unknown), -EBUSY. */
int mpdk_conn_set_cc(mpdk_conn_t c, const char *name);

/** Keepalive on (with times in ms, 0 = the stack's) or off.
 *  @return 0, -EBADF. */
int mpdk_conn_set_keepalive(mpdk_conn_t c, bool on, uint32_t idle_ms, uint32_t intvl_ms,
			    uint32_t probes);

/** Engine of a handle, or NULL when stale. */
struct mpdk_engine *mpdk_conn_engine(mpdk_conn_t c);

#ifdef __cplusplus
}
#endif
#endif

/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_TCP_TCB_H
#define MPDK_TCP_TCB_H

/*
 * The TCP connection control block and the per-engine TCP state. Internal:
 * shared by tcp_conn.c (state machine, pool, events), tcp_input.c,
 * tcp_output.c, tcp_timer.c, tcp_demux.c, tcp_isn.c and tcp_api.c.
 * Everything here is owned by one engine and touched only by its thread.
 */

#include <stdint.h>
#include <stdbool.h>
#include <sys/queue.h>
#include <rte_mbuf.h>
#include "mpdk/mpdk_tcp.h"
#include "core/engine.h"
#include "core/timer_wheel.h"
#include "tcp/seq.h"
#include "tcp/options.h"
#include "tcp/cc.h"
#include "tcp/sack.h"
#include "tcp/reasm.h"

enum tcp_state {
	TCPS_CLOSED = MPDK_TCP_CLOSED,
	TCPS_LISTEN = MPDK_TCP_LISTEN,
	TCPS_SYN_SENT = MPDK_TCP_SYN_SENT,
	TCPS_SYN_RECEIVED = MPDK_TCP_SYN_RECEIVED,
	TCPS_ESTABLISHED = MPDK_TCP_ESTABLISHED,
	TCPS_FIN_WAIT_1 = MPDK_TCP_FIN_WAIT_1,
	TCPS_FIN_WAIT_2 = MPDK_TCP_FIN_WAIT_2,
	TCPS_CLOSE_WAIT = MPDK_TCP_CLOSE_WAIT,
	TCPS_CLOSING = MPDK_TCP_CLOSING,
	TCPS_LAST_ACK = MPDK_TCP_LAST_ACK,
	TCPS_TIME_WAIT = MPDK_TCP_TIME_WAIT,
};

/* A queue of single-segment mbufs linked through m->next. */
struct mbuf_q {
	struct rte_mbuf *head, *tail;
	uint32_t bytes;
	uint32_t n;
};

/* tcb.flags */
#define TF_ACKNOW        (1u << 0)   /* send an ACK at the next output */
#define TF_DELACK        (1u << 1)   /* an ACK is owed (delack timer armed) */
#define TF_NODELAY       (1u << 2)   /* Nagle off */
#define TF_SACK_OK       (1u << 3)   /* SACK negotiated */
#define TF_TS_OK         (1u << 4)   /* timestamps negotiated */
#define TF_WS_OK         (1u << 5)   /* window scaling negotiated */
#define TF_FIN_QUEUED    (1u << 6)   /* shutdown(WR)/close: FIN after the data */
#define TF_RCVD_FIN      (1u << 7)   /* peer's FIN consumed */
#define TF_APP           (1u << 8)   /* the application holds the handle */
#define TF_IN_HASH       (1u << 9)   /* in the 4-tuple table */
#define TF_PASSIVE       (1u << 10)  /* created by a listener */
#define TF_WANT_WRITABLE (1u << 11)  /* a send was short: report writable */
#define TF_SHUT_RD       (1u << 12)  /* discard received data */
#define TF_PERSIST       (1u << 13)  /* t_rtx runs as the persist timer */
#define TF_KEEPALIVE     (1u << 14)
#define TF_IN_CB         (1u << 15)  /* closed() callback running */
#define TF_EOF_REPORTED  (1u << 16)
#define TF_SYN_OPT_WS    (1u << 17)  /* we offered WS in our SYN */
#define TF_SYN_OPT_SACK  (1u << 18)
#define TF_SYN_OPT_TS    (1u << 19)
#define TF_RTO_RECOVERY  (1u << 20)  /* after an RTO, until snd_max is acked */
#define TF_CC_LOCKED     (1u << 21)  /* data was sent: CC can't change */
#define TF_MPTCP_OFFERED (1u << 22)  /* the peer's SYN offered MP_CAPABLE */
#define TF_NOBUF         (1u << 23)  /* an mbuf allocation failed: retry on t_nobuf */
#define TF_WND_HELD      (1u << 24)  /* window held back (pool low): update when it refills */

/* Pending events (tcb.ev). */
#define EV_ACCEPT    (1u << 0)
#define EV_CONNECTED (1u << 1)
#define EV_READABLE  (1u << 2)
#define EV_WRITABLE  (1u << 3)
#define EV_CLOSED    (1u << 4)

struct tcp_engine;
struct mptcp_subflow;
struct mptcp_meta;
struct token_table;

struct tcb {
	uint32_t idx;
	uint32_t gen;              /* handle generation (24 bits used) */
	bool in_use;
	struct tcp_engine *te;
	uint8_t state;
	uint32_t flags;
	uint32_t ev;               /* EV_* waiting for delivery */
	int err;                   /* error for EV_CLOSED */
	TAILQ_ENTRY(tcb) ev_link;  /* on te->evq while ev != 0 */
	bool on_evq;

	/* 4-tuple, network byte order */
	uint32_t laddr, raddr;
	uint16_t lport, rport;

	/* application */
	const struct mpdk_tcp_handler *h;
	void *arg;

	/* listener (state LISTEN) */
	uint32_t backlog;
	uint32_t n_children;       /* SYN_RECEIVED + not accepted yet */
	TAILQ_HEAD(, tcb) acceptq;
	/* child of a listener */
	struct tcb *parent;        /* until accepted or dead */
	TAILQ_ENTRY(tcb) aq_link;
	bool on_acceptq;

	/* send sequence space */
	uint32_t iss, snd_una, snd_nxt, snd_max;
	uint32_t snd_wnd, snd_wl1, snd_wl2, max_sndwnd;
	uint8_t snd_wscale, rcv_wscale;
	uint16_t mss;              /* send MSS: payload of a full segment with
				      the options every segment carries */
	uint16_t mss_base;         /* min(peer's MSS, ours): payload + options */
	uint16_t iface;            /* route's interface (for the MTU) */
	uint16_t rmss;             /* our MSS (advertised) */
	struct mbuf_q sndq;        /* data from the first unacked byte on */
	uint32_t fin_seq;          /* our FIN's sequence number (TF_FIN_QUEUED) */
	uint32_t sndbuf;
	struct rte_mbuf *sndq_own_tail; /* tail mbuf allocated by mpdk_send():
					   small writes may append to it */
	/* cursor: where snd_nxt's data starts in sndq (cache) */
	struct rte_mbuf *snd_cur;
	uint32_t snd_cur_seq;      /* sequence number of snd_cur's first byte */

	/* receive sequence space */
	uint32_t irs, rcv_nxt, rcv_adv; /* rcv_adv: right edge advertised */
	struct mbuf_q rcvq;
	uint32_t rcvbuf;
	struct tcp_reasm reasm;
	uint32_t segs_unacked;     /* full segments received since our last ACK */

	/* timestamps (RFC 7323) */
	uint32_t ts_offset;
	uint32_t ts_recent;
	uint64_t ts_recent_age;    /* engine time when ts_recent was set */
	uint32_t last_ack_sent;

	/* RTT and RTO (RFC 6298), microseconds */
	uint32_t srtt_us, rttvar_us, rto_us;
	uint32_t min_rtt_us;
	uint8_t backoff;
	uint8_t nrtx;              /* consecutive RTO (or SYN) retransmissions */
	uint8_t nprobe;            /* zero-window probes unanswered */
	uint8_t ka_nprobe;         /* keepalive probes unanswered */
	bool rtt_timing;
	uint32_t rtt_seq;
	uint64_t rtt_start;

	/* loss recovery */
	uint32_t dupacks;
	uint32_t recover;          /* RFC 6582 "recover" */
	bool in_recovery;          /* fast recovery (NewReno or SACK) */
	bool partial_acked;        /* RFC 6582 impatient timer reset done */
	bool lt_ok;                /* RFC 3042: one limited-transmit segment allowed */
	uint32_t lt_bytes;         /* RFC 3042: bytes sent beyond cwnd on dupACKs */
	struct tcp_sack_sb sb;
	struct tcp_cc cc;

	/* timers */
	struct timer t_rtx;        /* SYN, RTO or persist */
	struct timer t_delack;
	struct timer t_keep;       /* keepalive, FIN_WAIT_2, TIME_WAIT */
	uint64_t last_rx;          /* time of the last segment received */
	uint64_t last_tx_data;     /* time data was last sent (idle restart) */
	uint32_t ka_idle_ms, ka_intvl_ms, ka_probes;

	/* stats */
	uint64_t retransmits, bytes_in, bytes_out, segs_in, segs_out;

	/* MPTCP (src/mptcp/): sf when this connection is (or is trying to
	 * become) a subflow; mp on the anchor once the meta connection holds
	 * the application's view of it. */
	struct mptcp_subflow *sf;
	struct mptcp_meta *mp;

	struct tcb *free_next;
};

TAILQ_HEAD(tcb_list, tcb);

struct rte_hash;

#define TCP_CTL_RESERVE 16
#define TCP_NOBUF_RETRY_NS (1000 * 1000)   /* 1 ms */

struct tcp_engine {
	struct mpdk_engine *e;
	struct mpdk_tcp_conf conf;
	const struct tcp_cc_ops *cc_default;
	uint8_t reg_slot;          /* index in the handle registry */
	uint8_t secret[16];        /* RFC 6528 key */
	struct tcb *tcbs;
	uint32_t n_tcbs, n_used;
	struct tcb *free_list;
	struct rte_hash *conn_hash;   /* 4-tuple -> tcb */
	struct rte_hash *lst_hash;    /* (laddr, lport) -> listener */
	struct tcb_list evq;          /* connections with pending events */
	uint64_t chack_epoch;         /* RFC 5961 §7 rate limit window start */
	uint32_t chack_count;
	uint32_t rand_state;
	/* MPTCP */
	struct token_table *tokens;   /* the stack's token -> meta table (shared by its engines) */
	TAILQ_HEAD(mptcp_meta_list, mptcp_meta) mp_pending;   /* metas to push */
	/* Pool exhaustion (design.md: counted, reported, recovered from):
	 * a few mbufs kept back for ACK/RST segments, and a timer that
	 * retries the connections that could not allocate (TF_NOBUF). */
	struct rte_mbuf *ctl_reserve[TCP_CTL_RESERVE];
	uint32_t n_reserve;
	struct timer t_nobuf;
	uint64_t mem_stamp;           /* engine time of the last pool check */
	bool mem_low;                 /* pool below 1/8 free: windows held */
	bool mem_crit;                /* below 1/16: received data dropped */
	struct hs_ec_engine *ec;      /* EC keying state (mptcp/hs_ec.c), or NULL */
};

static inline struct tcp_engine *tcp_te(const struct mpdk_engine *e) { return e->tcp; }
static inline struct mpdk_engine *tcb_engine(const struct tcb *t) { return t->te->e; }
static inline uint64_t tcb_now(const struct tcb *t) { return engine_now(t->te->e); }

/* Bytes in flight (sent, not acked); SYN/FIN count like data. */
static inline uint32_t tcb_flight(const struct tcb *t) { return t->snd_max - t->snd_una; }
/* Sequence number of the first byte in sndq. */
static inline uint32_t tcb_sndq_seq(const struct tcb *t)
{
	return t->snd_una + ((t->state == TCPS_SYN_SENT || t->state == TCPS_SYN_RECEIVED) ? 1 : 0);
}
/* Sequence number just after the last data byte queued (the FIN's
 * sequence number once a FIN is queued: no data can follow it). */
static inline uint32_t tcb_data_end(const struct tcb *t)
{
	if (t->flags & TF_FIN_QUEUED)
		return t->fin_seq;
	return tcb_sndq_seq(t) + t->sndq.bytes;
}
static inline bool tcb_synced(const struct tcb *t)
{
	return t->state >= TCPS_ESTABLISHED;
}
/* Timestamp clock: 1 ms ticks (RFC 7323 §5.4) plus the connection offset. */
static inline uint32_t tcb_ts_now(const struct tcb *t)
{
	return (uint32_t)(tcb_now(t) / 1000000ull) + t->ts_offset;
}

/* ---- mbuf queues (tcp_conn.c) ---- */
void mbuf_q_push(struct mbuf_q *q, struct rte_mbuf *m);  /* m: one segment */
void mbuf_q_push_chain(struct mbuf_q *q, struct rte_mbuf *m); /* splits; drops empty segs */
uint32_t tcp_sndq_copy_in(struct tcp_engine *te, struct mbuf_q *q, struct rte_mbuf **own_tail,
			  const void *buf, uint32_t want);
struct rte_mbuf *mbuf_q_pop(struct mbuf_q *q);
void mbuf_q_free(struct mbuf_q *q);
/* Drop @len bytes from the front. */
void mbuf_q_trim_front(struct mbuf_q *q, uint32_t len);
/* Copy up to @len bytes from the front of @q, freeing what was consumed. */
size_t mbuf_q_copy_out(struct mbuf_q *q, void *buf, size_t len);
/* Unlink the front of @q (all of it, up to 65534 segments) as one chain;
 * NULL when empty. */
struct rte_mbuf *mbuf_q_take_chain(struct mbuf_q *q, uint32_t *bytes);

/* ---- pool, handles, state (tcp_conn.c) ---- */
struct tcb *tcb_alloc(struct tcp_engine *te);
/* Release a tcb: unhash, cancel timers, free buffers, bump generation. */
void tcb_free(struct tcb *t);
mpdk_conn_t tcb_handle(const struct tcb *t);
struct tcb *tcb_from_handle(mpdk_conn_t h);
void tcb_set_state(struct tcb *t, enum tcp_state s);
/* Initialise a new connection's sequence/option/CC state. */
void tcb_init_conn(struct tcb *t, uint32_t laddr, uint16_t lport, uint32_t raddr,
		   uint16_t rport);
/* MSS we advertise, from the route's interface MTU. */
uint16_t tcb_route_mss(struct tcp_engine *te, uint32_t raddr, uint32_t laddr);
/* ---- pool exhaustion (tcp_output.c) ---- */
/* An allocation for @t failed: retry its output (and report writable)
 * from the engine's t_nobuf timer once mbufs come back. */
void tcp_nobuf(struct tcb *t);
/* An mbuf for a segment without payload (ACK, RST): the pool, else the
 * engine's reserve. */
struct rte_mbuf *tcp_alloc_ctl(struct tcp_engine *te);
void tcp_nobuf_init(struct tcp_engine *te);
/* The pool is low (under 1/8 free, checked once per engine time step):
 * receive windows stop growing and copying sends wait, so that what is
 * left serves rx (ACKs free the send queues) instead of new data. */
bool tcp_mem_pressure(struct tcp_engine *te);
/* Under 1/16 free: received payload is dropped (ACK fields still used). */
static inline bool tcp_mem_critical(struct tcp_engine *te)
{
	return tcp_mem_pressure(te) && te->mem_crit;
}
void tcp_nobuf_fini(struct tcp_engine *te);

/* Pick a congestion control. */
void tcb_cc_setup(struct tcb *t, const struct tcp_cc_ops *ops);
/* Queue an event for the application (delivered by the engine hook).
 * Ignored on an anchor whose meta speaks for it (t->mp): the meta uses
 * tcb_event_app(). */
void tcb_event(struct tcb *t, uint32_t ev);
void tcb_event_app(struct tcb *t, uint32_t ev);
/* The application lets go of @t (handle goes stale; freed if CLOSED). */
void tcb_app_release(struct tcb *t);
/* The connection is finished: report closed(err) if the application holds
 * it, and free it unless TIME_WAIT holds it (free_now). */
void tcb_done(struct tcb *t, int err);
/* Enter TIME_WAIT: report closed(0) to the app and arm the 2MSL timer. */
void tcb_enter_time_wait(struct tcb *t);
/* Deliver pending events (engine hook). */
int tcp_deliver_events(struct mpdk_engine *e, void *arg);
/* Abort: RST when synchronized, then free. */
void tcb_abort(struct tcb *t);
/* Queue our FIN after the data (close / shutdown(SHUT_WR)). */
void tcb_queue_fin(struct tcb *t);
/* mpdk_close() on a valid handle. */
int tcb_close(struct tcb *t);
/* Detach from the listener (accept queue / child count). */
void tcb_unlink_parent(struct tcb *t);
/* ESTABLISHED reached by a child of a listener: queue for accept. */
void tcb_child_established(struct tcb *t);
/* The receive window we can offer now (bytes). */
uint32_t tcb_rcv_space(const struct tcb *t);

/* ---- demux (tcp_demux.c) ---- */
int tcp_demux_init(struct tcp_engine *te);
void tcp_demux_fini(struct tcp_engine *te);
struct tcb *tcp_demux_lookup(struct tcp_engine *te, uint32_t laddr, uint16_t lport,
			     uint32_t raddr, uint16_t rport);
int tcp_demux_insert(struct tcb *t);
void tcp_demux_remove(struct tcb *t);
struct tcb *tcp_listener_lookup(struct tcp_engine *te, uint32_t laddr, uint16_t lport);
int tcp_listener_insert(struct tcb *l);
void tcp_listener_remove(struct tcb *l);
/* Choose a free ephemeral port for (laddr, raddr, rport). 0 = none. */
uint16_t tcp_ephemeral_port(struct tcp_engine *te, uint32_t laddr, uint32_t raddr,
			    uint16_t rport);

/* ---- ISN (tcp_isn.c) ---- */
uint64_t tcp_siphash(const uint8_t key[16], const void *data, size_t len);
uint32_t tcp_isn(const struct tcp_engine *te, uint32_t laddr, uint16_t lport, uint32_t raddr,
		 uint16_t rport, uint64_t now_ns);
uint32_t tcp_ts_offset(const struct tcp_engine *te, uint32_t laddr, uint16_t lport,
		       uint32_t raddr, uint16_t rport);
uint32_t tcp_port_offset(const struct tcp_engine *te, uint32_t laddr, uint32_t raddr,
			 uint16_t rport);

/* ---- output (tcp_output.c) ---- */
/* Send whatever the windows, Nagle and the state allow, and an ACK if owed. */
void tcp_output(struct tcb *t);
/* Send a pure ACK now (with SACK blocks and timestamps). */
void tcp_send_ack(struct tcb *t);
/* RFC 5961 challenge ACK, rate limited per engine. */
void tcp_send_challenge_ack(struct tcb *t);
/* SYN or SYN-ACK for the current state. */
void tcp_send_syn(struct tcb *t);
/* RST from a connection (abort): <SEQ=SND.NXT><CTL=RST>. */
void tcp_send_rst_conn(struct tcb *t);
/* RST answering a segment that matched nothing (RFC 9293 §3.10.7.1). */
void tcp_send_rst_reply(struct tcp_engine *te, uint32_t laddr, uint16_t lport, uint32_t raddr,
			uint16_t rport, bool has_ack, uint32_t seg_seq, uint32_t seg_ack,
			uint32_t seg_len);
/* Retransmit one segment of up to @len bytes at @seq (fast retransmit,
 * SACK hole, RTO). Returns bytes sent (0 if nothing). */
uint32_t tcp_retransmit(struct tcb *t, uint32_t seq, uint32_t len);
/* Window probe / keepalive: a segment with SEQ = SND.UNA - 1, no data. */
void tcp_send_probe(struct tcb *t);
/* Zero-window probe with one byte of data at SND.UNA (RFC 9293 §3.8.6.1). */
void tcp_send_zwp(struct tcb *t);
/* After the application read: ACK with a window update if it grew enough. */
void tcp_window_update(struct tcb *t);
/* Window we advertise now (scaled value for the header is derived). */
uint32_t tcp_rcv_window(struct tcb *t);

/* ---- timers (tcp_timer.c) ---- */
void tcp_timers_init(struct tcb *t);
void tcp_timers_cancel(struct tcb *t);
void tcp_rto_arm(struct tcb *t);           /* (re)start with the current RTO */
void tcp_rto_stop(struct tcb *t);
void tcp_persist_arm(struct tcb *t);
void tcp_delack_arm(struct tcb *t);
void tcp_keepalive_reset(struct tcb *t);   /* activity: re-arm keepalive */
void tcp_rtt_sample(struct tcb *t, uint64_t rtt_ns);
uint32_t tcp_rto_current(const struct tcb *t); /* with backoff, us */


#endif

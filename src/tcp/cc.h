/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_TCP_CC_H
#define MPDK_TCP_CC_H

/*
 * Congestion control interface (after Linux tcp_congestion_ops and VPP
 * tcp_cc.h). The window (cwnd, ssthresh) lives in struct tcp_cc_conn, which
 * the engine embeds in its connection (inside struct tcp_cc); the ops read
 * the inputs the engine filled in and update cwnd and ssthresh. Algorithms
 * keep private state in tcp_cc.priv. MPTCP's coupled algorithms (LIA,
 * OLIA) plug in here: they reach the other subflows through c->group.
 *
 * Division of work: the engine detects loss (3 dupACKs / RFC 6675 IsLost /
 * RTO), runs recovery (RFC 6582 partial ACKs, RFC 6675 pipe, NewReno window
 * inflation if it uses it) and calls the ops at the events below; the ops
 * decide the window. All units are bytes and microseconds.
 * Not thread-safe: one connection is touched only by its engine.
 */

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

/* What an algorithm sees of its connection. */
struct tcp_cc_conn {
	uint32_t cwnd;        /* bytes; written by the ops */
	uint32_t ssthresh;    /* bytes; written by the ops */
	uint32_t mss;         /* SMSS (bytes of payload per full segment) */
	uint32_t iw;          /* initial window, bytes (set by tcp_cc_init) */
	uint32_t flight;      /* FlightSize (RFC 5681) or pipe (RFC 6675),
				 bytes; set by the engine before each call */
	uint32_t srtt_us;     /* smoothed RTT, 0 while unknown */
	uint32_t min_rtt_us;  /* lowest RTT seen, 0 while unknown */
	uint64_t now_us;      /* engine clock, set before each call */
	bool in_recovery;     /* the engine is in fast recovery */
	bool cwnd_limited;    /* the last flight was limited by cwnd, not by
				 the application: growth is only allowed then
				 (RFC 7661); engines that don't track it leave
				 it true */
	void *owner;          /* the engine's connection (opaque here) */
	void *group;          /* MPTCP: the meta connection, for coupled CC;
				 NULL for plain TCP */
};

struct tcp_cc_ops {
	const char *name;        /* "newreno", "cubic", ... */
	size_t priv_size;        /* <= TCP_CC_PRIV_MAX */

	/* New connection: tcp_cc_init has set cwnd = iw and ssthresh
	 * "arbitrarily high" (RFC 5681 §3.1); set up private state. */
	void (*init)(void *priv, struct tcp_cc_conn *c);
	/* An ACK advanced SND.UNA by @acked bytes outside recovery. @rtt_us is
	 * an RTT sample taken from this ACK, 0 when there is none. */
	void (*on_ack)(void *priv, struct tcp_cc_conn *c, uint32_t acked, uint32_t rtt_us);
	/* Loss detected by fast retransmit (dupACKs or SACK) or ECN-Echo: set
	 * ssthresh and cwnd = ssthresh (RFC 5681 §3.2 steps 2-3 without the
	 * 3*SMSS inflation, RFC 6675 §5 step 4.2). c->flight is FlightSize at
	 * the time of the loss. */
	void (*enter_recovery)(void *priv, struct tcp_cc_conn *c);
	/* The full ACK that ends recovery (RFC 6582 §3.2 step 3, RFC 6675):
	 * deflate the window. c->flight is FlightSize after the ACK. NULL:
	 * cwnd = ssthresh. */
	void (*exit_recovery)(void *priv, struct tcp_cc_conn *c);
	/* Retransmission timeout (RFC 5681 §3.1 eq. 4, §3.1 "loss window").
	 * @first: the first RTO of this segment (later backoffs keep
	 * ssthresh). c->flight is FlightSize before the timeout. */
	void (*on_rto)(void *priv, struct tcp_cc_conn *c, bool first);
	/* Sending after an idle period longer than the RTO (RFC 5681 §4.1).
	 * NULL: cwnd = min(cwnd, c->iw). */
	void (*on_idle)(void *priv, struct tcp_cc_conn *c);
};

#define TCP_CC_PRIV_MAX 128
/* Ceiling of cwnd: the largest window TCP can advertise (RFC 7323 §2.3). */
#define TCP_CC_CWND_MAX (1u << 30)

/* What a connection embeds. */
struct tcp_cc {
	const struct tcp_cc_ops *ops;
	struct tcp_cc_conn c;
	uint64_t priv[TCP_CC_PRIV_MAX / sizeof(uint64_t)];
};

/* Built-in algorithms. */
extern const struct tcp_cc_ops tcp_cc_newreno;
extern const struct tcp_cc_ops tcp_cc_cubic;

/* Look an algorithm up by name; NULL name -> the default ("cubic").
 * Returns NULL when unknown. */
const struct tcp_cc_ops *tcp_cc_find(const char *name);
/* Add an algorithm (MPTCP's coupled ones). Call at init time, before any
 * engine runs. Returns 0, -EEXIST (name taken), -ENOSPC or -EINVAL
 * (priv_size too large or a required op missing). */
int tcp_cc_register(const struct tcp_cc_ops *ops);

/* RFC 5681 §3.1 initial window: min(4*SMSS, max(2*SMSS, 4380)). */
static inline uint32_t tcp_cc_initial_window(uint32_t mss)
{
	uint32_t w = 2 * mss > 4380 ? 2 * mss : 4380;
	return w < 4 * mss ? w : 4 * mss;
}

/* --- Calls for the engine ------------------------------------------- */

/* Bind @ops (NULL: default) to @cc for a connection with this SMSS and
 * initial window @iw in bytes (0: the RFC 5681 default; RFC 6928 IW10 is
 * 10 * mss). Sets cwnd = iw, ssthresh = UINT32_MAX, in_recovery = false,
 * cwnd_limited = true, zeroes priv, then calls ops->init. owner/group may
 * be set afterwards. If the SMSS changes later, set cc->c.mss. */
void tcp_cc_init(struct tcp_cc *cc, const struct tcp_cc_ops *ops, uint32_t mss, uint32_t iw);

static inline void tcp_cc_on_ack(struct tcp_cc *cc, uint32_t flight, uint64_t now_us,
				 uint32_t acked, uint32_t rtt_us)
{
	cc->c.flight = flight;
	cc->c.now_us = now_us;
	cc->ops->on_ack(cc->priv, &cc->c, acked, rtt_us);
}

static inline void tcp_cc_enter_recovery(struct tcp_cc *cc, uint32_t flight, uint64_t now_us)
{
	cc->c.flight = flight;
	cc->c.now_us = now_us;
	cc->ops->enter_recovery(cc->priv, &cc->c);
	cc->c.in_recovery = true;
}

static inline void tcp_cc_exit_recovery(struct tcp_cc *cc, uint32_t flight, uint64_t now_us)
{
	cc->c.flight = flight;
	cc->c.now_us = now_us;
	if (cc->ops->exit_recovery)
		cc->ops->exit_recovery(cc->priv, &cc->c);
	else
		cc->c.cwnd = cc->c.ssthresh;
	cc->c.in_recovery = false;
}

static inline void tcp_cc_on_rto(struct tcp_cc *cc, uint32_t flight, uint64_t now_us, bool first)
{
	cc->c.flight = flight;
	cc->c.now_us = now_us;
	cc->ops->on_rto(cc->priv, &cc->c, first);
	cc->c.in_recovery = false;
}

static inline void tcp_cc_on_idle(struct tcp_cc *cc, uint64_t now_us)
{
	cc->c.now_us = now_us;
	if (cc->ops->on_idle) {
		cc->ops->on_idle(cc->priv, &cc->c);
	} else {
		if (cc->c.cwnd > cc->c.iw)
			cc->c.cwnd = cc->c.iw;
	}
}

/* Shared helpers for algorithms. */
/* RFC 5681 eq. 4: max(FlightSize / 2, 2 * SMSS). */
static inline uint32_t tcp_cc_half_flight(const struct tcp_cc_conn *c)
{
	uint32_t h = c->flight / 2;
	return h > 2 * c->mss ? h : 2 * c->mss;
}
/* RFC 5681 §3.1 slow start with RFC 3465 ABC, L = 2: grow cwnd by
 * min(acked, 2*SMSS) but not past ssthresh. Returns the part of @acked not
 * used (for congestion avoidance when crossing ssthresh). */
uint32_t tcp_cc_slow_start(struct tcp_cc_conn *c, uint32_t acked);

/* CUBIC's private state (RFC 9438 §4), exposed for tests and
 * diagnostics. Windows in segments, times in seconds / microseconds. */
struct tcp_cubic {
	double w_max;            /* W_max */
	double k;                /* K */
	double w_est;            /* W_est (Reno-friendly estimate) */
	double cwnd_prior;       /* cwnd before the last reduction */
	double cwnd_epoch;       /* cwnd at the start of this CA epoch */
	double frac;             /* fractional bytes of growth not yet in cwnd */
	uint64_t epoch_start_us; /* start of this CA epoch; 0: none yet */
	bool fast_convergence;   /* RFC 9438 §4.7, on by default */
};
#define TCP_CUBIC_C 0.4
#define TCP_CUBIC_BETA 0.7

#endif

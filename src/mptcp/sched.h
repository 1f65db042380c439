/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_MPTCP_SCHED_H
#define MPDK_MPTCP_SCHED_H

/*
 * MPTCP packet scheduler (RFC 8684 §3.3.8; docs/scheduler.md): decides
 * which subflow(s) carry the next chunk of data-level bytes. The meta
 * connection fills one struct mptcp_sched_subflow per subflow (a snapshot,
 * the scheduler keeps no pointer into it) and calls mptcp_sched_pick();
 * the scheduler answers with indexes into that array. Schedulers are pure
 * logic: no clock, no I/O, no allocation.
 *
 * Eligibility, common to every scheduler:
 * - a subflow is "usable" when active && !potentially_failed; when no
 *   subflow is usable, potentially-failed active ones are used instead
 *   (a connection whose every path looks failed keeps probing);
 * - among the usable ones, backup subflows are used only when no
 *   non-backup subflow is usable (RFC 8684 §3.3.8): a regular subflow
 *   whose window is full does NOT let a backup take the data;
 * - a subflow "has room" when mptcp_sched_room() >= min(mss, pending)
 *   (pending 0: mss), i.e. it can take a full segment or all that is left.
 *
 * Errors: -EAGAIN: eligible subflows exist but none has room (retry when
 * an ACK opens a window); -ENOENT: no active subflow at all; -EINVAL: bad
 * arguments (n > MPTCP_SCHED_MAX_SUBFLOWS, NULL pointers).
 *
 * Not thread-safe: a connection's scheduler state is touched only by the
 * connection's home engine.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MPTCP_SCHED_MAX_SUBFLOWS 8
/* Per-connection scheduler state the meta connection embeds, bytes. */
#define MPTCP_SCHED_STATE_MAX 32

/* What a scheduler sees of one subflow (filled by the meta connection). */
struct mptcp_sched_subflow {
	void *sf;                 /* the subflow (opaque; returned as is) */
	uint32_t srtt_us;         /* smoothed RTT; 0: no sample yet (sorted
				     after every known RTT) */
	uint32_t cwnd_bytes;      /* congestion window */
	uint32_t inflight_bytes;  /* sent and not acknowledged */
	uint32_t snd_wnd_avail;   /* bytes the peer's window still accepts on
				     this subflow (already limited by the
				     data-level window, RFC 8684 §3.3.5) */
	bool backup;              /* MP_JOIN/MP_PRIO backup flag (either
				     side's) */
	bool active;              /* established, MPTCP-capable, not failed
				     or closing */
	bool potentially_failed;  /* RTOs without progress: avoid it */
	uint16_t mss;             /* payload bytes of a full segment */
};

/*
 * The scheduler's answer. @pending is an INPUT: set it before the call to
 * the data-level bytes queued and not yet sent (0: unknown / plenty); it
 * sets the "has room" threshold. The rest is output.
 */
struct mptcp_sched_choice {
	uint64_t pending;                         /* in */
	unsigned n;                               /* out: subflows chosen */
	uint8_t idx[MPTCP_SCHED_MAX_SUBFLOWS];    /* out: indexes into sfs[],
						     the primary first (lowest
						     RTT first for redundant) */
	uint32_t room[MPTCP_SCHED_MAX_SUBFLOWS];  /* out: room of idx[i] in
						     bytes (see
						     mptcp_sched_room) */
};

struct mptcp_sched_ops {
	const char *name;         /* "default", "roundrobin", "redundant" */
	size_t state_size;        /* <= MPTCP_SCHED_STATE_MAX */
	/* Zero-filled state for a new connection. NULL: nothing to do. */
	void (*init)(void *state);
	/* Fill out->n/idx/room (out->pending set by the caller). Returns the
	 * primary index (>= 0) or a negative errno (see above). Called
	 * through mptcp_sched_pick, which has checked the arguments. */
	int (*pick)(void *state, const struct mptcp_sched_subflow *sfs, unsigned n,
		    struct mptcp_sched_choice *out);
};

/* Built-in schedulers.
 * default:    among eligible subflows with room, the one whose held bytes
 *             drain first (held * srtt / cwnd; idle = 0), then lowest srtt.
 * roundrobin: the next eligible subflow with room after the last one
 *             picked (Linux out-of-tree "roundrobin" sends a burst per
 *             turn; here one chunk per turn: the caller decides the chunk).
 * redundant:  every eligible subflow with room, lowest srtt first; the
 *             same chunk is sent on each (the receiver drops duplicates
 *             at the data level). */
extern const struct mptcp_sched_ops mptcp_sched_default;
extern const struct mptcp_sched_ops mptcp_sched_roundrobin;
extern const struct mptcp_sched_ops mptcp_sched_redundant;

/* By name; NULL or "" -> "default". NULL when unknown. */
const struct mptcp_sched_ops *mptcp_sched_find(const char *name);
/* Add a scheduler (init time, before engines run). 0, -EEXIST, -ENOSPC,
 * -EINVAL (no name/pick, state_size too large). */
int mptcp_sched_register(const struct mptcp_sched_ops *ops);
/* The @i-th registered scheduler (for --help and listings), NULL past
 * the end. */
const struct mptcp_sched_ops *mptcp_sched_get(unsigned i);

/* Zero @state (MPTCP_SCHED_STATE_MAX bytes, 8-aligned) and call ops->init. */
void mptcp_sched_init(const struct mptcp_sched_ops *ops, void *state);

/* Choose the subflow(s) for the next chunk; see the errors above. On
 * success out->n >= 1 and the return value is out->idx[0]. On error
 * out->n == 0. */
int mptcp_sched_pick(const struct mptcp_sched_ops *ops, void *state,
		     const struct mptcp_sched_subflow *sfs, unsigned n,
		     struct mptcp_sched_choice *out);

/*
 * Reinjection (RFC 8684 §3.3.6: data outstanding on a failed subflow must
 * be sent again on another one): the subflow for data taken back from
 * sfs[@failed] (pass n or more when none failed). Never @failed; the
 * eligibility rules above applied to the other subflows (so a backup is
 * used when the failed one was the only regular subflow), lowest srtt
 * with room. Same returns as mptcp_sched_pick (out->n is 0 or 1).
 */
int mptcp_sched_reinject_target(const struct mptcp_sched_subflow *sfs, unsigned n,
				unsigned failed, struct mptcp_sched_choice *out);

/*
 * What a subflow's TCP counts against its congestion window, for the meta
 * connection to fill cwnd_bytes and inflight_bytes with. The meta hands a
 * subflow only what its window has room for, so the subflow can send new
 * data during loss recovery only if that room is computed the way TCP
 * computes it (docs/scheduler.md, "A lossy path"):
 * - RFC 6675 §5 (SACK loss recovery): new data goes out while cwnd - pipe
 *   >= SMSS; the subflow holds pipe plus its unsent bytes, not everything
 *   from SND.UNA (SACKed and lost segments have left the network);
 * - otherwise, and in NewReno recovery (RFC 6582, whose inflated cwnd
 *   already counts the segments that left), all bytes queued from SND.UNA
 *   count.
 * Limited transmit (RFC 3042) is not covered: the meta gives a subflow
 * nothing beyond cwnd, so its duplicate ACKs find no new data to send.
 */
struct mptcp_sched_tcp_window {
	uint32_t cwnd;            /* congestion window, bytes */
	uint32_t held;            /* bytes queued on the subflow from SND.UNA,
				     sent or not */
	uint32_t unsent;          /* of those, not sent yet */
	uint32_t pipe;            /* RFC 6675 pipe of the sent ones (read in
				     SACK recovery only) */
	bool sack_recovery;       /* in RFC 6675 loss recovery */
};

/* Set s->cwnd_bytes and s->inflight_bytes from @w (rules above). */
void mptcp_sched_set_window(struct mptcp_sched_subflow *s, const struct mptcp_sched_tcp_window *w);

/* Bytes subflow @s can send now: min(cwnd - inflight, snd_wnd_avail),
 * 0 when the window is full. */
static inline uint32_t mptcp_sched_room(const struct mptcp_sched_subflow *s)
{
	uint32_t c = s->cwnd_bytes > s->inflight_bytes ? s->cwnd_bytes - s->inflight_bytes : 0;
	return c < s->snd_wnd_avail ? c : s->snd_wnd_avail;
}

/* Convenience holder for the meta connection. */
struct mptcp_sched {
	const struct mptcp_sched_ops *ops;
	uint64_t state[MPTCP_SCHED_STATE_MAX / sizeof(uint64_t)];
};

static inline void mptcp_sched_bind(struct mptcp_sched *s, const struct mptcp_sched_ops *ops)
{
	s->ops = ops ? ops : &mptcp_sched_default;
	mptcp_sched_init(s->ops, s->state);
}

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_TCP_SACK_H
#define MPDK_TCP_SACK_H

/*
 * Sender-side SACK scoreboard and loss recovery helpers (RFC 6675).
 *
 * Holds the SACKed ranges of SND.UNA..SND.NXT as a bounded, sorted list of
 * disjoint blocks, plus the recovery variables HighRxt, RescueRxt and
 * RecoveryPoint. The engine owns SND.UNA/SND.NXT and passes them in; the
 * scoreboard never touches segments or mbufs. Not thread-safe (one
 * connection, one engine).
 *
 * Typical use by the engine, per received ACK carrying SACK blocks:
 *   tcp_sack_update(sb, snd_una_after_ack, snd_nxt, o.sack, o.n_sack, &r);
 *   count r.n_dsack / r.n_invalid / r.n_dropped;
 *   if (!recovering && (dupacks >= 3 || tcp_sack_is_lost(sb, snd_una)))
 *       tcp_sack_enter_recovery(sb, snd_una, snd_nxt); cc enter_recovery
 *   while (cwnd - tcp_sack_pipe(sb, snd_una, snd_nxt) >= mss) {
 *       switch (tcp_sack_next_seg(sb, snd_una, snd_nxt, have_new_data, &s, &n)) ...
 *       send; tcp_sack_mark_rxt(sb, kind, s, n);
 *   }
 *   if recovering and SEQ_GEQ(snd_una, sb->recovery_point): exit recovery
 *       (tcp_sack_exit_recovery)
 */

#include <stdint.h>
#include <stdbool.h>
#include "options.h"   /* struct tcp_sack_block */

#define TCP_SACK_SB_MAX 32     /* blocks remembered */
#define TCP_SACK_DUPTHRESH 3   /* RFC 6675 §2 DupThresh */

struct tcp_sack_sb {
	uint8_t n;                 /* blocks in use */
	struct tcp_sack_block blk[TCP_SACK_SB_MAX]; /* sorted, disjoint,
						       non-adjacent */
	uint32_t mss;              /* SMSS, for IsLost() */
	uint32_t sacked;           /* bytes covered by blk[] */
	/* Recovery state (RFC 6675 §2, §5). Valid while in_recovery. */
	bool in_recovery;
	uint32_t recovery_point;   /* RecoveryPoint: SND.NXT at entry */
	uint32_t high_rxt;         /* one past HighRxt (the highest octet
				      retransmitted in this recovery);
				      starts at SND.UNA */
	uint32_t rescue_rxt;       /* RescueRxt (valid when rescue_done) */
	bool rescue_done;          /* rule 4 used in this recovery */
};

/* Result of one tcp_sack_update(), for counters. */
struct tcp_sack_update_res {
	uint32_t newly_sacked;     /* bytes not SACKed before */
	uint8_t n_dsack;           /* D-SACK blocks (RFC 2883): ignored */
	uint8_t n_invalid;         /* blocks outside SND.UNA..SND.NXT or
				      empty/inverted: ignored */
	uint8_t n_dropped;         /* blocks forgotten: scoreboard full */
};

void tcp_sack_init(struct tcp_sack_sb *sb, uint32_t mss);
/* Forget everything (connection reset/close). */
void tcp_sack_clear(struct tcp_sack_sb *sb);

/*
 * Apply an ACK: drop what @snd_una (the new cumulative ACK) covers, then
 * record @n SACK blocks from the option. A block is a D-SACK (RFC 2883
 * §4) when it is the first one and lies below @snd_una or inside the
 * second block; blocks not inside [snd_una, snd_nxt] are invalid. Both
 * are ignored. When the scoreboard is full the highest blocks are dropped
 * (safe: that data may only be retransmitted needlessly).
 * @res may be NULL.
 */
void tcp_sack_update(struct tcp_sack_sb *sb, uint32_t snd_una, uint32_t snd_nxt,
		     const struct tcp_sack_block *blocks, unsigned n,
		     struct tcp_sack_update_res *res);

/* Only a cumulative ACK (no SACK option): tcp_sack_update with n = 0. */
void tcp_sack_ack(struct tcp_sack_sb *sb, uint32_t snd_una);

/* Whether @seq is SACKed. */
bool tcp_sack_is_sacked(const struct tcp_sack_sb *sb, uint32_t seq);

/*
 * RFC 6675 §4 IsLost(seq): @seq is not SACKed and either DupThresh
 * discontiguous SACKed blocks lie above it or more than
 * (DupThresh - 1) * SMSS bytes above it are SACKed.
 */
bool tcp_sack_is_lost(const struct tcp_sack_sb *sb, uint32_t seq);

/* Highest SACKed octet + 1 (HighSACK end), or @snd_una when none. */
uint32_t tcp_sack_high(const struct tcp_sack_sb *sb, uint32_t snd_una);

/*
 * RFC 6675 §4 SetPipe(): bytes in flight between @snd_una and @snd_nxt:
 * every octet not SACKed counts once if not IsLost, and once more if it
 * was retransmitted in this recovery (below high_rxt).
 */
uint32_t tcp_sack_pipe(const struct tcp_sack_sb *sb, uint32_t snd_una, uint32_t snd_nxt);

/* Recovery entry (RFC 6675 §5 step 4): RecoveryPoint = @snd_nxt,
 * HighRxt = RescueRxt = @snd_una. */
void tcp_sack_enter_recovery(struct tcp_sack_sb *sb, uint32_t snd_una, uint32_t snd_nxt);
/* Recovery ended (cumulative ACK reached RecoveryPoint). */
void tcp_sack_exit_recovery(struct tcp_sack_sb *sb);

enum tcp_sack_next {
	TCP_SACK_NEXT_NONE = 0,    /* nothing to send */
	TCP_SACK_NEXT_LOST = 1,    /* rule 1: retransmit [seq, seq+len) */
	TCP_SACK_NEXT_NEW = 2,     /* rule 2: send new data (seq = SND.NXT) */
	TCP_SACK_NEXT_RULE3 = 3,   /* rule 3: retransmit a not-yet-lost hole */
	TCP_SACK_NEXT_RESCUE = 4,  /* rule 4: rescue retransmission */
};

/*
 * RFC 6675 §4 NextSeg(): what to send next during recovery. @new_data_ok:
 * the engine has unsent data and the peer's window allows it (rule 2).
 * For LOST/RULE3/RESCUE, *seq and *len (at most SMSS, never over a SACKed
 * block) give the range to retransmit; afterwards the engine calls
 * tcp_sack_mark_rxt(). For NEW, *seq = @snd_nxt and *len = SMSS.
 */
enum tcp_sack_next tcp_sack_next_seg(const struct tcp_sack_sb *sb, uint32_t snd_una,
				     uint32_t snd_nxt, bool new_data_ok,
				     uint32_t *seq, uint32_t *len);

/* A retransmission of [seq, seq+len) went out; @kind is what
 * tcp_sack_next_seg() returned for it. LOST and RULE3 advance HighRxt;
 * RESCUE sets RescueRxt = RecoveryPoint and leaves HighRxt alone (RFC 6675
 * §4 NextSeg rule 4); NEW and NONE are ignored. */
void tcp_sack_mark_rxt(struct tcp_sack_sb *sb, enum tcp_sack_next kind, uint32_t seq,
		       uint32_t len);

/*
 * Retransmission timeout (RFC 6675 §5.1): recovery ends; RecoveryPoint is
 * set to @snd_nxt (HighData) so a later fast retransmit below it is not
 * taken, and the SACK information is discarded: the receiver may have
 * reneged (RFC 2018 §8 "SHOULD expunge"), and go-back-N from SND.UNA
 * retransmits from the start anyway.
 */
void tcp_sack_on_rto(struct tcp_sack_sb *sb, uint32_t snd_nxt);

#endif

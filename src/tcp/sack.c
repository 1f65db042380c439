/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sender SACK scoreboard (RFC 6675, RFC 2018, D-SACK detection per RFC
 * 2883). See sack.h.
 */

#include <string.h>
#include "seq.h"
#include "sack.h"

/* The largest block a sender can have outstanding (RFC 7323 §2.3). */
#define SACK_MAX_SPAN (1u << 30)

void tcp_sack_init(struct tcp_sack_sb *sb, uint32_t mss)
{
	memset(sb, 0, sizeof(*sb));
	sb->mss = mss ? mss : 536;
}

void tcp_sack_clear(struct tcp_sack_sb *sb)
{
	tcp_sack_init(sb, sb->mss);
}

void tcp_sack_ack(struct tcp_sack_sb *sb, uint32_t snd_una)
{
	unsigned drop = 0;

	while (drop < sb->n && SEQ_LEQ(sb->blk[drop].end, snd_una)) {
		sb->sacked -= sb->blk[drop].end - sb->blk[drop].start;
		drop++;
	}
	if (drop) {
		memmove(sb->blk, sb->blk + drop, (sb->n - drop) * sizeof(sb->blk[0]));
		sb->n -= drop;
	}
	if (sb->n && SEQ_LT(sb->blk[0].start, snd_una)) {
		sb->sacked -= snd_una - sb->blk[0].start;
		sb->blk[0].start = snd_una;
	}
	if (sb->in_recovery && SEQ_LT(sb->high_rxt, snd_una))
		sb->high_rxt = snd_una;
}

/* Insert [s, e) merging with overlapping or adjacent blocks. Returns the
 * bytes newly covered; *dropped is set when a block had to be forgotten. */
static uint32_t sb_insert(struct tcp_sack_sb *sb, uint32_t s, uint32_t e, bool *dropped)
{
	unsigned i = 0, j, k;
	uint32_t old = 0, ns, ne;

	while (i < sb->n && SEQ_LT(sb->blk[i].end, s))
		i++;
	j = i;
	while (j < sb->n && SEQ_LEQ(sb->blk[j].start, e))
		j++;
	if (i < j) {
		ns = seq_min(s, sb->blk[i].start);
		ne = seq_max(e, sb->blk[j - 1].end);
		for (k = i; k < j; k++)
			old += sb->blk[k].end - sb->blk[k].start;
		sb->blk[i].start = ns;
		sb->blk[i].end = ne;
		if (j - i > 1) {
			memmove(sb->blk + i + 1, sb->blk + j, (sb->n - j) * sizeof(sb->blk[0]));
			sb->n -= j - i - 1;
		}
		sb->sacked += (ne - ns) - old;
		return (ne - ns) - old;
	}
	if (sb->n == TCP_SACK_SB_MAX) {
		*dropped = true;
		if (i == sb->n)
			return 0;      /* the new block is the highest: forget it */
		sb->n--;               /* forget the highest block */
		sb->sacked -= sb->blk[sb->n].end - sb->blk[sb->n].start;
	}
	memmove(sb->blk + i + 1, sb->blk + i, (sb->n - i) * sizeof(sb->blk[0]));
	sb->blk[i].start = s;
	sb->blk[i].end = e;
	sb->n++;
	sb->sacked += e - s;
	return e - s;
}

void tcp_sack_update(struct tcp_sack_sb *sb, uint32_t snd_una, uint32_t snd_nxt,
		     const struct tcp_sack_block *blocks, unsigned n,
		     struct tcp_sack_update_res *res)
{
	struct tcp_sack_update_res r = { 0 };

	tcp_sack_ack(sb, snd_una);
	for (unsigned i = 0; i < n; i++) {
		uint32_t s = blocks[i].start, e = blocks[i].end;
		bool dropped = false;

		if (!SEQ_LT(s, e) || e - s > SACK_MAX_SPAN) {
			r.n_invalid++;
			continue;
		}
		/* RFC 2883 §4: the first block reports a duplicate if it lies
		 * below the cumulative ACK or inside the second block. */
		if (i == 0 && (SEQ_LT(s, snd_una) ||
			       (n > 1 && SEQ_GEQ(s, blocks[1].start) &&
				SEQ_LEQ(e, blocks[1].end) && SEQ_LT(blocks[1].start, blocks[1].end)))) {
			r.n_dsack++;
			continue;
		}
		if (SEQ_GT(e, snd_nxt) || SEQ_LEQ(e, snd_una)) {
			r.n_invalid++;
			continue;
		}
		if (SEQ_LT(s, snd_una))
			s = snd_una;
		r.newly_sacked += sb_insert(sb, s, e, &dropped);
		if (dropped)
			r.n_dropped++;
	}
	if (res)
		*res = r;
}

bool tcp_sack_is_sacked(const struct tcp_sack_sb *sb, uint32_t seq)
{
	for (unsigned i = 0; i < sb->n; i++)
		if (seq_in(seq, sb->blk[i].start, sb->blk[i].end))
			return true;
	return false;
}

/* Index of the lowest block such that every unSACKed octet below its start
 * is lost (IsLost is monotone: fewer SACKed bytes lie above higher
 * octets), or -1 when IsLost holds for no octet. */
static int lost_bound(const struct tcp_sack_sb *sb)
{
	uint64_t bytes = 0;
	unsigned cnt = 0;

	for (int i = (int)sb->n - 1; i >= 0; i--) {
		cnt++;
		bytes += sb->blk[i].end - sb->blk[i].start;
		if (cnt >= TCP_SACK_DUPTHRESH ||
		    bytes > (uint64_t)(TCP_SACK_DUPTHRESH - 1) * sb->mss)
			return i;
	}
	return -1;
}

bool tcp_sack_is_lost(const struct tcp_sack_sb *sb, uint32_t seq)
{
	int k;

	if (tcp_sack_is_sacked(sb, seq))
		return false;
	k = lost_bound(sb);
	return k >= 0 && SEQ_LT(seq, sb->blk[k].start);
}

uint32_t tcp_sack_high(const struct tcp_sack_sb *sb, uint32_t snd_una)
{
	return sb->n ? sb->blk[sb->n - 1].end : snd_una;
}

/* SACKed bytes inside [lo, hi). */
static uint32_t sacked_in(const struct tcp_sack_sb *sb, uint32_t lo, uint32_t hi)
{
	uint32_t sum = 0;

	for (unsigned i = 0; i < sb->n; i++) {
		uint32_t s = seq_max(sb->blk[i].start, lo);
		uint32_t e = seq_min(sb->blk[i].end, hi);

		if (SEQ_LT(s, e))
			sum += e - s;
	}
	return sum;
}

uint32_t tcp_sack_pipe(const struct tcp_sack_sb *sb, uint32_t snd_una, uint32_t snd_nxt)
{
	int k = lost_bound(sb);
	uint32_t lost_end = k >= 0 ? seq_max(sb->blk[k].start, snd_una) : snd_una;
	uint32_t pipe = 0;

	if (SEQ_GEQ(snd_una, snd_nxt))
		return 0;
	if (SEQ_GT(lost_end, snd_nxt))
		lost_end = snd_nxt;
	/* (a) octets not SACKed and not lost: all unSACKed octets from the
	 * lost boundary up. */
	pipe += (snd_nxt - lost_end) - sacked_in(sb, lost_end, snd_nxt);
	/* (b) octets not SACKed that were retransmitted in this recovery. */
	if (sb->in_recovery && SEQ_GT(sb->high_rxt, snd_una)) {
		uint32_t hr = seq_min(sb->high_rxt, snd_nxt);

		pipe += (hr - snd_una) - sacked_in(sb, snd_una, hr);
	}
	return pipe;
}

void tcp_sack_enter_recovery(struct tcp_sack_sb *sb, uint32_t snd_una, uint32_t snd_nxt)
{
	sb->in_recovery = true;
	sb->recovery_point = snd_nxt;
	sb->high_rxt = snd_una;
	sb->rescue_rxt = snd_una;
	sb->rescue_done = false;
}

void tcp_sack_exit_recovery(struct tcp_sack_sb *sb)
{
	sb->in_recovery = false;
	sb->rescue_done = false;
}

/* First unSACKed octet at or above @s, and the end of that hole (the next
 * block's start, or @snd_nxt). */
static uint32_t next_hole(const struct tcp_sack_sb *sb, uint32_t s, uint32_t snd_nxt,
			  uint32_t *hole_end)
{
	unsigned i = 0;

	while (i < sb->n && SEQ_LEQ(sb->blk[i].end, s))
		i++;
	if (i < sb->n && SEQ_LEQ(sb->blk[i].start, s)) {
		s = sb->blk[i].end;    /* s is SACKed: skip the block */
		i++;
	}
	*hole_end = i < sb->n ? sb->blk[i].start : snd_nxt;
	return s;
}

enum tcp_sack_next tcp_sack_next_seg(const struct tcp_sack_sb *sb, uint32_t snd_una,
				     uint32_t snd_nxt, bool new_data_ok,
				     uint32_t *seq, uint32_t *len)
{
	uint32_t from = snd_una, s, hole_end, high = tcp_sack_high(sb, snd_una);

	if (sb->in_recovery && SEQ_GT(sb->high_rxt, from))
		from = sb->high_rxt;
	s = next_hole(sb, from, snd_nxt, &hole_end);
	/* Rules 1 and 3 need S2 below the highest SACKed octet (1.b, 3.b). */
	if (sb->n && SEQ_LT(s, high) && SEQ_GEQ(s, snd_una)) {
		*seq = s;
		*len = seq_min(hole_end, s + sb->mss) - s;
		if (tcp_sack_is_lost(sb, s))
			return TCP_SACK_NEXT_LOST;           /* rule 1 */
		if (!new_data_ok)
			return TCP_SACK_NEXT_RULE3;          /* rule 3 */
	}
	if (new_data_ok) {                                   /* rule 2 */
		*seq = snd_nxt;
		*len = sb->mss;
		return TCP_SACK_NEXT_NEW;
	}
	/* Rule 4: one rescue retransmission per recovery, of the highest
	 * outstanding unSACKed octet. */
	if (sb->in_recovery && !sb->rescue_done && SEQ_LT(snd_una, snd_nxt)) {
		uint32_t top = snd_nxt, lo;
		int i = (int)sb->n - 1;

		while (i >= 0 && SEQ_GEQ(sb->blk[i].end, top)) {
			top = sb->blk[i].start;      /* top of the range is SACKed */
			i--;
		}
		if (SEQ_GT(top, snd_una)) {
			lo = i >= 0 ? seq_max(sb->blk[i].end, snd_una) : snd_una;
			if (SEQ_GT(top - lo, sb->mss))
				lo = top - sb->mss;
			*seq = lo;
			*len = top - lo;
			return TCP_SACK_NEXT_RESCUE;
		}
	}
	*seq = snd_nxt;
	*len = 0;
	return TCP_SACK_NEXT_NONE;
}

void tcp_sack_mark_rxt(struct tcp_sack_sb *sb, enum tcp_sack_next kind, uint32_t seq,
		       uint32_t len)
{
	switch (kind) {
	case TCP_SACK_NEXT_LOST:
	case TCP_SACK_NEXT_RULE3:
		if (SEQ_GT(seq + len, sb->high_rxt))
			sb->high_rxt = seq + len;
		break;
	case TCP_SACK_NEXT_RESCUE:
		sb->rescue_done = true;
		sb->rescue_rxt = sb->recovery_point;
		break;
	default:
		break;
	}
}

void tcp_sack_on_rto(struct tcp_sack_sb *sb, uint32_t snd_nxt)
{
	uint32_t mss = sb->mss;

	tcp_sack_init(sb, mss);
	sb->recovery_point = snd_nxt;
}

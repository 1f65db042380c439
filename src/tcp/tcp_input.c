/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Segment arrival, RFC 9293 §3.10.7: validation and demux, the LISTEN and
 * SYN-SENT cases, then for synchronized states the acceptability test,
 * PAWS (RFC 7323 §5), RST and SYN checks with challenge ACKs (RFC 5961 §3,
 * §4), ACK processing (RTT, congestion control, NewReno RFC 6582, SACK
 * RFC 6675), the data path (in order into the receive queue, out of order
 * into reassembly) and FIN processing.
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_byteorder.h>
#include "tcp/tcb.h"
#include "tcp/tcp.h"
#include "net/cksum.h"
#include "net/gro.h"
#include "mptcp/mptcp_tcp.h"

#define TH_FIN RTE_TCP_FIN_FLAG
#define TH_SYN RTE_TCP_SYN_FLAG
#define TH_RST RTE_TCP_RST_FLAG
#define TH_ACK RTE_TCP_ACK_FLAG

/* A parsed segment. */
struct seg {
	uint32_t seq, ack;
	uint32_t wnd;          /* raw window field */
	uint32_t len;          /* payload bytes */
	uint8_t flags;
	struct tcp_opts o;
	uint32_t laddr, raddr;
	uint16_t lport, rport;
	/* The option bytes, parsed from here rather than from the mbuf:
	 * o.mptcp[].p points into them, and a segment without payload has
	 * its mbuf freed before the MPTCP hooks read those options (after
	 * ACK processing may have reused the mbuf for output). */
	uint8_t optbuf[40];
};

static inline uint32_t min32(uint32_t a, uint32_t b) { return a < b ? a : b; }

/* SEG.LEN counting SYN and FIN */
static inline uint32_t seg_seqlen(const struct seg *s)
{
	return s->len + ((s->flags & TH_SYN) ? 1 : 0) + ((s->flags & TH_FIN) ? 1 : 0);
}

/* ------------------------------------------------------------------ helpers */

static void tcb_apply_syn_opts(struct tcb *t, const struct seg *s)
{
	const struct tcp_opts *o = &s->o;
	const struct mpdk_tcp_conf *c = &t->te->conf;
	bool passive = t->state == TCPS_LISTEN || t->state == TCPS_CLOSED;
	uint16_t peer_mss = (o->flags & TCP_OPT_F_MSS) ? o->mss : 536;

	if (peer_mss < 64)
		peer_mss = 64;
	t->mss_base = peer_mss < t->rmss ? peer_mss : t->rmss;
	/* An option is in use when both sides sent it; for a passive open we
	 * answer only what the peer offered and we allow. */
	if ((o->flags & TCP_OPT_F_WSCALE) && !c->no_wscale) {
		t->flags |= TF_WS_OK;
		t->snd_wscale = o->wscale;
	} else {
		t->flags &= ~TF_WS_OK;
		t->snd_wscale = 0;
		t->rcv_wscale = 0;
	}
	if ((o->flags & TCP_OPT_F_SACK_PERM) && !c->no_sack)
		t->flags |= TF_SACK_OK;
	if ((o->flags & TCP_OPT_F_TS) && !c->no_timestamps) {
		t->flags |= TF_TS_OK;
		t->ts_recent = o->ts_val;
		t->ts_recent_age = tcb_now(t);
	}
	(void)passive;
	t->mss = (uint16_t)(t->mss_base - ((t->flags & TF_TS_OK) ? 12 : 0));
	t->cc.c.mss = t->mss;
	t->sb.mss = t->mss;
	tcp_cc_init(&t->cc, t->cc.ops, t->mss, 0);
	t->cc.c.owner = t;
	tcp_reasm_init(&t->reasm, t->rcvbuf + (1u << t->rcv_wscale),
		       tcp_reasm_segs_for(t->rcvbuf, t->te->conf.reasm_max_segs));
}

static inline uint32_t seg_wnd(const struct tcb *t, const struct seg *s)
{
	if (s->flags & TH_SYN)
		return s->wnd;   /* never scaled (RFC 7323 §2.2) */
	return s->wnd << t->snd_wscale;
}

static void tcb_update_window(struct tcb *t, const struct seg *s)
{
	/* RFC 9293 §3.10.7.4: SND.WL1 < SEG.SEQ or (WL1 = SEQ and WL2 =< ACK) */
	if (SEQ_LT(t->snd_wl1, s->seq) ||
	    (t->snd_wl1 == s->seq && SEQ_LEQ(t->snd_wl2, s->ack))) {
		uint32_t old = t->snd_wnd;
		t->snd_wnd = seg_wnd(t, s);
		t->snd_wl1 = s->seq;
		t->snd_wl2 = s->ack;
		if (t->snd_wnd > t->max_sndwnd)
			t->max_sndwnd = t->snd_wnd;
		/* a subflow's window update alone (no new data ACKed, no DSS
		 * after a fallback) must wake the data waiting in the meta */
		if (t->sf != NULL && t->snd_wnd > old)
			mptcp_sf_wnd_grew(t);
		if (old == 0 && t->snd_wnd > 0 && (t->flags & TF_PERSIST)) {
			/* window opened: leave persist, resend the probe byte
			 * with the next segment */
			timer_cancel(&t->te->e->tw, &t->t_rtx);
			t->flags &= ~TF_PERSIST;
			t->nprobe = 0;
			t->snd_nxt = t->snd_una;
			t->snd_cur = NULL;
		}
	}
}

/* Reached ESTABLISHED (from SYN_SENT or SYN_RECEIVED). */
static void tcb_established(struct tcb *t, const struct seg *s)
{
	tcb_set_state(t, TCPS_ESTABLISHED);
	t->snd_wnd = seg_wnd(t, s);
	t->max_sndwnd = t->snd_wnd;
	t->snd_wl1 = s->seq;
	t->snd_wl2 = s->ack;
	t->nrtx = 0;
	t->backoff = 0;
	timer_cancel(&t->te->e->tw, &t->t_rtx);
	tcp_keepalive_reset(t);
	if (t->parent != NULL)
		tcb_child_established(t);
	else
		tcb_event(t, EV_CONNECTED);
	if (t->flags & TF_FIN_QUEUED) {
		t->flags &= ~TF_FIN_QUEUED;
		tcb_queue_fin(t);
	}
}

/* Timestamp bookkeeping (RFC 7323 §4.3): record TS.Recent when the segment
 * covers Last.ACK.sent. */
static void tcb_update_ts_recent(struct tcb *t, const struct seg *s)
{
	if ((t->flags & TF_TS_OK) && (s->o.flags & TCP_OPT_F_TS) &&
	    SEQ_LEQ(s->seq, t->last_ack_sent) &&
	    SEQ_GEQ(s->seq + seg_seqlen(s), t->last_ack_sent) &&
	    SEQ_GEQ(s->o.ts_val, t->ts_recent)) {
		t->ts_recent = s->o.ts_val;
		t->ts_recent_age = tcb_now(t);
	}
}

/* Drop @n bytes at the front of the payload chain @m. */
static struct rte_mbuf *payload_adj(struct rte_mbuf *m, uint32_t n)
{
	while (n > 0 && m != NULL) {
		if (m->data_len <= n) {
			struct rte_mbuf *next = m->next;
			n -= m->data_len;
			if (next)
				next->nb_segs = m->nb_segs - 1;
			if (next)
				next->pkt_len = m->pkt_len - m->data_len;
			m->next = NULL;
			m->nb_segs = 1;
			rte_pktmbuf_free_seg(m);
			m = next;
		} else {
			m->data_off += n;
			m->data_len -= n;
			m->pkt_len -= n;
			n = 0;
		}
	}
	return m;
}

/* ------------------------------------------------------------------ data path */

static void deliver_in_order(struct tcb *t, struct rte_mbuf *m, uint32_t len)
{
	t->rcv_nxt += len;
	t->bytes_in += len;
	if (t->sf != NULL && mptcp_sf_attached(t)) {
		mptcp_rcv_data(t, m, len);
		return;
	}
	if (t->flags & TF_SHUT_RD) {
		rte_pktmbuf_free(m);
		return;
	}
	mbuf_q_push_chain(&t->rcvq, m);
	tcb_event(t, EV_READABLE);
}

static void process_fin(struct tcb *t)
{
	t->rcv_nxt += 1;
	t->flags |= TF_RCVD_FIN | TF_ACKNOW;
	tcb_event(t, EV_READABLE);
	switch (t->state) {
	case TCPS_SYN_RECEIVED:
	case TCPS_ESTABLISHED:
		tcb_set_state(t, TCPS_CLOSE_WAIT);
		break;
	case TCPS_FIN_WAIT_1:
		/* our FIN not acknowledged yet (else we'd be in FIN_WAIT_2) */
		tcb_set_state(t, TCPS_CLOSING);
		break;
	case TCPS_FIN_WAIT_2:
		tcp_send_ack(t);
		tcb_enter_time_wait(t);
		break;
	default:
		break;
	}
	if (t->sf != NULL && t->in_use)
		mptcp_rcv_fin(t);
}

/* RFC 9293 §3.10.7.4 seventh and eighth steps. @m: payload (may be NULL).
 * Returns false if the tcb is gone. */
static bool process_data(struct tcb *t, struct seg *s, struct rte_mbuf *m)
{
	bool fin = s->flags & TH_FIN;

	if (s->len == 0 && !fin) {
		rte_pktmbuf_free(m);
		return true;
	}
	if (t->state != TCPS_ESTABLISHED && t->state != TCPS_FIN_WAIT_1 &&
	    t->state != TCPS_FIN_WAIT_2 && t->state != TCPS_SYN_RECEIVED) {
		/* CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT: peer already sent
		 * its FIN; anything new is bogus. Retransmitted FIN: ACK it. */
		rte_pktmbuf_free(m);
		if (fin || s->len)
			t->flags |= TF_ACKNOW;
		if (t->state == TCPS_TIME_WAIT && fin) {
			timer_arm_in(&t->te->e->tw, &t->t_keep,
				     (uint64_t)t->te->conf.time_wait_ms * NS_PER_MS);
		}
		return true;
	}
	if (s->len > 0 && !(t->flags & TF_APP) && t->parent == NULL && t->sf == NULL &&
	    t->state != TCPS_SYN_RECEIVED) {
		/* The application closed: nobody will read this (RFC 9293
		 * §3.10.4 / RFC 2525 §2.17). */
		rte_pktmbuf_free(m);
		CTR_INC(t->te->e, tcp_rx_after_close);
		tcb_abort(t);
		return false;
	}
	if (s->len > 0 && tcp_mem_critical(t->te)) {
		/* The pool is nearly dry: data segments are what fills it and
		 * ACKs are what empties it (they free send queues). Drop the
		 * payload (its ACK was processed; RFC 9293 §3.10.7.4 lets a
		 * receiver drop what it cannot buffer) so that the last mbufs
		 * keep rx going; the peer retransmits. */
		rte_pktmbuf_free(m);
		CTR_INC(t->te->e, tcp_rx_mem_drop);
		t->flags |= TF_WND_HELD;
		tcp_nobuf(t);
		return true;
	}
	if (s->seq == t->rcv_nxt) {
		if (s->len > 0)
			deliver_in_order(t, m, s->len);
		else
			rte_pktmbuf_free(m);
		if (fin) {
			/* The peer says the stream ends here: anything queued
			 * beyond it is bogus. */
			tcp_reasm_clear(&t->reasm);
			process_fin(t);
			return true;
		}
		if (!tcp_reasm_empty(&t->reasm)) {
			uint32_t l = 0;
			bool rfin = false;
			struct rte_mbuf *r = tcp_reasm_pop(&t->reasm, t->rcv_nxt, &l, &rfin);
			if (r != NULL)
				deliver_in_order(t, r, l);
			/* filling a hole: ACK at once (RFC 5681 §4.2) */
			t->flags |= TF_ACKNOW;
			if (rfin)
				process_fin(t);
		} else if (!(t->flags & TF_ACKNOW)) {
			/* Delayed ACK (RFC 9293 §3.8.6.3): at least every
			 * second full-sized segment, else within delack_ms. */
			if (t->te->conf.no_delack || t->rcv_nxt - t->last_ack_sent >= 2u * t->mss)
				t->flags |= TF_ACKNOW;
			else
				tcp_delack_arm(t);
		}
		return true;
	}
	/* Out of order: keep for later, duplicate ACK with SACK blocks now. */
	CTR_INC(t->te->e, tcp_rx_ooo);
	t->flags |= TF_ACKNOW;
	if (s->len == 0)
		return true;   /* a FIN alone out of order: the peer resends it */
	int rc = tcp_reasm_insert(&t->reasm, t->rcv_nxt, s->seq, m, fin);
	if (rc == TCP_REASM_E_BYTES)
		CTR_INC(t->te->e, tcp_reasm_drop_limit);
	else if (rc == TCP_REASM_E_RUNS)
		CTR_INC(t->te->e, tcp_reasm_drop_runs);
	else if (rc == 0 && s->len > 0)
		CTR_INC(t->te->e, tcp_reasm_dup);
	t->flags |= TF_ACKNOW;
	return true;
}

/* ------------------------------------------------------------------ ACK processing */

static void ack_rtt(struct tcb *t, uint32_t ack)
{
	if (t->rtt_timing && SEQ_GT(ack, t->rtt_seq)) {
		t->rtt_timing = false;
		tcp_rtt_sample(t, tcb_now(t) - t->rtt_start);
	}
}

/* Free acknowledged data; returns data bytes acked. */
static uint32_t ack_free_data(struct tcb *t, uint32_t ack)
{
	uint32_t s0 = tcb_sndq_seq(t);
	uint32_t acked = ack - s0;
	if (acked > t->sndq.bytes)
		acked = t->sndq.bytes;
	if (acked == 0)
		return 0;
	mbuf_q_trim_front(&t->sndq, acked);
	if (t->snd_cur != NULL && SEQ_LEQ(t->snd_cur_seq, s0 + acked))
		t->snd_cur = NULL;
	t->bytes_out += acked;
	if (t->flags & TF_WANT_WRITABLE) {
		if (t->sndq.bytes + t->mss <= t->sndbuf || t->sndq.bytes < t->sndbuf / 2) {
			t->flags &= ~TF_WANT_WRITABLE;
			tcb_event(t, EV_WRITABLE);
		}
	}
	return acked;
}

static bool is_dupack(const struct tcb *t, const struct seg *s, uint32_t old_wnd)
{
	/* RFC 5681 §2 DUPLICATE ACKNOWLEDGMENT */
	return s->ack == t->snd_una && s->len == 0 && !(s->flags & (TH_SYN | TH_FIN)) &&
	       t->snd_max != t->snd_una && seg_wnd(t, s) == old_wnd && old_wnd != 0 &&
	       !(t->flags & TF_PERSIST);
}

/* RFC 5827 §3.1 (byte-based): with less than 4 segments outstanding and
 * no new segment that may be sent, the duplicate-ACK threshold drops to
 * the number of outstanding segments minus one. Returns the threshold
 * (3 when early retransmit does not apply). */
static uint32_t early_rxt_thresh(const struct tcb *t)
{
	uint32_t flight = tcb_flight(t);
	uint32_t end = tcb_data_end(t);

	if (t->mss == 0 || flight >= 4 * t->mss)
		return 3;
	/* unsent data the receive window allows: not eligible */
	if (SEQ_GT(end, t->snd_max) && SEQ_LT(t->snd_max, t->snd_una + t->snd_wnd))
		return 3;
	uint32_t oseg = (flight + t->mss - 1) / t->mss;
	if (oseg < 2)
		return 3;
	return oseg - 1;
}

/* RFC 5827 §3.2 (SACK): outstanding segments SACKed, counted per SMSS
 * from SND.UNA (only used with less than 4 segments outstanding). */
static uint32_t sacked_segs(const struct tcb *t)
{
	uint32_t n = 0;

	for (uint32_t seq = t->snd_una; SEQ_LT(seq, t->snd_max); seq += t->mss)
		if (tcp_sack_is_sacked(&t->sb, seq))
			n++;
	return n;
}

static void enter_fast_recovery(struct tcb *t)
{
	struct mpdk_engine *e = tcb_engine(t);
	uint64_t now_us = tcb_now(t) / 1000;

	t->in_recovery = true;
	t->partial_acked = false;
	t->recover = t->snd_max;
	t->rtt_timing = false;
	t->lt_ok = false;
	/* RFC 5681 §3.2 step 2: data sent by limited transmit (RFC 3042)
	 * is not part of FlightSize for the ssthresh computation. */
	uint32_t flight = tcb_flight(t);
	flight = flight > t->lt_bytes ? flight - t->lt_bytes : 0;
	t->lt_bytes = 0;
	tcp_cc_enter_recovery(&t->cc, flight, now_us);
	if (t->flags & TF_SACK_OK) {
		CTR_INC(e, tcp_sack_recovery);
		tcp_sack_enter_recovery(&t->sb, t->snd_una, t->snd_max);
		/* RFC 6675 §5 step 4.3: retransmit the first lost segment */
		uint32_t n = tcp_retransmit(t, t->snd_una, t->mss);
		if (n)
			tcp_sack_mark_rxt(&t->sb, TCP_SACK_NEXT_LOST, t->snd_una, n);
	} else {
		CTR_INC(e, tcp_fast_retransmit);
		tcp_retransmit(t, t->snd_una, t->mss);
		/* RFC 6582 §3.2 step 3: inflate by the three segments that
		 * left the network */
		t->cc.c.cwnd = t->cc.c.ssthresh + 3 * t->mss;
	}
	tcp_rto_arm(t);
}

static void exit_fast_recovery(struct tcb *t)
{
	t->in_recovery = false;
	t->dupacks = 0;
	t->lt_bytes = 0;
	if (t->flags & TF_SACK_OK)
		tcp_sack_exit_recovery(&t->sb);
	tcp_cc_exit_recovery(&t->cc, tcb_flight(t), tcb_now(t) / 1000);
}

/* ACK in a synchronized state (ESTABLISHED and later). Returns false if
 * the tcb is gone. */
static bool process_ack(struct tcb *t, struct seg *s)
{
	struct mpdk_engine *e = tcb_engine(t);
	uint32_t old_wnd = t->snd_wnd;

	/* RFC 5961 §5.2: acceptable if SND.UNA - MAX.SND.WND =< SEG.ACK =< SND.NXT */
	if (SEQ_GT(s->ack, t->snd_max)) {
		CTR_INC(e, tcp_rx_ack_unsent);
		t->flags |= TF_ACKNOW;
		return false;
	}
	if (SEQ_LT(s->ack, t->snd_una - (t->max_sndwnd > 65535 ? t->max_sndwnd : 65535))) {
		tcp_send_challenge_ack(t);
		return false;
	}

	if ((t->flags & TF_SACK_OK) && s->o.n_sack > 0) {
		struct tcp_sack_update_res r;
		tcp_sack_update(&t->sb, SEQ_GT(s->ack, t->snd_una) ? s->ack : t->snd_una,
				t->snd_max, s->o.sack, s->o.n_sack, &r);
		CTR_ADD(e, tcp_sack_dsack_rx, r.n_dsack);
		CTR_ADD(e, tcp_sack_invalid_rx, r.n_invalid);
		CTR_ADD(e, tcp_sack_sb_full, r.n_dropped);
	} else if ((t->flags & TF_SACK_OK) && SEQ_GT(s->ack, t->snd_una)) {
		tcp_sack_ack(&t->sb, s->ack);
	}

	if (SEQ_GT(s->ack, t->snd_una)) {
		/* new data acknowledged */
		uint32_t acked_seq = s->ack - t->snd_una;
		uint64_t now_us = tcb_now(t) / 1000;
		ack_rtt(t, s->ack);
		t->nrtx = 0;
		/* Karn/RFC 6298 §5.7: keep the backed-off RTO until a new
		 * sample arrives; but once everything outstanding is acked the
		 * path works again. */
		uint32_t data_acked = ack_free_data(t, s->ack);
		uint32_t prev_una = t->snd_una;
		t->snd_una = s->ack;
		if (SEQ_LT(t->snd_nxt, t->snd_una))
			t->snd_nxt = t->snd_una;
		if (t->flags & TF_RTO_RECOVERY && SEQ_GEQ(t->snd_una, t->snd_max))
			t->flags &= ~TF_RTO_RECOVERY;
		(void)prev_una;
		if (t->sf != NULL)
			mptcp_sf_acked(t);

		if (t->in_recovery) {
			if (SEQ_GEQ(s->ack, t->recover)) {
				/* full ACK: RFC 6582 §3.2 step 3 / RFC 6675 */
				exit_fast_recovery(t);
			} else if (t->flags & TF_SACK_OK) {
				/* RFC 6675: stay in recovery, output below */
			} else {
				/* partial ACK: RFC 6582 §3.2 step 5 */
				CTR_INC(e, tcp_partial_ack);
				tcp_retransmit(t, t->snd_una, t->mss);
				uint32_t cw = t->cc.c.cwnd;
				cw = cw > acked_seq ? cw - acked_seq : 0;
				if (acked_seq >= t->mss)
					cw += t->mss;
				if (cw < t->mss)
					cw = t->mss;
				t->cc.c.cwnd = cw;
				if (!t->partial_acked) {
					t->partial_acked = true;
					tcp_rto_arm(t);   /* "impatient" variant */
				}
			}
		} else {
			t->dupacks = 0;
			t->lt_ok = false;
			t->lt_bytes = 0;
			if (data_acked > 0 || acked_seq > 0)
				tcp_cc_on_ack(&t->cc, tcb_flight(t), now_us, acked_seq,
					      t->srtt_us);
		}
		/* RFC 6298 §5.2/5.3 */
		if (t->snd_una == t->snd_max) {
			tcp_rto_stop(t);
			t->backoff = 0;
		} else if (!(t->in_recovery && t->partial_acked && !(t->flags & TF_SACK_OK))) {
			tcp_rto_arm(t);
		}
		/* our FIN acknowledged? */
		if ((t->flags & TF_FIN_QUEUED) && SEQ_GT(t->snd_una, t->fin_seq)) {
			switch (t->state) {
			case TCPS_FIN_WAIT_1:
				tcb_set_state(t, TCPS_FIN_WAIT_2);
				if (!(t->flags & TF_APP))
					timer_arm_in(&e->tw, &t->t_keep,
						     (uint64_t)t->te->conf.fin_wait2_ms * NS_PER_MS);
				break;
			case TCPS_CLOSING:
				tcb_enter_time_wait(t);
				break;
			case TCPS_LAST_ACK:
				tcb_done(t, 0);
				return false;
			default:
				break;
			}
		}
		tcb_update_window(t, s);
		return true;
	}

	/* SEG.ACK =< SND.UNA: duplicate or old */
	tcb_update_window(t, s);
	if (is_dupack(t, s, old_wnd)) {
		t->dupacks++;
		if (t->in_recovery) {
			if (!(t->flags & TF_SACK_OK))
				t->cc.c.cwnd += t->mss;   /* RFC 6582 step 4 */
		} else {
			uint32_t er = early_rxt_thresh(t);
			bool std = t->dupacks >= 3 ||
				   ((t->flags & TF_SACK_OK) && tcp_sack_is_lost(&t->sb, t->snd_una));
			bool early = !std && er < 3 &&
				     ((t->flags & TF_SACK_OK) ? sacked_segs(t) >= er
							       : t->dupacks >= er);
			if ((std || early) && SEQ_GT(t->snd_una, t->recover - 1)) {
				/* RFC 6582 §3.2 step 2: only if the ACK covers
				 * more than "recover" (avoid multiple fast
				 * retransmits) */
				if (early)
					CTR_INC(e, tcp_early_retransmit);
				enter_fast_recovery(t);
			} else if (!std && !early && t->dupacks <= 2) {
				/* RFC 3042 §2: the first and second duplicate
				 * ACKs each clock out one new segment */
				t->lt_ok = true;
			}
		}
	}
	return true;
}

/* ------------------------------------------------------------------ states */

static void input_syn_sent(struct tcb *t, struct seg *s, struct rte_mbuf *m)
{
	struct mpdk_engine *e = tcb_engine(t);
	bool ack_ok = false;

	if (s->flags & TH_ACK) {
		if (SEQ_LEQ(s->ack, t->iss) || SEQ_GT(s->ack, t->snd_max)) {
			if (!(s->flags & TH_RST))
				tcp_send_rst_reply(t->te, s->laddr, s->lport, s->raddr, s->rport,
						   true, s->seq, s->ack, seg_seqlen(s));
			rte_pktmbuf_free(m);
			return;
		}
		ack_ok = true;
	}
	if (s->flags & TH_RST) {
		rte_pktmbuf_free(m);
		if (ack_ok) {
			CTR_INC(e, tcp_rx_rst);
			tcb_done(t, -ECONNREFUSED);
		} else {
			CTR_INC(e, tcp_rx_rst_ignored);
		}
		return;
	}
	if (!(s->flags & TH_SYN)) {
		if (ack_ok && t->sf != NULL)
			mptcp_syn_sent_ack(t, &s->o, s->flags);   /* EC draft: B's x */
		rte_pktmbuf_free(m);
		return;
	}
	t->irs = s->seq;
	t->rcv_nxt = s->seq + 1;
	tcb_apply_syn_opts(t, s);
	/* what our SYN offered (unscaled) */
	t->rcv_adv = t->rcv_nxt + (tcb_rcv_space(t) < 65535 ? tcb_rcv_space(t) : 65535);
	if (ack_ok) {
		t->snd_una = s->ack;
		ack_rtt(t, s->ack);
		if (t->sf != NULL && !mptcp_synack_rcvd(t, &s->o, s->flags)) {
			rte_pktmbuf_free(m);
			return;
		}
		tcb_established(t, s);
		t->flags |= TF_ACKNOW;
		if (s->len > 0 || (s->flags & TH_FIN)) {
			s->seq += 1;
			s->flags &= ~TH_SYN;
			if (!process_data(t, s, m))
				return;
		} else {
			rte_pktmbuf_free(m);
		}
		tcp_output(t);
		return;
	}
	/* simultaneous open (RFC 9293 §3.5 figure 7) */
	rte_pktmbuf_free(m);
	if (s->len)
		CTR_INC(e, tcp_syn_data_ignored);
	tcb_set_state(t, TCPS_SYN_RECEIVED);
	t->nrtx = 0;
	timer_cancel(&e->tw, &t->t_rtx);
	tcp_send_syn(t);
}

static void input_listen(struct tcb *l, struct seg *s, struct rte_mbuf *m)
{
	struct tcp_engine *te = l->te;
	struct mpdk_engine *e = te->e;

	rte_pktmbuf_free(m);
	if (s->flags & TH_RST)
		return;
	if (s->flags & TH_ACK) {
		tcp_send_rst_reply(te, s->laddr, s->lport, s->raddr, s->rport, true, s->seq, s->ack,
				   seg_seqlen(s));
		return;
	}
	if (!(s->flags & TH_SYN))
		return;
	if (l->n_children >= l->backlog) {
		CTR_INC(e, tcp_listen_overflow);
		return;
	}
	struct tcb *t = tcb_alloc(te);
	if (t == NULL) {
		/* connection table full (counted in tcb_alloc): refuse at
		 * once (RFC 9293 §3.10.7.2 allows a RST for a SYN we will not
		 * serve) rather than let the peer retry into a full table */
		tcp_send_rst_reply(te, s->laddr, s->lport, s->raddr, s->rport, false, s->seq, 0,
				   seg_seqlen(s));
		return;
	}
	tcb_init_conn(t, s->laddr, s->lport, s->raddr, s->rport);
	if (tcp_demux_insert(t) < 0) {
		tcb_free(t);
		return;
	}
	t->flags |= TF_PASSIVE | (l->flags & TF_NODELAY);
	t->h = l->h;
	t->arg = l->arg;
	t->parent = l;
	l->n_children++;
	t->irs = s->seq;
	t->rcv_nxt = s->seq + 1;
	tcb_set_state(t, TCPS_SYN_RECEIVED);
	tcb_apply_syn_opts(t, s);
	t->rcv_adv = t->rcv_nxt;
	t->snd_wnd = s->wnd;
	if (!mptcp_listen_syn(t, &s->o, s->flags)) {
		/* the key mode refuses it (ec-required, counted) */
		tcb_free(t);
		tcp_send_rst_reply(te, s->laddr, s->lport, s->raddr, s->rport, false, s->seq, 0,
				   seg_seqlen(s));
		return;
	}
	/* counted once the key mode took it: a refused SYN is no open */
	CTR_INC(e, tcp_passive_open);
	if (s->len)
		CTR_INC(e, tcp_syn_data_ignored);
	tcp_send_syn(t);
}

/* A SYN with MP_JOIN that matched no connection (RFC 8684 §3.2): a new
 * subflow of the connection its token names, or a RST. */
static void input_join(struct tcp_engine *te, struct seg *s, struct rte_mbuf *m)
{
	rte_pktmbuf_free(m);
	if (mptcp_join_syn_drop(te, &s->o, s->flags))
		return;   /* refused before any state (EC mode), counted */
	struct tcb *t = tcb_alloc(te);
	if (t == NULL) {
		tcp_send_rst_reply(te, s->laddr, s->lport, s->raddr, s->rport, false, s->seq, 0,
				   seg_seqlen(s));
		return;
	}
	tcb_init_conn(t, s->laddr, s->lport, s->raddr, s->rport);
	if (tcp_demux_insert(t) < 0) {
		tcb_free(t);
		return;
	}
	t->flags |= TF_PASSIVE | TF_NODELAY;
	t->irs = s->seq;
	t->rcv_nxt = s->seq + 1;
	tcb_set_state(t, TCPS_SYN_RECEIVED);
	tcb_apply_syn_opts(t, s);
	t->rcv_adv = t->rcv_nxt;
	t->snd_wnd = s->wnd;
	if (!mptcp_join_syn(t, &s->o, s->flags)) {
		tcb_free(t);
		tcp_send_rst_reply(te, s->laddr, s->lport, s->raddr, s->rport, false, s->seq, 0,
				   seg_seqlen(s));
		return;
	}
	tcp_send_syn(t);
}

/* RFC 6191-style reuse: a new SYN for a 4-tuple in TIME_WAIT. */
static bool time_wait_reuse(struct tcb *t, const struct seg *s)
{
	if (!(s->flags & TH_SYN) || (s->flags & (TH_ACK | TH_RST)))
		return false;
	if ((t->flags & TF_TS_OK) && (s->o.flags & TCP_OPT_F_TS))
		return SEQ_GT(s->o.ts_val, t->ts_recent);
	return SEQ_GT(s->seq, t->rcv_nxt);
}

static void input_synced(struct tcb *t, struct seg *s, struct rte_mbuf *m)
{
	struct mpdk_engine *e = tcb_engine(t);
	uint32_t rcv_wnd = SEQ_GT(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
	uint32_t oseq = s->seq, olen = s->len;   /* before trimming (MPTCP mappings) */

	t->last_rx = tcb_now(t);
	t->ka_nprobe = 0;

	/* PAWS, RFC 7323 §5.3 R1 (before the sequence check) */
	if ((t->flags & TF_TS_OK) && (s->o.flags & TCP_OPT_F_TS) && !(s->flags & TH_RST) &&
	    SEQ_LT(s->o.ts_val, t->ts_recent)) {
		/* R1: TS.Recent older than 24 days is invalid (§5.5) */
		if (tcb_now(t) - t->ts_recent_age > 24ull * 86400 * NS_PER_S) {
			t->ts_recent = s->o.ts_val;
		} else {
			CTR_INC(e, tcp_paws_drop);
			rte_pktmbuf_free(m);
			t->flags |= TF_ACKNOW;
			tcp_output(t);
			return;
		}
	}

	/* SYN_RECEIVED: the peer's SYN again. With an ACK it is the
	 * SYN-ACK of a simultaneous open (RFC 9293 §3.5 figure 7): use its
	 * ACK. Without, it is a retransmission: answer with our SYN-ACK. */
	if (t->state == TCPS_SYN_RECEIVED && (s->flags & TH_SYN) && s->seq == t->irs &&
	    !(s->flags & TH_RST)) {
		if (!(s->flags & TH_ACK)) {
			rte_pktmbuf_free(m);
			tcp_send_syn(t);
			return;
		}
		s->flags &= ~TH_SYN;
		s->seq++;
		m = payload_adj(m, UINT32_MAX);
		s->len = 0;
	}

	/* First: sequence number acceptability (RFC 9293 §3.10.7.4) */
	uint32_t slen = seg_seqlen(s);
	bool ok;
	if (slen == 0)
		ok = rcv_wnd == 0 ? s->seq == t->rcv_nxt
				  : seq_in(s->seq, t->rcv_nxt, t->rcv_nxt + rcv_wnd);
	else
		ok = rcv_wnd != 0 &&
		     (seq_in(s->seq, t->rcv_nxt, t->rcv_nxt + rcv_wnd) ||
		      seq_in(s->seq + slen - 1, t->rcv_nxt, t->rcv_nxt + rcv_wnd));
	if (!ok && rcv_wnd == 0 && slen > 0 && s->seq == t->rcv_nxt) {
		/* zero window: process the ACK and control bits, not the
		 * data (RFC 9293 §3.10.7.4 "special allowance") */
		CTR_ADD(e, tcp_rcv_window_drop, s->len);
		s->len = 0;
		s->flags &= ~TH_FIN;
		m = payload_adj(m, UINT32_MAX);
		t->flags |= TF_ACKNOW;
		ok = true;
	}
	if (!ok) {
		if (t->state == TCPS_TIME_WAIT && time_wait_reuse(t, s)) {
			/* handled by the caller: recycle */
			CTR_INC(e, tcp_time_wait_reuse);
			struct tcp_engine *te = t->te;
			struct tcb *l = tcp_listener_lookup(te, s->laddr, s->lport);
			if (l != NULL) {
				tcb_done(t, 0);
				input_listen(l, s, m);
				return;
			}
		}
		if (t->state == TCPS_TIME_WAIT && (s->flags & TH_FIN))
			/* retransmitted FIN: ACK it, restart 2MSL (§3.10.7.4) */
			timer_arm_in(&e->tw, &t->t_keep,
				     (uint64_t)t->te->conf.time_wait_ms * NS_PER_MS);
		if (!(s->flags & TH_RST)) {
			CTR_INC(e, tcp_rx_out_of_window);
			t->flags |= TF_ACKNOW;
			tcp_output(t);
		} else {
			CTR_INC(e, tcp_rx_rst_ignored);
		}
		rte_pktmbuf_free(m);
		return;
	}

	/* Second: RST (RFC 5961 §3.2) */
	if (s->flags & TH_RST) {
		rte_pktmbuf_free(m);
		if (s->seq != t->rcv_nxt) {
			tcp_send_challenge_ack(t);
			return;
		}
		CTR_INC(e, tcp_rx_rst);
		if (t->sf != NULL)
			mptcp_rst_rcvd(t, &s->o, s->flags);
		if (t->state == TCPS_SYN_RECEIVED && (t->flags & TF_PASSIVE)) {
			tcb_done(t, 0);   /* back to LISTEN: forget it */
			return;
		}
		if (t->state == TCPS_SYN_RECEIVED) {
			tcb_done(t, -ECONNREFUSED);
			return;
		}
		if (t->state == TCPS_TIME_WAIT || t->state == TCPS_CLOSING ||
		    t->state == TCPS_LAST_ACK) {
			tcb_done(t, 0);
			return;
		}
		CTR_INC(e, tcp_conn_reset);
		tcb_done(t, -ECONNRESET);
		return;
	}

	/* Trim to the window: bytes before RCV.NXT, then after the right edge */
	if (SEQ_LT(s->seq, t->rcv_nxt)) {
		uint32_t d = t->rcv_nxt - s->seq;
		if (s->flags & TH_SYN) {
			s->flags &= ~TH_SYN;
			s->seq++;
			d--;
		}
		if (d > s->len) {
			d = s->len;   /* FIN-only duplicate etc. */
			s->flags &= ~TH_FIN;
		}
		m = payload_adj(m, d);
		s->seq += d;
		s->len -= d;
		if (d > 0 && s->len == 0)
			CTR_INC(e, tcp_rx_dup_data);
		t->flags |= TF_ACKNOW;   /* duplicate: ACK at once (RFC 5681 §4.2) */
	}
	if (SEQ_GT(s->seq + s->len, t->rcv_nxt + rcv_wnd)) {
		uint32_t keep = t->rcv_nxt + rcv_wnd - s->seq;
		CTR_ADD(e, tcp_rcv_window_drop, s->len - keep);
		/* trim the tail of the chain */
		if (m != NULL) {
			uint32_t cut = s->len - keep;
			while (cut > 0 && m != NULL) {
				struct rte_mbuf *last = rte_pktmbuf_lastseg(m);
				uint32_t k = cut < last->data_len ? cut : last->data_len;
				if (k == last->data_len && m->nb_segs > 1) {
					struct rte_mbuf *p = m;
					while (p->next != last)
						p = p->next;
					p->next = NULL;
					m->nb_segs--;
					m->pkt_len -= last->data_len;
					rte_pktmbuf_free_seg(last);
				} else {
					last->data_len -= k;
					m->pkt_len -= k;
				}
				cut -= k;
			}
		}
		s->len = keep;
		s->flags &= ~TH_FIN;
		t->flags |= TF_ACKNOW;
	}

	/* Fourth: SYN in a synchronized state, RFC 5961 §4 */
	if (s->flags & TH_SYN) {
		rte_pktmbuf_free(m);
		if (t->state == TCPS_TIME_WAIT && time_wait_reuse(t, s)) {
			struct tcb *l = tcp_listener_lookup(t->te, s->laddr, s->lport);
			if (l != NULL) {
				CTR_INC(e, tcp_time_wait_reuse);
				tcb_done(t, 0);
				input_listen(l, s, NULL);
				return;
			}
		}
		tcp_send_challenge_ack(t);
		return;
	}

	/* Fifth: ACK */
	if (!(s->flags & TH_ACK)) {
		rte_pktmbuf_free(m);
		return;
	}
	if (t->state == TCPS_SYN_RECEIVED) {
		if (!(SEQ_GT(s->ack, t->snd_una) && SEQ_LEQ(s->ack, t->snd_max))) {
			rte_pktmbuf_free(m);
			tcp_send_rst_reply(t->te, s->laddr, s->lport, s->raddr, s->rport, true,
					   s->seq, s->ack, slen);
			return;
		}
		t->snd_una = t->iss + 1;   /* the SYN */
		ack_rtt(t, s->ack);
		if (t->sf != NULL && !mptcp_third_ack_rcvd(t, &s->o, s->flags, oseq, olen)) {
			rte_pktmbuf_free(m);
			return;
		}
		tcb_established(t, s);
	}
	tcb_update_ts_recent(t, s);
	if (!process_ack(t, s)) {
		/* unacceptable ACK (answered) or connection finished */
		if (t->in_use && (t->flags & TF_ACKNOW) && t->state != TCPS_CLOSED)
			tcp_output(t);
		rte_pktmbuf_free(m);
		return;
	}
	if (t->state == TCPS_TIME_WAIT && !(s->flags & TH_FIN) && s->len == 0) {
		rte_pktmbuf_free(m);
		return;
	}
	if (t->sf != NULL && !mptcp_input_opts(t, &s->o, s->flags, oseq, olen)) {
		rte_pktmbuf_free(m);
		return;
	}

	/* Seventh and eighth: data and FIN */
	if (!process_data(t, s, m))
		return;
	tcp_output(t);
}

/* ------------------------------------------------------------------ entry */

static bool tcp_cksum_ok(struct rte_mbuf *m, const struct rte_ipv4_hdr *ih, uint32_t off,
			 uint32_t len)
{
	uint64_t f = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	/* NONE: the field is not final (a partial checksum, virtio's
	 * VIRTIO_NET_HDR_F_NEEDS_CSUM) but the port vouches for the data */
	if (f == RTE_MBUF_F_RX_L4_CKSUM_GOOD || f == RTE_MBUF_F_RX_L4_CKSUM_NONE)
		return true;
	if (f == RTE_MBUF_F_RX_L4_CKSUM_BAD)
		return false;
	uint32_t sum = cksum_pseudo_ipv4(ih->src_addr, ih->dst_addr, IPPROTO_TCP, (uint16_t)len);
	sum = cksum_mbuf(m, off, len, sum);
	return cksum_finish(sum) == 0;
}

void tcp_input(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m)
{
	struct tcp_engine *te = tcp_te(e);
	uint32_t iphl = m->l3_len;
	(void)iface;

	CTR_INC(e, tcp_rx_segs);
	if (te == NULL || m->pkt_len < iphl + sizeof(struct rte_tcp_hdr) ||
	    m->data_len < iphl + sizeof(struct rte_tcp_hdr)) {
		CTR_INC(e, tcp_rx_malformed);
		rte_pktmbuf_free(m);
		return;
	}
	const struct rte_ipv4_hdr *ih = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	const struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, iphl);
	uint32_t tcp_len = m->pkt_len - iphl;
	uint32_t hlen = (uint32_t)(th->data_off >> 4) * 4;
	if (hlen < 20 || hlen > tcp_len || m->data_len < iphl + hlen) {
		CTR_INC(e, tcp_rx_malformed);
		rte_pktmbuf_free(m);
		return;
	}
	if (!tcp_cksum_ok(m, ih, iphl, tcp_len)) {
		CTR_INC(e, tcp_rx_bad_cksum);
		rte_pktmbuf_free(m);
		return;
	}
	/* A coalesced packet (software GRO or the port's LRO, net/gro.h)
	 * counts as the wire segments it was made of. Its checksum was
	 * verified per segment before merging (RX_L4_CKSUM_GOOD above). The
	 * delayed-ACK rule below counts bytes, so a super-segment of two or
	 * more full-sized segments is ACKed at once, one ACK for all of it
	 * (RFC 9293 §3.8.6.3, RFC 5681 §4.2; Linux does the same). */
	uint32_t nseg = gro_segs(m, tcp_len - hlen);
	if (nseg > 1)
		CTR_ADD(e, tcp_rx_segs, nseg - 1);
	struct seg s;
	s.seq = rte_be_to_cpu_32(th->sent_seq);
	s.ack = rte_be_to_cpu_32(th->recv_ack);
	s.wnd = rte_be_to_cpu_16(th->rx_win);
	s.flags = th->tcp_flags & (TH_FIN | TH_SYN | TH_RST | RTE_TCP_PSH_FLAG | TH_ACK | RTE_TCP_URG_FLAG);
	s.len = tcp_len - hlen;
	s.laddr = ih->dst_addr;
	s.raddr = ih->src_addr;
	s.lport = th->dst_port;
	s.rport = th->src_port;
	memcpy(s.optbuf, th + 1, hlen - 20);   /* hlen <= 60: at most 40 bytes */
	int rc = tcp_opts_parse(s.optbuf, hlen - 20, s.flags & TH_SYN, &s.o);
	TCP_OPTS_COUNT(e, rc, &s.o);
	if (rc < 0) {
		rte_pktmbuf_free(m);
		return;
	}
	/* Keep only the payload. */
	rte_pktmbuf_adj(m, (uint16_t)(iphl + hlen));
	if (s.len == 0) {
		rte_pktmbuf_free(m);
		m = NULL;
	}

	struct tcb *t = tcp_demux_lookup(te, s.laddr, s.lport, s.raddr, s.rport);
	if (t != NULL) {
		t->segs_in += nseg;
		if (t->state == TCPS_SYN_SENT)
			input_syn_sent(t, &s, m);
		else
			input_synced(t, &s, m);
		return;
	}
	if ((s.flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN && s.o.n_mptcp > 0 &&
	    mptcp_is_join_syn(te, &s.o, s.flags)) {
		input_join(te, &s, m);
		return;
	}
	struct tcb *l = tcp_listener_lookup(te, s.laddr, s.lport);
	if (l != NULL) {
		input_listen(l, &s, m);
		return;
	}
	/* RFC 9293 §3.10.7.1: CLOSED */
	rte_pktmbuf_free(m);
	if (s.flags & TH_RST)
		return;
	CTR_INC(e, tcp_rx_no_conn);
	tcp_send_rst_reply(te, s.laddr, s.lport, s.raddr, s.rport, (s.flags & TH_ACK) != 0, s.seq,
			   s.ack, seg_seqlen(&s));
}

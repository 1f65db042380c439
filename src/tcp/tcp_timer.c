/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection timers on the engine's timer wheel:
 *  t_rtx    SYN retransmission, RTO (RFC 6298) or persist (RFC 9293 §3.8.6.1)
 *  t_delack delayed ACK (RFC 9293 §3.8.6.3, RFC 1122 4.2.3.2)
 *  t_keep   keepalive (RFC 9293 §3.8.4), FIN_WAIT_2 limit, TIME_WAIT (2MSL)
 * Every retry budget ends in tcb_done(-ETIMEDOUT): a dead peer is reported
 * to the application, never waited on forever.
 */
#include <errno.h>
#include "tcp/tcb.h"
#include "mptcp/mptcp_tcp.h"

static inline struct timer_wheel *tcb_tw(struct tcb *t) { return &t->te->e->tw; }

uint32_t tcp_rto_current(const struct tcb *t)
{
	uint64_t rto = (uint64_t)t->rto_us << t->backoff;
	uint64_t max = (uint64_t)t->te->conf.rto_max_ms * 1000;
	return (uint32_t)(rto > max ? max : rto);
}

void tcp_rto_arm(struct tcb *t)
{
	t->flags &= ~TF_PERSIST;
	timer_arm_in(tcb_tw(t), &t->t_rtx, (uint64_t)tcp_rto_current(t) * NS_PER_US);
}

void tcp_rto_stop(struct tcb *t)
{
	if (!(t->flags & TF_PERSIST))
		timer_cancel(tcb_tw(t), &t->t_rtx);
}

void tcp_persist_arm(struct tcb *t)
{
	if (timer_armed(&t->t_rtx))
		return;
	t->flags |= TF_PERSIST;
	uint64_t d = (uint64_t)tcp_rto_current(t) << (t->nprobe < 16 ? t->nprobe : 16);
	uint64_t max = (uint64_t)t->te->conf.rto_max_ms * 1000;
	if (d > max)
		d = max;
	timer_arm_in(tcb_tw(t), &t->t_rtx, d * NS_PER_US);
}

void tcp_delack_arm(struct tcb *t)
{
	if (t->flags & TF_DELACK)
		return;
	t->flags |= TF_DELACK;
	timer_arm_in(tcb_tw(t), &t->t_delack, (uint64_t)t->te->conf.delack_ms * NS_PER_MS);
}

void tcp_keepalive_reset(struct tcb *t)
{
	if (!(t->flags & TF_KEEPALIVE) || t->state < TCPS_ESTABLISHED ||
	    t->state == TCPS_TIME_WAIT) {
		if (t->state != TCPS_TIME_WAIT && !(t->state == TCPS_FIN_WAIT_2 && !(t->flags & TF_APP)))
			timer_cancel(tcb_tw(t), &t->t_keep);
		return;
	}
	t->ka_nprobe = 0;
	timer_arm_in(tcb_tw(t), &t->t_keep, (uint64_t)t->ka_idle_ms * NS_PER_MS);
}

/* RFC 6298 §2 */
void tcp_rtt_sample(struct tcb *t, uint64_t rtt_ns)
{
	uint32_t r = (uint32_t)(rtt_ns / 1000);
	if (r == 0)
		r = 1;
	if (t->srtt_us == 0) {
		t->srtt_us = r;
		t->rttvar_us = r / 2;
	} else {
		uint32_t delta = t->srtt_us > r ? t->srtt_us - r : r - t->srtt_us;
		t->rttvar_us = (3 * t->rttvar_us + delta) / 4;
		t->srtt_us = (7 * t->srtt_us + r) / 8;
	}
	uint32_t g = (uint32_t)(t->te->e->tw.tick_ns / 1000);
	uint32_t k = 4 * t->rttvar_us;
	uint64_t rto = (uint64_t)t->srtt_us + (k > g ? k : g);
	uint64_t min = (uint64_t)t->te->conf.rto_min_ms * 1000;
	uint64_t max = (uint64_t)t->te->conf.rto_max_ms * 1000;
	if (rto < min)
		rto = min;
	if (rto > max)
		rto = max;
	t->rto_us = (uint32_t)rto;
	t->backoff = 0;
	if (t->min_rtt_us == 0 || r < t->min_rtt_us)
		t->min_rtt_us = r;
	t->cc.c.srtt_us = t->srtt_us;
	t->cc.c.min_rtt_us = t->min_rtt_us;
}

static void tcp_timeout(struct tcb *t)
{
	CTR_INC(tcb_engine(t), tcp_timeout);
	tcb_done(t, -ETIMEDOUT);
}

/* RFC 6298 §5.4-5.7 */
static void tcp_rto_expired(struct tcb *t)
{
	struct mpdk_engine *e = tcb_engine(t);
	const struct mpdk_tcp_conf *c = &t->te->conf;

	if (t->state == TCPS_SYN_SENT || t->state == TCPS_SYN_RECEIVED) {
		if (t->nrtx >= c->syn_retries) {
			tcp_timeout(t);
			return;
		}
		t->nrtx++;
		if (t->backoff < 30)
			t->backoff++;
		t->rtt_timing = false;
		CTR_INC(e, tcp_syn_retransmits);
		timer_cancel(tcb_tw(t), &t->t_rtx);
		tcp_send_syn(t);
		return;
	}
	if (t->state == TCPS_CLOSED || t->state == TCPS_TIME_WAIT || t->snd_una == t->snd_max)
		return;
	if (t->nrtx >= c->data_retries) {
		tcp_timeout(t);
		return;
	}
	CTR_INC(e, tcp_rto);
	bool first = t->nrtx == 0;
	t->nrtx++;
	if (t->backoff < 30)
		t->backoff++;
	tcp_cc_on_rto(&t->cc, tcb_flight(t), tcb_now(t) / 1000, first);
	if (t->flags & TF_SACK_OK)
		tcp_sack_on_rto(&t->sb, t->snd_max);
	t->in_recovery = false;
	t->dupacks = 0;
	t->lt_ok = false;
	t->lt_bytes = 0;
	t->recover = t->snd_max;
	t->rtt_timing = false;                /* Karn */
	t->flags |= TF_RTO_RECOVERY;
	t->snd_nxt = t->snd_una;              /* go back N */
	tcp_rto_arm(t);
	tcp_output(t);
	/* an MPTCP subflow that times out may sit on a dead path: its data
	 * goes again on the healthy subflows now (RFC 8684 §3.3.6) */
	if (t->sf != NULL && t->in_use)
		mptcp_sf_rto(t);
}

static void tcp_persist_expired(struct tcb *t)
{
	t->flags &= ~TF_PERSIST;
	if (!tcb_synced(t) || t->state == TCPS_TIME_WAIT)
		return;
	uint32_t end = tcb_data_end(t);
	bool pending = SEQ_LT(t->snd_una, end) || ((t->flags & TF_FIN_QUEUED) && t->snd_max != end + 1);
	if (!pending)
		return;
	if (t->snd_wnd != 0 && t->snd_wnd >= t->mss) {
		tcp_output(t);
		return;
	}
	if (t->nprobe >= t->te->conf.data_retries) {
		tcp_timeout(t);
		return;
	}
	if (t->snd_wnd == 0) {
		tcp_send_zwp(t);
		CTR_INC(tcb_engine(t), tcp_persist_probe);
	} else {
		/* small window held back by SWS avoidance: send what fits */
		uint32_t save = t->max_sndwnd;
		t->max_sndwnd = 0;
		tcp_output(t);
		t->max_sndwnd = save;
	}
	t->nprobe++;
	tcp_persist_arm(t);
}

static void rtx_cb(struct timer *tm, void *arg)
{
	struct tcb *t = arg;
	(void)tm;
	if (t->flags & TF_PERSIST)
		tcp_persist_expired(t);
	else
		tcp_rto_expired(t);
}

static void delack_cb(struct timer *tm, void *arg)
{
	struct tcb *t = arg;
	(void)tm;
	if (!(t->flags & TF_DELACK))
		return;
	t->flags &= ~TF_DELACK;
	CTR_INC(tcb_engine(t), tcp_delack_timer);
	t->flags |= TF_ACKNOW;
	tcp_output(t);
}

static void keep_cb(struct timer *tm, void *arg)
{
	struct tcb *t = arg;
	(void)tm;
	if (t->state == TCPS_TIME_WAIT) {
		CTR_INC(tcb_engine(t), tcp_time_wait_expired);
		tcb_done(t, 0);
		return;
	}
	if (t->state == TCPS_FIN_WAIT_2 && !(t->flags & TF_APP)) {
		tcb_done(t, 0);
		return;
	}
	if (!(t->flags & TF_KEEPALIVE) || !tcb_synced(t))
		return;
	uint64_t now = tcb_now(t);
	uint64_t idle = (uint64_t)t->ka_idle_ms * NS_PER_MS;
	if (t->ka_nprobe == 0 && now - t->last_rx < idle) {
		timer_arm(tcb_tw(t), &t->t_keep, t->last_rx + idle);
		return;
	}
	if (t->ka_nprobe >= t->ka_probes) {
		tcp_timeout(t);
		return;
	}
	t->ka_nprobe++;
	CTR_INC(tcb_engine(t), tcp_keepalive_probe);
	tcp_send_probe(t);
	timer_arm_in(tcb_tw(t), &t->t_keep, (uint64_t)t->ka_intvl_ms * NS_PER_MS);
}

void tcp_timers_init(struct tcb *t)
{
	timer_init(&t->t_rtx, rtx_cb, t);
	timer_init(&t->t_delack, delack_cb, t);
	timer_init(&t->t_keep, keep_cb, t);
}

void tcp_timers_cancel(struct tcb *t)
{
	struct timer_wheel *tw = tcb_tw(t);
	timer_cancel(tw, &t->t_rtx);
	timer_cancel(tw, &t->t_delack);
	timer_cancel(tw, &t->t_keep);
	t->flags &= ~(TF_PERSIST | TF_DELACK);
}

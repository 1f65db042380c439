/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The meta connection (RFC 8684 §3.3): the 64-bit data sequence space,
 * the send buffer that keeps data until it is DATA_ACKed (so that it can
 * be reinjected on another subflow), scheduling data onto subflows as
 * mappings, data-level reassembly across subflows, DATA_ACK, DATA_FIN and
 * the close of the connection (§3.3.3), MP_FASTCLOSE (§3.5), and the
 * application API on top of all that.
 *
 * Data-level reassembly reuses tcp/reasm.c keyed by the low 32 bits of the
 * DSN: the receive window stays far below 2^31, so modular comparisons on
 * the low half are exact.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <rte_mbuf.h>
#include "mptcp/mptcp_int.h"
#include "mptcp/mptcp_tcp.h"
#include "mptcp/token.h"
#include "core/log.h"

static inline uint32_t min32(uint32_t a, uint32_t b) { return a < b ? a : b; }
static inline uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

static void meta_timer_cb(struct timer *tm, void *arg);

static struct mpdk_engine *mp_engine(const struct mptcp_meta *mp) { return mp->te->e; }

struct mptcp_meta *mptcp_meta_alloc(struct tcp_engine *te, bool client)
{
	struct mptcp_meta *mp = calloc(1, sizeof(*mp));
	if (mp == NULL) {
		CTR_INC(te->e, mptcp_sf_alloc_fail);
		return NULL;
	}
	mp->te = te;
	mp->client = client;
	TAILQ_INIT(&mp->sfs);
	mp->sndbuf = te->conf.sndbuf;
	mp->rcvbuf = te->conf.rcvbuf;
	mp->state = client ? TCPS_SYN_SENT : TCPS_SYN_RECEIVED;
	/* Chunks from several subflows: allow more mbufs than one TCP
	 * connection's out-of-order queue. */
	tcp_reasm_init(&mp->reasm, mp->rcvbuf * 2,
		       tcp_reasm_segs_for(mp->rcvbuf * 2, te->conf.reasm_max_segs * 4));
	timer_init(&mp->t_meta, meta_timer_cb, mp);
	mp->next_local_id = 1;
	mptcp_sched_bind(&mp->sched, mptcp_sched_find(te->conf.mptcp.scheduler));
	mptcp_cc_group_init(&mp->ccg);
	const char *cc = te->conf.mptcp.cc ? te->conf.mptcp.cc : MPTCP_CC_DEFAULT;
	mp->cc = strcmp(cc, "tcp") == 0 ? NULL : tcp_cc_find(cc);
	return mp;
}

static void meta_token_release(struct mptcp_meta *mp)
{
	if (mp->token_in_table) {
		token_table_remove(mp->te->tokens, mp->local_token, mp);
		mp->token_in_table = false;
	}
}

static void meta_free(struct mptcp_meta *mp)
{
	timer_cancel(&mp->te->e->tw, &mp->t_meta);
	meta_token_release(mp);
	if (mp->flags & MF_PENDING)
		TAILQ_REMOVE(&mp->te->mp_pending, mp, pend_link);
	mbuf_q_free(&mp->sndq);
	mbuf_q_free(&mp->rcvq);
	tcp_reasm_clear(&mp->reasm);
	hs_meta_wipe(mp);   /* keys, HMAC contexts, EC key pair, K (hs_ec.c) */
	free(mp);
}

void mptcp_meta_unref(struct mptcp_meta *mp)
{
	if (mp->refs > 0)
		mp->refs--;
	if (mp->refs == 0)
		meta_free(mp);
}

void mptcp_meta_keys(struct mptcp_meta *mp)
{
	uint64_t lidsn, ridsn;
	mptcp_key_sha(mp->local_key, &mp->local_token, &lidsn);
	mptcp_key_sha(mp->remote_key, &mp->remote_token, &ridsn);
	mp->snd_una = mp->snd_nxt = mp->write_seq = lidsn + 1;
	mp->rcv_nxt = ridsn + 1;
	mptcp_hmac_ctx_init(&mp->hmac_local, mp->local_key, mp->remote_key);
	mptcp_hmac_ctx_init(&mp->hmac_remote, mp->remote_key, mp->local_key);
}

static bool app_holds(const struct mptcp_meta *mp)
{
	return mp->anchor != NULL && mp->anchor->mp == mp && (mp->anchor->flags & TF_APP);
}

void mptcp_meta_event(struct mptcp_meta *mp, uint32_t ev)
{
	if (app_holds(mp))
		tcb_event_app(mp->anchor, ev);
}

void mptcp_meta_attach(struct mptcp_meta *mp, struct mptcp_subflow *sf)
{
	if (sf->active)
		return;
	sf->active = true;
	sf->rx_ssn = sf->t->irs + 1;
	TAILQ_INSERT_TAIL(&mp->sfs, sf, link);
	mptcp_sf_set_mss(sf->t);
	sf->t->flags |= TF_NODELAY;   /* the meta decides what to send */
	if (mp->cc != NULL && !(sf->t->flags & TF_CC_LOCKED)) {
		tcp_cc_init(&sf->t->cc, mp->cc, sf->t->mss, 0);
		sf->t->cc.c.owner = sf->t;
		mptcp_cc_group_add(&mp->ccg, &sf->t->cc);
	}
	if (sf->kind == SF_JOIN)
		CTR_INC(mp_engine(mp), mptcp_subflows_established);
	mptcp_meta_schedule(mp);
}

void mptcp_meta_established(struct mptcp_meta *mp, struct tcb *t)
{
	mp->flags |= MF_ESTABLISHED;
	if (t->sf->csum)
		mp->flags |= MF_CSUM;
	mp->anchor = t;
	t->mp = mp;
	mp->state = TCPS_ESTABLISHED;
	mp->last_progress = engine_now(mp_engine(mp));
	CTR_INC(mp_engine(mp), mptcp_established);
	/* Data queued before the handshake completed (client): it becomes
	 * the first data of the data sequence space. */
	if (t->sndq.bytes > 0) {
		struct rte_mbuf *m;
		while ((m = mbuf_q_pop(&t->sndq)) != NULL)
			mbuf_q_push(&mp->sndq, m);
		mp->write_seq += mp->sndq.bytes;
		t->snd_cur = NULL;
		t->sndq_own_tail = NULL;
	}
	if (t->flags & TF_FIN_QUEUED) {
		t->flags &= ~TF_FIN_QUEUED;
		mp->flags |= MF_FIN_QUEUED;
		mp->state = TCPS_FIN_WAIT_1;
	}
	if (t->flags & TF_NODELAY)
		mp->flags |= MF_NODELAY;
	mptcp_meta_attach(mp, t->sf);
	if (mp->client)
		mptcp_meta_event(mp, EV_CONNECTED);
	else
		mptcp_pm_established(mp);   /* the client waits for our DSS */
}

void mptcp_meta_schedule(struct mptcp_meta *mp)
{
	if (mp->flags & MF_PENDING)
		return;
	mp->flags |= MF_PENDING;
	TAILQ_INSERT_TAIL(&mp->te->mp_pending, mp, pend_link);
}

static void meta_timer_arm(struct mptcp_meta *mp, uint64_t ns)
{
	if (!timer_armed(&mp->t_meta))
		timer_arm_in(&mp->te->e->tw, &mp->t_meta, ns);
}

/* The largest RTO of the active subflows (us), for data-level timers. */
static uint32_t meta_rto_us(const struct mptcp_meta *mp)
{
	uint32_t r = 0, healthy = 0;
	const struct mptcp_subflow *sf;
	/* subflows backing off after RTOs (a dead path: up to rto_max) do
	 * not stretch the data-level timer while another one is healthy */
	TAILQ_FOREACH(sf, &mp->sfs, link) {
		uint32_t x = tcp_rto_current(sf->t);
		if (sf->t->nrtx == 0 && x > healthy)
			healthy = x;
		if (x > r)
			r = x;
	}
	if (healthy)
		r = healthy;
	return r ? r : mp->te->conf.rto_init_ms * 1000u;
}

/* ------------------------------------------------------------ scheduler */

static bool sf_usable(const struct mptcp_subflow *sf)
{
	const struct tcb *t = sf->t;
	return sf->active && !sf->join_ack_pending &&
	       (t->state == TCPS_ESTABLISHED || t->state == TCPS_CLOSE_WAIT);
}

/*
 * Pick the subflow(s) for the next chunk through the connection's
 * scheduler (src/mptcp/sched.c: lowest RTT by default, round-robin,
 * redundant). @ss: room for MPTCP_SCHED_MAX_SUBFLOWS snapshots.
 */
struct mptcp_subflow *mptcp_meta_pick(struct mptcp_meta *mp, uint64_t pending, uint32_t *room,
				      struct mptcp_sched_choice *ch,
				      struct mptcp_sched_subflow *ss)
{
	struct mptcp_subflow *sf;
	unsigned n = 0;
	uint64_t wroom = mp->snd_wnd_end > mp->snd_nxt ? mp->snd_wnd_end - mp->snd_nxt : 0;

	/* Reinjected data lies below snd_nxt, inside the window the peer
	 * already granted (§3.3.4: the window is relative to the DATA_ACK):
	 * a full data-level window must not hold back the very bytes the
	 * peer is waiting for, or a dead path deadlocks the connection. */
	if (mp->rq_n > 0)
		wroom = UINT32_MAX;

	TAILQ_FOREACH(sf, &mp->sfs, link) {
		if (n == MPTCP_SCHED_MAX_SUBFLOWS)
			break;
		const struct tcb *t = sf->t;
		uint32_t queued = tcb_data_end(t) - t->snd_una;
		struct mptcp_sched_subflow *s = &ss[n++];
		memset(s, 0, sizeof(*s));
		s->sf = sf;
		s->srtt_us = t->srtt_us;
		/* room as TCP counts it, RFC 6675 recovery included (sched.h) */
		bool sackr = t->in_recovery && (t->flags & TF_SACK_OK);
		mptcp_sched_set_window(s, &(struct mptcp_sched_tcp_window){
			.cwnd = t->cc.c.cwnd, .held = queued, .sack_recovery = sackr,
			.unsent = tcb_data_end(t) - t->snd_max,
			.pipe = sackr ? tcp_sack_pipe(&t->sb, t->snd_una, t->snd_max) : 0 });
		uint32_t w = t->snd_wnd > queued ? t->snd_wnd - queued : 0;
		s->snd_wnd_avail = (uint32_t)(w < wroom ? w : wroom);
		s->backup = sf->backup || sf->peer_backup;
		s->active = sf_usable(sf) && sf->tx_n < MPTCP_TXMAP_MAX - 1;
		s->potentially_failed = t->nrtx > 0;
		s->mss = t->mss;
	}
	ch->pending = pending;
	int rc = mptcp_sched_pick(mp->sched.ops, mp->sched.state, ss, n, ch);
	if (rc < 0)
		return NULL;
	*room = ch->room[0];
	return ss[rc].sf;
}

/* Any usable subflow, for ACKs that carry data-level signals. */
static struct mptcp_subflow *meta_any_sf(struct mptcp_meta *mp)
{
	struct mptcp_subflow *sf, *fallback = NULL, *usable = NULL;
	TAILQ_FOREACH(sf, &mp->sfs, link) {
		if (sf_usable(sf) && sf->t->nrtx == 0)
			return sf;
		if (sf_usable(sf) && usable == NULL)
			usable = sf;
		if (sf->active && tcb_synced(sf->t) && sf->t->state != TCPS_TIME_WAIT)
			fallback = sf;
	}
	return usable ? usable : fallback;
}

/* ------------------------------------------------------------ send */

/* Sender SWS avoidance (RFC 9293 §3.8.6.2.1) at the data level: when a
 * subflow's peer never offered a window of one MSS, half the largest
 * window it offered is enough to send. 0 when every window reached an MSS. */
static uint32_t sws_half(const struct mptcp_meta *mp)
{
	uint32_t h = 0;
	const struct mptcp_subflow *sf;
	TAILQ_FOREACH(sf, &mp->sfs, link)
		if (sf_usable(sf) && sf->t->max_sndwnd < sf->t->mss && sf->t->max_sndwnd / 2 > h)
			h = sf->t->max_sndwnd / 2;
	return h;
}

/* A push refused for want of map storage (mptcp_map_nomem): retried by
 * the engine's pool-retry timer (as an mbuf shortage is), or by the data-level
 * timer when the application's handle is gone. */
static void push_nomem(struct mptcp_meta *mp)
{
	if (mp->anchor != NULL && mp->anchor->mp == mp)
		tcp_nobuf(mp->anchor);
	else
		meta_timer_arm(mp, (uint64_t)meta_rto_us(mp) * NS_PER_US);
}

static uint32_t push_len(const struct mptcp_subflow *sf, uint32_t n, uint32_t avail)
{
	uint32_t mss = sf->t->mss;
	uint32_t maxmap = (65535u / mss) * mss;
	if (n > maxmap)
		n = maxmap;
	if (n < avail && n > mss)
		n = (n / mss) * mss;
	return n;
}

void mptcp_meta_push(struct mptcp_meta *mp)
{
	struct mpdk_engine *e = mp_engine(mp);

	if (!(mp->flags & MF_ESTABLISHED) || (mp->flags & MF_DONE))
		return;
	/* single-path TCP after a fallback (§3.7): no DATA_ACKs carry a
	 * data-level window any more; the subflow's own window is the limit */
	if (mp->flags & MF_FALLBACK)
		mp->snd_wnd_end = mp->write_seq;
	struct mptcp_sched_subflow ss[MPTCP_SCHED_MAX_SUBFLOWS];
	struct mptcp_sched_choice ch;
	for (int guard = 0; guard < 256; guard++) {
		uint32_t room;
		/* reinjection first (§3.3.6) */
		while (mp->rq_n > 0 && mp->rq[0].dsn + mp->rq[0].len <= mp->snd_una) {
			memmove(&mp->rq[0], &mp->rq[1], (mp->rq_n - 1) * sizeof(mp->rq[0]));
			mp->rq_n--;
		}
		if (mp->rq_n > 0) {
			if (mp->rq[0].dsn < mp->snd_una) {
				mp->rq[0].len -= (uint32_t)(mp->snd_una - mp->rq[0].dsn);
				mp->rq[0].dsn = mp->snd_una;
			}
			struct mptcp_subflow *sf = mptcp_meta_pick(mp, mp->rq[0].len, &room, &ch, ss);
			if (sf == NULL)
				break;
			uint32_t n = push_len(sf, min32(room, mp->rq[0].len), mp->rq[0].len);
			int rc = mptcp_sf_push(sf, mp->rq[0].dsn, n);
			if (rc < 0) {
				if (rc == -ENOMEM)
					push_nomem(mp);
				break;
			}
			CTR_ADD(e, mptcp_reinject_bytes, n);
			mp->rq[0].dsn += n;
			mp->rq[0].len -= n;
			if (mp->rq[0].len == 0) {
				memmove(&mp->rq[0], &mp->rq[1], (mp->rq_n - 1) * sizeof(mp->rq[0]));
				mp->rq_n--;
			}
			tcp_output(sf->t);
			continue;
		}
		uint64_t avail = mp->write_seq - mp->snd_nxt;
		if (avail == 0)
			break;
		if (mp->snd_wnd_end == 0 && mp->anchor != NULL)
			mp->snd_wnd_end = mp->snd_una + mp->anchor->snd_wnd;
		struct mptcp_subflow *sf = mptcp_meta_pick(mp, avail, &room, &ch, ss);
		if (sf == NULL) {
			/* a peer whose window never reaches one MSS: the
			 * scheduler's "room for a full segment" is never met;
			 * ask again for half its largest window (SWS rule) */
			uint32_t half = sws_half(mp);
			if (half > 0 && half < avail)
				sf = mptcp_meta_pick(mp, half, &room, &ch, ss);
		}
		if (sf == NULL)
			break;
		uint64_t wroom = mp->snd_wnd_end > mp->snd_nxt ? mp->snd_wnd_end - mp->snd_nxt : 0;
		uint32_t a = (uint32_t)min64(avail, 1u << 30);
		uint32_t n = (uint32_t)min64(min64(a, room), wroom);
		if (n == 0)
			break;
		/* wait for room for a full segment, unless the peer's window
		 * never gets that large: sender SWS avoidance (RFC 9293
		 * §3.8.6.2.1) sends once half its largest window fits */
		if (n < sf->t->mss && n < a && (n == 0 || n < sf->t->max_sndwnd / 2))
			break;
		/* Nagle at the data level (RFC 9293 §3.7.4) */
		if (n == a && n < sf->t->mss && !(mp->flags & MF_NODELAY) && mp->snd_nxt != mp->snd_una)
			break;
		n = push_len(sf, n, a);
		int rc = mptcp_sf_push(sf, mp->snd_nxt, n);
		if (rc < 0) {
			if (rc == -ENOMEM)
				push_nomem(mp);
			break;
		}
		/* redundant scheduling: the same chunk on the others too */
		for (unsigned k = 1; k < ch.n; k++) {
			struct mptcp_subflow *o2 = ss[ch.idx[k]].sf;
			if (ch.room[k] >= n && mptcp_sf_push(o2, mp->snd_nxt, n) == 0)
				tcp_output(o2->t);
		}
		mp->snd_nxt += n;
		tcp_output(sf->t);
	}
	/* DATA_FIN once every byte is scheduled (§3.3.3). */
	if ((mp->flags & MF_FIN_QUEUED) && !(mp->flags & MF_FIN_ACKED) &&
	    mp->snd_nxt == mp->write_seq && !(mp->flags & MF_EOF_SENT)) {
		struct mptcp_subflow *sf = meta_any_sf(mp);
		/* an MP_CAPABLE client's pure ACKs carry the MP_CAPABLE ACK form
		 * until the peer's first DSS, not a DSS: wait for that (the
		 * DSS that completes it schedules a push) */
		if (sf != NULL && sf->kind == SF_MPC && sf->client && !sf->fully_established &&
		    !(mp->flags & MF_FALLBACK))
			sf = NULL;
		if (sf != NULL && (mp->flags & MF_FALLBACK)) {
			/* single-path TCP (§3.7): the subflow's FIN is the
			 * DATA_FIN (mptcp_sf_acked sees it acknowledged) */
			mp->flags |= MF_EOF_SENT;
			tcb_queue_fin(sf->t);
		} else if (sf != NULL) {
			mp->flags |= MF_EOF_SENT;
			CTR_INC(e, mptcp_data_fin_tx);
			mptcp_sf_send_ack(sf);
		}
	}
	if (mp->snd_una != mp->snd_nxt || ((mp->flags & MF_FIN_QUEUED) && !(mp->flags & MF_FIN_ACKED)))
		meta_timer_arm(mp, (uint64_t)meta_rto_us(mp) * 2 * NS_PER_US);
}

/* Queue a range for reinjection, merging with the last one. */
static void rq_add(struct mptcp_meta *mp, uint64_t dsn, uint32_t len)
{
	if (dsn + len <= mp->snd_una || len == 0)
		return;
	/* data sent twice at the data level: after a fallback the peer
	 * could not tell the copies apart (§3.7; Linux clears
	 * allow_infinite_fallback on a reinjection too) */
	mp->flags |= MF_NO_INFINITE;
	if (dsn < mp->snd_una) {
		len -= (uint32_t)(mp->snd_una - dsn);
		dsn = mp->snd_una;
	}
	for (unsigned i = 0; i < mp->rq_n; i++)
		if (dsn >= mp->rq[i].dsn && dsn + len <= mp->rq[i].dsn + mp->rq[i].len)
			return;
	if (mp->rq_n > 0) {
		typeof(mp->rq[0]) *l = &mp->rq[mp->rq_n - 1];
		if (l->dsn + l->len == dsn) {
			l->len += len;
			return;
		}
	}
	if (mp->rq_n == MPTCP_REINJECT_MAX) {
		/* full: widen the last range to cover everything after it */
		typeof(mp->rq[0]) *l = &mp->rq[mp->rq_n - 1];
		if (dsn + len > l->dsn + l->len)
			l->len = (uint32_t)(dsn + len - l->dsn);
		return;
	}
	mp->rq[mp->rq_n].dsn = dsn;
	mp->rq[mp->rq_n].len = len;
	mp->rq_n++;
}

bool mptcp_meta_can_fall_back(const struct mptcp_meta *mp, const struct mptcp_subflow *sf)
{
	return sf->kind == SF_MPC && sf->initial && sf->active && TAILQ_FIRST(&mp->sfs) == sf &&
	       TAILQ_NEXT(sf, link) == NULL && mp->joins_opened == 0 &&
	       !(mp->flags & (MF_NO_INFINITE | MF_DONE)) && tcp_reasm_empty(&mp->reasm);
}

void mptcp_meta_fall_back(struct mptcp_meta *mp, struct mptcp_subflow *sf, uint32_t ssn,
			  uint64_t dsn)
{
	struct tcb *t = sf->t;
	if (mp->flags & MF_FALLBACK)
		return;
	CTR_INC(mp_engine(mp), mptcp_fallback_infinite);
	sf->infinite = true;
	sf->inf_ssn = ssn;
	sf->inf_dsn = dsn;
	mp->flags |= MF_FALLBACK;
	/* what TCP acknowledged is delivered: the DATA_ACKs stop here */
	uint64_t acked = mp->snd_nxt;
	if (sf->tx_n > 0) {
		const struct mptcp_txmap *x = sf_txmap(sf, 0);
		acked = x->dsn + (SEQ_GT(t->snd_una, x->ssn) ? (uint32_t)(t->snd_una - x->ssn) : 0);
	}
	mptcp_meta_data_ack(mp, acked, NULL);
}

/* Data mapped on @sf and not DATA_ACKed goes again on other subflows. */
void mptcp_meta_reinject(struct mptcp_meta *mp, struct mptcp_subflow *sf)
{
	for (unsigned i = 0; i < sf->tx_n; i++) {
		const struct mptcp_txmap *x = sf_txmap(sf, i);
		rq_add(mp, x->dsn, x->len);
	}
	mptcp_sf_tx_clear(sf);
	if (mp->rq_n)
		mptcp_meta_schedule(mp);
}

static void meta_done(struct mptcp_meta *mp, int err);

static void meta_fin_acked(struct mptcp_meta *mp)
{
	mp->flags |= MF_FIN_ACKED;
	switch (mp->state) {
	case TCPS_FIN_WAIT_1:
		mp->state = TCPS_FIN_WAIT_2;
		break;
	case TCPS_CLOSING:
	case TCPS_LAST_ACK:
		meta_done(mp, 0);
		break;
	default:
		break;
	}
}

void mptcp_meta_data_ack(struct mptcp_meta *mp, uint64_t ack, struct tcb *from)
{
	uint64_t max = mp->snd_nxt + ((mp->flags & MF_EOF_SENT) ? 1 : 0);
	if (ack > max || ack + (1ull << 31) < mp->snd_una)
		return;   /* acknowledges what we never sent, or ancient */
	if (from != NULL) {
		uint64_t edge = ack + from->snd_wnd;
		if (edge > mp->snd_wnd_end) {
			mp->snd_wnd_end = edge;
			mptcp_meta_schedule(mp);
		}
	}
	if (ack <= mp->snd_una)
		return;
	uint64_t data_end = mp->write_seq;
	uint32_t n = (uint32_t)(min64(ack, data_end) - mp->snd_una);
	mbuf_q_trim_front(&mp->sndq, n);
	mp->snd_una = min64(ack, data_end);
	mp->nrtx = 0;
	mp->last_progress = engine_now(mp_engine(mp));
	if ((mp->flags & MF_WANT_WRITABLE) &&
	    (mp->sndq.bytes + 4096 <= mp->sndbuf || mp->sndq.bytes < mp->sndbuf / 2)) {
		mp->flags &= ~MF_WANT_WRITABLE;
		mptcp_meta_event(mp, EV_WRITABLE);
	}
	if ((mp->flags & MF_FIN_QUEUED) && (mp->flags & MF_EOF_SENT) && ack > mp->write_seq &&
	    !(mp->flags & MF_FIN_ACKED))
		meta_fin_acked(mp);
	if (mp->snd_una == mp->snd_nxt && !((mp->flags & MF_FIN_QUEUED) && !(mp->flags & MF_FIN_ACKED)))
		timer_cancel(&mp->te->e->tw, &mp->t_meta);
	mptcp_meta_schedule(mp);
}

/* ------------------------------------------------------------ receive */

static struct rte_mbuf *chain_adj(struct rte_mbuf *m, uint32_t n)
{
	while (n > 0 && m != NULL) {
		if (m->data_len <= n) {
			struct rte_mbuf *next = m->next;
			n -= m->data_len;
			if (next != NULL) {
				next->nb_segs = (uint16_t)(m->nb_segs - 1);
				next->pkt_len = m->pkt_len - m->data_len;
			}
			m->next = NULL;
			m->nb_segs = 1;
			rte_pktmbuf_free_seg(m);
			m = next;
		} else {
			m->data_off = (uint16_t)(m->data_off + n);
			m->data_len = (uint16_t)(m->data_len - n);
			m->pkt_len -= n;
			n = 0;
		}
	}
	return m;
}

static void meta_consume_fin(struct mptcp_meta *mp)
{
	mp->rcv_nxt++;
	mp->flags |= MF_RCVD_FIN;
	CTR_INC(mp_engine(mp), mptcp_data_fin_rx);
	tcp_reasm_clear(&mp->reasm);
	mptcp_meta_event(mp, EV_READABLE);
	switch (mp->state) {
	case TCPS_ESTABLISHED:
		mp->state = TCPS_CLOSE_WAIT;
		break;
	case TCPS_FIN_WAIT_1:
		mp->state = TCPS_CLOSING;
		break;
	case TCPS_FIN_WAIT_2:
		meta_done(mp, 0);
		break;
	default:
		break;
	}
	/* acknowledge the DATA_FIN at once */
	struct mptcp_subflow *sf;
	TAILQ_FOREACH(sf, &mp->sfs, link)
		if (tcb_synced(sf->t) && sf->t->state != TCPS_TIME_WAIT)
			sf->t->flags |= TF_ACKNOW;
	mptcp_meta_schedule(mp);
}

static void meta_deliver(struct mptcp_meta *mp, struct rte_mbuf *m, uint32_t len)
{
	mp->rcv_nxt += len;
	if (mp->flags & MF_SHUT_RD) {
		rte_pktmbuf_free(m);
		return;
	}
	mbuf_q_push_chain(&mp->rcvq, m);
	mptcp_meta_event(mp, EV_READABLE);
}

void mptcp_meta_rx(struct mptcp_meta *mp, uint64_t dsn, struct rte_mbuf *m, uint32_t len)
{
	struct mpdk_engine *e = mp_engine(mp);

	if ((mp->flags & (MF_RCVD_FIN | MF_DONE)) || len == 0 || dsn + len <= mp->rcv_nxt) {
		if (len)
			CTR_INC(e, mptcp_rx_data_dup);
		rte_pktmbuf_free(m);
		return;
	}
	if (dsn < mp->rcv_nxt) {
		uint32_t d = (uint32_t)(mp->rcv_nxt - dsn);
		m = chain_adj(m, d);
		len -= d;
		dsn = mp->rcv_nxt;
	}
	if (dsn == mp->rcv_nxt) {
		meta_deliver(mp, m, len);
		while (!tcp_reasm_empty(&mp->reasm)) {
			uint32_t l = 0;
			bool f = false;
			struct rte_mbuf *r = tcp_reasm_pop(&mp->reasm, (uint32_t)mp->rcv_nxt, &l, &f);
			if (r == NULL)
				break;
			meta_deliver(mp, r, l);
		}
	} else {
		if (dsn - mp->rcv_nxt > (uint64_t)mp->rcvbuf * 4) {
			CTR_INC(e, mptcp_reasm_drop);
			rte_pktmbuf_free(m);
			return;
		}
		CTR_INC(e, mptcp_rx_data_ooo);
		int rc = tcp_reasm_insert(&mp->reasm, (uint32_t)mp->rcv_nxt, (uint32_t)dsn, m, false);
		if (rc < 0)
			CTR_INC(e, mptcp_reasm_drop);
	}
	if ((mp->flags & MF_PEER_FIN) && mp->rcv_nxt == mp->peer_fin_dsn)
		meta_consume_fin(mp);
}

void mptcp_meta_rx_fin(struct mptcp_meta *mp, uint64_t dsn)
{
	if (mp->flags & (MF_RCVD_FIN | MF_DONE))
		return;
	mp->flags |= MF_PEER_FIN;
	mp->peer_fin_dsn = dsn;
	if (mp->rcv_nxt == dsn)
		meta_consume_fin(mp);
}

/* The data-level receive window (§3.3.4) is relative to DATA_ACK: data
 * queued out of order lies inside it and must not shrink it, or the
 * segment that fills the hole would meet a zero window on its subflow. */
uint32_t mptcp_meta_rcv_space(const struct mptcp_meta *mp)
{
	uint32_t used = mp->rcvq.bytes;
	return used >= mp->rcvbuf ? 0 : mp->rcvbuf - used;
}

/* ------------------------------------------------------------ close */

/* Data level finished: report to the application, close the subflows. */
static void meta_done(struct mptcp_meta *mp, int err)
{
	if (mp->flags & MF_DONE)
		return;
	mp->flags |= MF_DONE;
	mp->err = err;
	mp->state = TCPS_CLOSED;
	timer_cancel(&mp->te->e->tw, &mp->t_meta);
	meta_token_release(mp);
	if (app_holds(mp)) {
		mp->anchor->err = err;
		tcb_event_app(mp->anchor, EV_CLOSED);
	}
	if (err == 0) {
		struct mptcp_subflow *sf;
		TAILQ_FOREACH(sf, &mp->sfs, link)
			if (sf->t->state == TCPS_ESTABLISHED || sf->t->state == TCPS_CLOSE_WAIT)
				tcb_queue_fin(sf->t);
	}
}

void mptcp_meta_check_done(struct mptcp_meta *mp)
{
	if (!(mp->flags & MF_DONE) && TAILQ_EMPTY(&mp->sfs) && (mp->flags & MF_ESTABLISHED))
		meta_done(mp, mp->err ? mp->err : -ECONNRESET);
}

/* Reset every subflow (with MP_FASTCLOSE when @fastclose) and end the
 * connection with @err. */
void mptcp_meta_reset(struct mptcp_meta *mp, int err, bool fastclose)
{
	mp->refs++;   /* subflows go away below */
	if (fastclose) {
		mp->flags |= MF_FASTCLOSE;
		CTR_INC(mp_engine(mp), mptcp_fastclose_tx);
	}
	mp->err = err;
	meta_done(mp, err);
	struct mptcp_subflow *sf;
	while ((sf = TAILQ_FIRST(&mp->sfs)) != NULL) {
		struct tcb *t = sf->t;
		if (tcb_synced(t) && t->state != TCPS_TIME_WAIT)
			tcp_send_rst_conn(t);
		tcb_done(t, err);
		/* tcb_done detached it (mptcp_sf_done) */
		if (TAILQ_FIRST(&mp->sfs) == sf) {
			TAILQ_REMOVE(&mp->sfs, sf, link);
			sf->active = false;
		}
	}
	mptcp_meta_unref(mp);
}

/* A subflow leaves the connection. */
void mptcp_meta_detach(struct mptcp_subflow *sf, int err)
{
	struct mptcp_meta *mp = sf->mp;
	if (!sf->active)
		return;
	TAILQ_REMOVE(&mp->sfs, sf, link);
	sf->active = false;
	mptcp_cc_group_del(&mp->ccg, &sf->t->cc);
	if (mp->n_gone < RTE_DIM(mp->gone)) {
		struct mpdk_mptcp_subflow_info *g = &mp->gone[mp->n_gone++];
		memset(g, 0, sizeof(*g));
		g->local_addr = sf->t->laddr;
		g->remote_addr = sf->t->raddr;
		g->local_port = sf->t->lport;
		g->remote_port = sf->t->rport;
		g->state = TCPS_CLOSED;
		g->local_id = sf->local_id;
		g->remote_id = sf->remote_id;
		g->backup = sf->backup || sf->peer_backup;
		g->initial = sf->initial;
		g->closed = true;
		g->srtt_us = sf->t->srtt_us;
		g->bytes_out = sf->t->bytes_out;
		g->bytes_in = sf->t->bytes_in;
		g->retransmits = sf->t->retransmits;
	}
	if (!(mp->flags & MF_DONE)) {
		mptcp_meta_reinject(mp, sf);
		if (err && mp->err == 0 && TAILQ_EMPTY(&mp->sfs))
			mp->err = err;
		mptcp_meta_check_done(mp);
	}
}

static void meta_timer_cb(struct timer *tm, void *arg)
{
	struct mptcp_meta *mp = arg;
	struct mpdk_engine *e = mp_engine(mp);
	uint64_t now = engine_now(e);
	(void)tm;

	if (mp->flags & MF_DONE)
		return;
	if (mp->write_seq != mp->snd_nxt || mp->rq_n > 0)
		mptcp_meta_schedule(mp);   /* a push may have been refused (push_nomem) */
	/* JOIN third ACKs not confirmed: send again (§3.2: reliable). */
	struct mptcp_subflow *sf;
	bool rearm = false;
	TAILQ_FOREACH(sf, &mp->sfs, link) {
		if (sf->join_ack_pending) {
			rearm = true;
			if (now - sf->join_ack_time >= (uint64_t)tcp_rto_current(sf->t) * NS_PER_US)
				mptcp_sf_send_ack(sf);
		}
	}
	bool fin_pending = (mp->flags & MF_FIN_QUEUED) && !(mp->flags & MF_FIN_ACKED);
	if (mp->snd_una != mp->snd_nxt || (fin_pending && (mp->flags & MF_EOF_SENT))) {
		rearm = true;
		uint64_t stall = (uint64_t)meta_rto_us(mp) * 2 * NS_PER_US;
		if (now - mp->last_progress >= stall) {
			/* No give-up here: each subflow has its own retry
			 * budget, and the connection ends when the last goes. */
			if (mp->nrtx < 30)
				mp->nrtx++;
			CTR_INC(e, mptcp_data_rtx);
			/* §3.3.6: data on subflows that look failed (RTOs
			 * without progress) goes again on the others */
			unsigned healthy = 0;
			TAILQ_FOREACH(sf, &mp->sfs, link)
				if (sf->t->nrtx == 0)
					healthy++;
			if (healthy > 0)
				TAILQ_FOREACH(sf, &mp->sfs, link)
					if (sf->t->nrtx > 0)
						for (unsigned i = 0; i < sf->tx_n; i++) {
							const struct mptcp_txmap *x = sf_txmap(sf, i);
							rq_add(mp, x->dsn, x->len);
						}
			/* retransmit at the data level what the subflows
			 * already delivered but the peer did not DATA_ACK */
			bool sf_busy = false;
			TAILQ_FOREACH(sf, &mp->sfs, link)
				if (sf->t->snd_una != sf->t->snd_max)
					sf_busy = true;
			if (!sf_busy && mp->snd_una < mp->snd_nxt && !(mp->flags & MF_FALLBACK))
				rq_add(mp, mp->snd_una, (uint32_t)min64(mp->snd_nxt - mp->snd_una, 1u << 20));
			if (fin_pending && mp->snd_nxt == mp->write_seq) {
				/* the DATA_FIN again, on every subflow: the one
				 * that carried it may be the broken one */
				CTR_INC(e, mptcp_data_fin_tx);
				TAILQ_FOREACH(sf, &mp->sfs, link)
					mptcp_sf_send_ack(sf);
			}
			mp->last_progress = now;
			mptcp_meta_schedule(mp);
		}
	}
	mptcp_pm_tick(mp);
	if (rearm || mp->rq_n)
		timer_arm_in(&e->tw, &mp->t_meta, (uint64_t)meta_rto_us(mp) * NS_PER_US);
}

/* ------------------------------------------------------------ engine */

int mptcp_engine_init(struct tcp_engine *te)
{
	TAILQ_INIT(&te->mp_pending);
	if (te->conf.mptcp.disabled)
		return 0;
	mptcp_cc_register();
	if (te->conf.mptcp.scheduler != NULL && mptcp_sched_find(te->conf.mptcp.scheduler) == NULL)
		MPDK_LOG(WARNING, "mptcp: unknown scheduler '%s', using the default",
			 te->conf.mptcp.scheduler);
	/* The stack's table: a stack is one host for token uniqueness
	 * (RFC 8684 3.1), and the engine loop already reports its quiescent
	 * states for the table's RCU. */
	te->tokens = te->e->stack->tokens;
	return 0;
}

void mptcp_engine_fini(struct tcp_engine *te)
{
	te->tokens = NULL;	/* owned by the stack */
}

void mptcp_engine_poll(struct tcp_engine *te)
{
	struct mptcp_meta *mp;
	while ((mp = TAILQ_FIRST(&te->mp_pending)) != NULL) {
		TAILQ_REMOVE(&te->mp_pending, mp, pend_link);
		mp->flags &= ~MF_PENDING;
		mp->refs++;
		mptcp_meta_push(mp);
		/* path manager signals ride on a pure ACK (§3.4) */
		if ((mp->add_addr_pending || mp->add_addr_echo_pending || mp->rm_pending) &&
		    !(mp->flags & MF_DONE)) {
			struct mptcp_subflow *s0 = meta_any_sf(mp);
			if (s0 != NULL)
				mptcp_sf_send_ack(s0);
		}
		/* data-level ACKs owed (DATA_FIN received, window) */
		struct mptcp_subflow *sf, *nx;
		TAILQ_FOREACH_SAFE(sf, &mp->sfs, link, nx)
			if (sf->t->flags & TF_ACKNOW)
				tcp_output(sf->t);
		mptcp_meta_unref(mp);
	}
}

/* ------------------------------------------------------------ API */

ssize_t mptcp_api_send(struct tcb *t, const void *buf, size_t len)
{
	struct mptcp_meta *mp = t->mp;
	if (mp->flags & MF_FIN_QUEUED)
		return -EPIPE;
	if (mp->flags & MF_DONE)
		return mp->err ? mp->err : -EPIPE;
	if (len == 0)
		return 0;
	uint32_t space = mp->sndq.bytes < mp->sndbuf ? mp->sndbuf - mp->sndq.bytes : 0;
	if (space == 0) {
		mp->flags |= MF_WANT_WRITABLE;
		return -EAGAIN;
	}
	uint32_t want = len > space ? space : (uint32_t)len;
	uint32_t done = tcp_sndq_copy_in(mp->te, &mp->sndq, &mp->sndq_own_tail, buf, want);
	if (done < want) {
		/* pool exhausted: writable again once mbufs come back */
		CTR_INC(mp->te->e, tcp_send_nobuf);
		mp->flags |= MF_WANT_WRITABLE;
		tcp_nobuf(t);
	}
	if (done == 0)
		return -ENOBUFS;
	mp->write_seq += done;
	if (done < len)
		mp->flags |= MF_WANT_WRITABLE;
	mptcp_meta_push(mp);
	return done;
}

void mptcp_sf_rto(struct tcb *t)
{
	struct mptcp_subflow *sf = t->sf, *o;
	struct mptcp_meta *mp = sf->mp;
	/* one RTO is a loss (or a spurious timeout on a slow path); a second
	 * in a row without any ACK progress (nrtx is reset by one) is a path
	 * that looks dead */
	if (!sf->active || (mp->flags & (MF_DONE | MF_FALLBACK)) || !(mp->flags & MF_ESTABLISHED) ||
	    sf->infinite || t->nrtx < 2)
		return;
	bool healthy = false;
	TAILQ_FOREACH(o, &mp->sfs, link)
		if (o != sf && sf_usable(o) && o->t->nrtx == 0)
			healthy = true;
	if (!healthy)
		return;
	/* like Linux's stale subflows: what it has outstanding is sent on
	 * the others too (it keeps its own copy; duplicates are dropped at
	 * the data level) */
	for (unsigned i = 0; i < sf->tx_n; i++) {
		const struct mptcp_txmap *x = sf_txmap(sf, i);
		rq_add(mp, x->dsn, x->len);
	}
	if (mp->rq_n)
		mptcp_meta_schedule(mp);
}

void mptcp_nobuf_retry(struct tcb *t)
{
	struct mptcp_meta *mp = t->mp;
	if (mp->flags & MF_DONE)
		return;
	if ((mp->flags & MF_WANT_WRITABLE) && mp->sndq.bytes < mp->sndbuf) {
		mp->flags &= ~MF_WANT_WRITABLE;
		mptcp_meta_event(mp, EV_WRITABLE);
	}
	mptcp_meta_schedule(mp);
}

int mptcp_api_send_mbuf(struct tcb *t, struct rte_mbuf *m)
{
	struct mptcp_meta *mp = t->mp;
	if (mp->flags & MF_FIN_QUEUED)
		return -EPIPE;
	if (mp->flags & MF_DONE)
		return mp->err ? mp->err : -EPIPE;
	uint32_t space = mp->sndq.bytes < mp->sndbuf ? mp->sndbuf - mp->sndq.bytes : 0;
	if (mp->sndq.bytes > 0 && m->pkt_len > space) {
		mp->flags |= MF_WANT_WRITABLE;
		return -EAGAIN;
	}
	uint32_t before = mp->sndq.bytes;
	mp->sndq_own_tail = NULL;
	mbuf_q_push_chain(&mp->sndq, m);
	mp->write_seq += mp->sndq.bytes - before;
	mptcp_meta_push(mp);
	return 0;
}

/* After a read: offer the new space on the subflows. */
static void meta_window_update(struct mptcp_meta *mp)
{
	struct mptcp_subflow *sf;
	TAILQ_FOREACH(sf, &mp->sfs, link)
		tcp_window_update(sf->t);
}

static ssize_t meta_recv_empty(const struct mptcp_meta *mp)
{
	if (mp->flags & MF_RCVD_FIN)
		return 0;
	if (mp->flags & MF_DONE)
		return 0;
	return -EAGAIN;
}

ssize_t mptcp_api_recv(struct tcb *t, void *buf, size_t len)
{
	struct mptcp_meta *mp = t->mp;
	if (mp->rcvq.bytes == 0)
		return meta_recv_empty(mp);
	size_t done = mbuf_q_copy_out(&mp->rcvq, buf, len);
	meta_window_update(mp);
	return (ssize_t)done;
}

ssize_t mptcp_api_recv_mbuf(struct tcb *t, struct rte_mbuf **out)
{
	struct mptcp_meta *mp = t->mp;
	*out = NULL;
	if (mp->rcvq.bytes == 0)
		return meta_recv_empty(mp);
	uint32_t bytes;
	*out = mbuf_q_take_chain(&mp->rcvq, &bytes);
	meta_window_update(mp);
	return bytes;
}

static void meta_queue_fin(struct mptcp_meta *mp)
{
	if (mp->flags & (MF_FIN_QUEUED | MF_DONE))
		return;
	mp->flags |= MF_FIN_QUEUED;
	if (mp->state == TCPS_ESTABLISHED)
		mp->state = TCPS_FIN_WAIT_1;
	else if (mp->state == TCPS_CLOSE_WAIT)
		mp->state = TCPS_LAST_ACK;
	mptcp_meta_push(mp);
}

int mptcp_api_shutdown(struct tcb *t, int how)
{
	struct mptcp_meta *mp = t->mp;
	if (how == MPDK_SHUT_RD || how == MPDK_SHUT_RDWR) {
		mp->flags |= MF_SHUT_RD;
		mbuf_q_free(&mp->rcvq);
	}
	if (how == MPDK_SHUT_WR || how == MPDK_SHUT_RDWR)
		meta_queue_fin(mp);
	return 0;
}

int mptcp_api_abort(struct tcb *t)
{
	struct mptcp_meta *mp = t->mp;
	CTR_INC(mp->te->e, tcp_conn_abort);
	/* The application lets go first: no callback for its own abort. */
	mp->refs++;
	tcb_app_release(t);
	if (!(mp->flags & MF_DONE))
		mptcp_meta_reset(mp, -ECONNABORTED, true);
	mptcp_meta_unref(mp);
	return 0;
}

int mptcp_api_close(struct tcb *t)
{
	struct mptcp_meta *mp = t->mp;
	if (!(mp->flags & MF_DONE) &&
	    (mp->rcvq.bytes > 0 || !tcp_reasm_empty(&mp->reasm))) {
		/* unread data: reset (RFC 2525 §2.17), MP_FASTCLOSE (§3.5) */
		return mptcp_api_abort(t);
	}
	meta_queue_fin(mp);
	mbuf_q_free(&mp->rcvq);
	mp->flags |= MF_SHUT_RD;
	if (mp->state == TCPS_FIN_WAIT_2 || mp->state == TCPS_FIN_WAIT_1)
		meta_timer_arm(mp, (uint64_t)mp->te->conf.fin_wait2_ms * NS_PER_MS);
	tcb_app_release(t);
	return 0;
}

void mptcp_api_released(struct tcb *t)
{
	struct mptcp_meta *mp = t->mp;
	if (mp != NULL)
		mbuf_q_free(&mp->rcvq);
}

bool mptcp_api_has_data(const struct tcb *t)
{
	const struct mptcp_meta *mp = t->mp;
	return mp->rcvq.bytes > 0 || (mp->flags & MF_RCVD_FIN);
}

void mptcp_api_nodelay(struct tcb *t, bool on)
{
	struct mptcp_meta *mp = t->mp;
	if (on)
		mp->flags |= MF_NODELAY;
	else
		mp->flags &= ~MF_NODELAY;
	if (on)
		mptcp_meta_push(mp);
}

static unsigned meta_count(const struct mptcp_meta *mp)
{
	unsigned n = 0;
	const struct mptcp_subflow *sf;
	TAILQ_FOREACH(sf, &mp->sfs, link)
		n++;
	return n;
}

void mptcp_api_info(struct tcb *t, struct mpdk_conn_info *i)
{
	struct mptcp_meta *mp = t->mp;
	i->state = (enum mpdk_tcp_state)mp->state;
	i->snd_queued = mp->sndq.bytes;
	i->rcv_queued = mp->rcvq.bytes;
	i->bytes_out = mp->snd_una - (mptcp_key_idsn(mp->local_key) + 1);
	i->bytes_in = mp->rcv_nxt - (mptcp_key_idsn(mp->remote_key) + 1) -
		      ((mp->flags & MF_RCVD_FIN) ? 1 : 0);
	i->mptcp = !(mp->flags & MF_FALLBACK);
	i->mptcp_fallback = (mp->flags & MF_FALLBACK) != 0;
	i->mptcp_checksum = (mp->flags & MF_CSUM) != 0;
	i->mptcp_subflows = (uint8_t)meta_count(mp);
	i->mptcp_local_key = mp->local_key;
	if (mp->hs_mode == HS_APP)   /* IDSNs from the tokens (hs_app.c) */
		hs_app_info(mp, i);
	uint64_t rtx = 0;
	const struct mptcp_subflow *sf;
	TAILQ_FOREACH(sf, &mp->sfs, link)
		rtx += sf->t->retransmits;
	for (unsigned k = 0; k < mp->n_gone; k++)
		rtx += mp->gone[k].retransmits;
	i->retransmits = rtx;
}

static void sf_info(const struct mptcp_subflow *sf, struct mpdk_mptcp_subflow_info *o)
{
	const struct tcb *t = sf->t;
	memset(o, 0, sizeof(*o));
	o->local_addr = t->laddr;
	o->remote_addr = t->raddr;
	o->local_port = t->lport;
	o->remote_port = t->rport;
	o->state = t->state;
	o->local_id = sf->local_id;
	o->remote_id = sf->remote_id;
	o->backup = sf->backup || sf->peer_backup;
	o->initial = sf->initial;
	o->srtt_us = t->srtt_us;
	o->cwnd = t->cc.c.cwnd;
	o->bytes_out = t->bytes_out;
	o->bytes_in = t->bytes_in;
	o->retransmits = t->retransmits;
}

int mpdk_mptcp_subflows(mpdk_conn_t c, struct mpdk_mptcp_subflow_info *out, unsigned n)
{
	struct tcb *t = tcb_from_handle(c);
	if (t == NULL)
		return -EBADF;
	if (out == NULL && n > 0)
		return -EINVAL;
	if (t->state == TCPS_LISTEN)
		return -EINVAL;
	struct mptcp_meta *mp = t->mp;
	if (mp == NULL) {
		if (n > 0) {
			memset(out, 0, sizeof(*out));
			out->local_addr = t->laddr;
			out->remote_addr = t->raddr;
			out->local_port = t->lport;
			out->remote_port = t->rport;
			out->state = t->state;
			out->initial = true;
			out->srtt_us = t->srtt_us;
			out->cwnd = t->cc.c.cwnd;
			out->bytes_out = t->bytes_out;
			out->bytes_in = t->bytes_in;
			out->retransmits = t->retransmits;
		}
		return 1;
	}
	unsigned k = 0;
	const struct mptcp_subflow *sf;
	TAILQ_FOREACH(sf, &mp->sfs, link) {
		if (k < n)
			sf_info(sf, &out[k]);
		k++;
	}
	for (unsigned g = 0; g < mp->n_gone; g++) {
		if (k < n)
			out[k] = mp->gone[g];
		k++;
	}
	return (int)k;
}

int mpdk_mptcp_set_backup(mpdk_conn_t c, uint32_t laddr, bool backup)
{
	struct tcb *t = tcb_from_handle(c);
	if (t == NULL)
		return -EBADF;
	struct mptcp_meta *mp = t->mp;
	if (mp == NULL || (mp->flags & MF_FALLBACK))
		return -EINVAL;
	int found = 0;
	struct mptcp_subflow *sf;
	TAILQ_FOREACH(sf, &mp->sfs, link) {
		if (laddr != 0 && sf->t->laddr != laddr)
			continue;
		found++;
		if (sf->backup != backup) {
			sf->backup = backup;
			sf->send_prio = true;
			mptcp_sf_send_ack(sf);
		}
	}
	return found ? 0 : -ENOENT;
}

void mpdk_mptcp_conf_defaults(struct mpdk_mptcp_conf *c)
{
	if (c == NULL)
		return;
	memset(c, 0, sizeof(*c));
	c->max_subflows = 2;
	c->max_add_addr = 2;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection pool, handles, lifetime and application events; the engine's
 * TCP init and fini.
 *
 * Handles are (registry slot + 1) << 56 | generation << 32 | index. The
 * generation changes whenever the application lets go of a connection
 * (close, abort, or after the closed() callback) and whenever a tcb is
 * freed, so a stale handle never matches. Connections are sized up front
 * (mpdk_tcp_conf.max_conns) and kept on a free list.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <rte_malloc.h>
#include <rte_random.h>
#include "tcp/tcb.h"
#include "tcp/tcp.h"
#include "core/log.h"
#include "net/route.h"
#include "mptcp/mptcp_tcp.h"

#define TCP_REGISTRY_MAX 255
#define HANDLE_GEN_MASK 0xffffffu

static struct tcp_engine *tcp_registry[TCP_REGISTRY_MAX];
static pthread_mutex_t tcp_registry_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---------------------------------------------------------------- mbuf queues */

void mbuf_q_push(struct mbuf_q *q, struct rte_mbuf *m)
{
	m->next = NULL;
	m->nb_segs = 1;
	m->pkt_len = m->data_len;
	if (q->tail)
		q->tail->next = m;
	else
		q->head = m;
	q->tail = m;
	q->bytes += m->data_len;
	q->n++;
}

void mbuf_q_push_chain(struct mbuf_q *q, struct rte_mbuf *m)
{
	while (m != NULL) {
		struct rte_mbuf *next = m->next;
		if (m->data_len == 0) {
			m->next = NULL;
			m->nb_segs = 1;
			rte_pktmbuf_free_seg(m);
		} else {
			mbuf_q_push(q, m);
		}
		m = next;
	}
}

struct rte_mbuf *mbuf_q_pop(struct mbuf_q *q)
{
	struct rte_mbuf *m = q->head;
	if (m == NULL)
		return NULL;
	q->head = m->next;
	if (q->head == NULL)
		q->tail = NULL;
	m->next = NULL;
	q->bytes -= m->data_len;
	q->n--;
	return m;
}

void mbuf_q_free(struct mbuf_q *q)
{
	struct rte_mbuf *m;
	while ((m = mbuf_q_pop(q)) != NULL)
		rte_pktmbuf_free_seg(m);
}

void mbuf_q_trim_front(struct mbuf_q *q, uint32_t len)
{
	while (len > 0 && q->head != NULL) {
		struct rte_mbuf *m = q->head;
		if (m->data_len <= len) {
			len -= m->data_len;
			rte_pktmbuf_free_seg(mbuf_q_pop(q));
		} else {
			m->data_off += len;
			m->data_len -= len;
			m->pkt_len = m->data_len;
			q->bytes -= len;
			len = 0;
		}
	}
}

size_t mbuf_q_copy_out(struct mbuf_q *q, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t done = 0;
	while (done < len && q->head != NULL) {
		struct rte_mbuf *m = q->head;
		uint32_t n = m->data_len;
		if (n > len - done)
			n = (uint32_t)(len - done);
		memcpy(p + done, rte_pktmbuf_mtod(m, uint8_t *), n);
		done += n;
		if (n == m->data_len)
			rte_pktmbuf_free_seg(mbuf_q_pop(q));
		else
			mbuf_q_trim_front(q, n);
	}
	return done;
}

struct rte_mbuf *mbuf_q_take_chain(struct mbuf_q *q, uint32_t *bytes)
{
	struct rte_mbuf *head = NULL, *tail = NULL;
	uint32_t total = 0;
	uint16_t n = 0;
	/* nb_segs is 16 bits: a longer queue is handed out in several calls */
	while (q->head != NULL && n < UINT16_MAX - 1) {
		struct rte_mbuf *m = mbuf_q_pop(q);
		if (tail)
			tail->next = m;
		else
			head = m;
		tail = m;
		total += m->data_len;
		n++;
	}
	if (head != NULL) {
		head->nb_segs = n;
		head->pkt_len = total;
	}
	*bytes = total;
	return head;
}

/* ---------------------------------------------------------------- handles */

mpdk_conn_t tcb_handle(const struct tcb *t)
{
	return ((uint64_t)(t->te->reg_slot + 1u) << 56) |
	       ((uint64_t)(t->gen & HANDLE_GEN_MASK) << 32) | t->idx;
}

struct tcb *tcb_from_handle(mpdk_conn_t h)
{
	unsigned slot = (unsigned)(h >> 56);
	if (slot == 0 || slot > TCP_REGISTRY_MAX)
		return NULL;
	struct tcp_engine *te = tcp_registry[slot - 1];
	if (te == NULL)
		return NULL;
	uint32_t idx = (uint32_t)h;
	if (idx >= te->n_tcbs)
		return NULL;
	struct tcb *t = &te->tcbs[idx];
	if (!t->in_use || !(t->flags & TF_APP) ||
	    (t->gen & HANDLE_GEN_MASK) != ((h >> 32) & HANDLE_GEN_MASK))
		return NULL;
	return t;
}

struct mpdk_engine *mpdk_conn_engine(mpdk_conn_t c)
{
	struct tcb *t = tcb_from_handle(c);
	return t ? t->te->e : NULL;
}

/* ---------------------------------------------------------------- pool */

struct tcb *tcb_alloc(struct tcp_engine *te)
{
	struct tcb *t = te->free_list;
	if (t == NULL) {
		CTR_INC(te->e, tcp_conn_alloc_fail);
		return NULL;
	}
	te->free_list = t->free_next;
	te->n_used++;
	uint32_t idx = t->idx, gen = t->gen;
	memset(t, 0, sizeof(*t));
	t->idx = idx;
	t->gen = gen;
	t->te = te;
	t->in_use = true;
	t->state = TCPS_CLOSED;
	TAILQ_INIT(&t->acceptq);
	tcp_timers_init(t);
	return t;
}

static void tcb_evq_remove(struct tcb *t)
{
	if (t->on_evq) {
		TAILQ_REMOVE(&t->te->evq, t, ev_link);
		t->on_evq = false;
	}
	t->ev = 0;
}

void tcb_unlink_parent(struct tcb *t)
{
	struct tcb *l = t->parent;
	if (l == NULL)
		return;
	if (t->on_acceptq) {
		TAILQ_REMOVE(&l->acceptq, t, aq_link);
		t->on_acceptq = false;
	}
	l->n_children--;
	t->parent = NULL;
}

void tcb_free(struct tcb *t)
{
	struct tcp_engine *te = t->te;
	if (!t->in_use)
		return;
	tcp_timers_cancel(t);
	if (t->sf != NULL)
		mptcp_sf_free(t);
	if (t->state == TCPS_LISTEN)
		tcp_listener_remove(t);
	else
		tcp_demux_remove(t);
	tcb_unlink_parent(t);
	tcb_evq_remove(t);
	mbuf_q_free(&t->sndq);
	mbuf_q_free(&t->rcvq);
	tcp_reasm_clear(&t->reasm);
	t->in_use = false;
	t->flags = 0;
	t->state = TCPS_CLOSED;
	t->gen++;
	t->free_next = te->free_list;
	te->free_list = t;
	te->n_used--;
}

void tcb_set_state(struct tcb *t, enum tcp_state s)
{
	if (s == TCPS_ESTABLISHED && t->state != TCPS_ESTABLISHED)
		CTR_INC(t->te->e, tcp_established);
	t->state = (uint8_t)s;
}

uint16_t tcb_route_mss(struct tcp_engine *te, uint32_t raddr, uint32_t laddr)
{
	struct route_result res;
	uint16_t mtu = 1500;
	if (route_lookup(&te->e->stack->routes, raddr, laddr, &res) == 0)
		mtu = te->e->stack->ifaces[res.iface].mtu;
	if (mtu < 576)
		mtu = 576;
	return (uint16_t)(mtu - 40);
}

void tcb_cc_setup(struct tcb *t, const struct tcp_cc_ops *ops)
{
	tcp_cc_init(&t->cc, ops, t->mss ? t->mss : 536, 0);
	t->cc.c.owner = t;
}

void tcb_init_conn(struct tcb *t, uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport)
{
	struct tcp_engine *te = t->te;
	const struct mpdk_tcp_conf *c = &te->conf;

	t->laddr = laddr;
	t->lport = lport;
	t->raddr = raddr;
	t->rport = rport;
	t->iss = tcp_isn(te, laddr, lport, raddr, rport, engine_now(te->e));
	t->snd_una = t->snd_nxt = t->snd_max = t->iss;
	t->recover = t->iss;
	t->ts_offset = tcp_ts_offset(te, laddr, lport, raddr, rport);
	t->rmss = tcb_route_mss(te, raddr, laddr);
	t->mss_base = 536;
	t->mss = 536;
	t->sndbuf = c->sndbuf;
	t->rcvbuf = c->rcvbuf;
	t->rcv_wscale = 0;
	if (!c->no_wscale)
		while ((t->rcvbuf >> t->rcv_wscale) > 65535 && t->rcv_wscale < TCP_WSCALE_MAX)
			t->rcv_wscale++;
	t->rto_us = c->rto_init_ms * 1000u;
	tcp_reasm_init(&t->reasm, t->rcvbuf, tcp_reasm_segs_for(t->rcvbuf, c->reasm_max_segs));
	tcp_sack_init(&t->sb, t->mss);
	tcb_cc_setup(t, te->cc_default);
	t->ka_idle_ms = c->keepalive_idle_ms;
	t->ka_intvl_ms = c->keepalive_intvl_ms;
	t->ka_probes = c->keepalive_probes;
	if (c->keepalive)
		t->flags |= TF_KEEPALIVE;
	t->last_rx = engine_now(te->e);
}

uint32_t tcb_rcv_space(const struct tcb *t)
{
	if (t->sf != NULL)
		return mptcp_rcv_space(t);
	uint32_t used = t->rcvq.bytes + t->reasm.bytes;
	return used >= t->rcvbuf ? 0 : t->rcvbuf - used;
}

/* ---------------------------------------------------------------- events */

void tcb_event(struct tcb *t, uint32_t ev)
{
	if (t->mp != NULL)
		return;   /* the meta connection speaks for this handle */
	tcb_event_app(t, ev);
}

void tcb_event_app(struct tcb *t, uint32_t ev)
{
	if (!(t->flags & TF_APP) && !(ev & EV_ACCEPT))
		return;
	t->ev |= ev;
	if (!t->on_evq) {
		TAILQ_INSERT_TAIL(&t->te->evq, t, ev_link);
		t->on_evq = true;
	}
}

/* The application lets go of @t: the handle goes stale. */
void tcb_app_release(struct tcb *t)
{
	t->flags &= ~(TF_APP | TF_WANT_WRITABLE);
	t->gen++;
	tcb_evq_remove(t);
	t->h = NULL;
	t->arg = NULL;
	if (t->state == TCPS_CLOSED)
		tcb_free(t);
}

void tcb_done(struct tcb *t, int err)
{
	tcp_timers_cancel(t);
	tcp_demux_remove(t);
	tcb_unlink_parent(t);
	mbuf_q_free(&t->sndq);
	tcp_reasm_clear(&t->reasm);
	t->state = TCPS_CLOSED;
	if (t->sf != NULL && mptcp_sf_done(t, err))
		return;   /* still the handle of a live MPTCP connection */
	if (t->flags & TF_APP) {
		/* Kept until the closed() callback ran: the app may read what
		 * is left in the receive queue. */
		t->err = err;
		tcb_event(t, EV_CLOSED);
	} else {
		tcb_free(t);
	}
}

void tcb_enter_time_wait(struct tcb *t)
{
	tcb_set_state(t, TCPS_TIME_WAIT);
	tcp_timers_cancel(t);
	t->flags &= ~(TF_DELACK | TF_PERSIST);
	mbuf_q_free(&t->sndq);
	t->snd_cur = NULL;
	timer_arm_in(&t->te->e->tw, &t->t_keep, (uint64_t)t->te->conf.time_wait_ms * NS_PER_MS);
	if (t->flags & TF_APP) {
		t->err = 0;
		tcb_event(t, EV_CLOSED);
	}
}

void tcb_child_established(struct tcb *t)
{
	struct tcb *l = t->parent;
	if (l == NULL)
		return;
	TAILQ_INSERT_TAIL(&l->acceptq, t, aq_link);
	t->on_acceptq = true;
	tcb_event(l, EV_ACCEPT);
}

int tcp_deliver_events(struct mpdk_engine *e, void *arg)
{
	struct tcp_engine *te = arg;
	struct tcb *t;
	int n = 0;
	(void)e;

	mptcp_engine_poll(te);
	while ((t = TAILQ_FIRST(&te->evq)) != NULL) {
		TAILQ_REMOVE(&te->evq, t, ev_link);
		t->on_evq = false;
		uint32_t ev = t->ev;
		t->ev = 0;
		n++;
		if (!(t->flags & TF_APP))
			continue;
		const struct mpdk_tcp_handler *h = t->h;
		void *harg = t->arg;
		mpdk_conn_t hd = tcb_handle(t);
		uint32_t gen = t->gen;
#define ALIVE() (t->in_use && t->gen == gen && (t->flags & TF_APP))
		if ((ev & EV_ACCEPT) && h && h->accept_ready)
			h->accept_ready(harg, hd);
		if ((ev & EV_CONNECTED) && ALIVE() && h && h->connected)
			h->connected(harg, hd);
		if ((ev & EV_READABLE) && ALIVE() && h && h->readable)
			h->readable(harg, hd);
		if ((ev & EV_WRITABLE) && ALIVE() && h && h->writable)
			h->writable(harg, hd);
		if ((ev & EV_CLOSED) && ALIVE()) {
			t->flags |= TF_IN_CB;
			if (h && h->closed)
				h->closed(harg, hd, t->err);
			if (ALIVE()) {
				t->flags &= ~TF_IN_CB;
				if (t->mp != NULL)
					mptcp_api_released(t);
				else
					mbuf_q_free(&t->rcvq);
				tcb_app_release(t);
			}
		}
#undef ALIVE
	}
	return n;
}

/* ---------------------------------------------------------------- close paths (API side) */

/* Abort: RST if synchronized, free at once. */
void tcb_abort(struct tcb *t)
{
	if (t->state >= TCPS_SYN_RECEIVED && t->state != TCPS_TIME_WAIT)
		tcp_send_rst_conn(t);
	tcb_free(t);
}

static void listener_close(struct tcb *l)
{
	struct tcp_engine *te = l->te;
	tcp_listener_remove(l);
	/* Reset the children not accepted yet. */
	for (uint32_t i = 0; i < te->n_tcbs && l->n_children > 0; i++) {
		struct tcb *c = &te->tcbs[i];
		if (c->in_use && c->parent == l)
			tcb_abort(c);
	}
	tcb_free(l);
}

/* Queue our FIN (close or shutdown(SHUT_WR)) and move to the next state. */
void tcb_queue_fin(struct tcb *t)
{
	if (t->flags & TF_FIN_QUEUED)
		return;
	t->fin_seq = tcb_data_end(t);
	t->flags |= TF_FIN_QUEUED;
	switch (t->state) {
	case TCPS_ESTABLISHED:
		tcb_set_state(t, TCPS_FIN_WAIT_1);
		break;
	case TCPS_CLOSE_WAIT:
		tcb_set_state(t, TCPS_LAST_ACK);
		break;
	default:
		/* SYN_RECEIVED: sent once ESTABLISHED (RFC 9293 §3.10.4) */
		return;
	}
	tcp_output(t);
}

int tcb_close(struct tcb *t)
{
	if (t->flags & TF_IN_CB)
		return 0;   /* inside closed(): released when it returns */
	if (t->mp != NULL)
		return mptcp_api_close(t);
	switch (t->state) {
	case TCPS_LISTEN:
		listener_close(t);
		return 0;
	case TCPS_CLOSED:
		tcb_app_release(t);
		return 0;
	case TCPS_SYN_SENT:
		tcb_free(t);
		return 0;
	case TCPS_ESTABLISHED:
	case TCPS_CLOSE_WAIT:
	case TCPS_SYN_RECEIVED:
		/* Unread data: reset (RFC 9293 §3.10.4 allows it; RFC 2525
		 * §2.17 and every common stack do it). */
		if (t->rcvq.bytes > 0 || !tcp_reasm_empty(&t->reasm)) {
			CTR_INC(t->te->e, tcp_conn_abort);
			tcb_abort(t);
			return 0;
		}
		tcb_queue_fin(t);
		break;
	default:
		break;
	}
	/* The tcb may have been freed by tcp_output? No: output never frees. */
	tcb_app_release(t);
	mbuf_q_free(&t->rcvq);
	if (t->state == TCPS_FIN_WAIT_2)
		timer_arm_in(&t->te->e->tw, &t->t_keep,
			     (uint64_t)t->te->conf.fin_wait2_ms * NS_PER_MS);
	return 0;
}

/* ---------------------------------------------------------------- engine init */

void mpdk_tcp_conf_defaults(struct mpdk_tcp_conf *c)
{
	if (c == NULL)
		return;
	memset(c, 0, sizeof(*c));
	c->max_conns = 8192;
	c->sndbuf = 256 * 1024;
	c->rcvbuf = 256 * 1024;
	c->time_wait_ms = 60000;
	c->rto_min_ms = 200;
	c->rto_max_ms = 60000;
	c->rto_init_ms = 1000;
	c->syn_retries = 6;
	c->data_retries = 15;
	c->delack_ms = 40;
	c->keepalive_idle_ms = 7200000;
	c->keepalive_intvl_ms = 75000;
	c->keepalive_probes = 9;
	c->fin_wait2_ms = 60000;
	c->cc = "newreno";
	c->challenge_ack_limit = 1000;
	c->ephemeral_lo = 49152;
	c->ephemeral_hi = 65535;
	c->reasm_max_segs = 256;
	mpdk_mptcp_conf_defaults(&c->mptcp);
}

static int tcp_conf_apply(struct mpdk_tcp_conf *out, const struct mpdk_tcp_conf *in)
{
	struct mpdk_tcp_conf d;
	mpdk_tcp_conf_defaults(&d);
	if (in == NULL) {
		*out = d;
		return 0;
	}
	*out = *in;
#define DEF(f) do { if (out->f == 0) out->f = d.f; } while (0)
	DEF(max_conns);
	DEF(sndbuf);
	DEF(rcvbuf);
	DEF(time_wait_ms);
	DEF(rto_min_ms);
	DEF(rto_max_ms);
	DEF(rto_init_ms);
	DEF(syn_retries);
	DEF(data_retries);
	DEF(delack_ms);
	DEF(keepalive_idle_ms);
	DEF(keepalive_intvl_ms);
	DEF(keepalive_probes);
	DEF(fin_wait2_ms);
	DEF(cc);
	DEF(challenge_ack_limit);
	DEF(ephemeral_lo);
	DEF(ephemeral_hi);
	DEF(reasm_max_segs);
	DEF(mptcp.max_subflows);
	DEF(mptcp.max_add_addr);
#undef DEF
	if (out->ephemeral_lo > out->ephemeral_hi || out->rto_min_ms > out->rto_max_ms ||
	    out->max_conns > (1u << 24) || out->sndbuf > (1u << 30) || out->rcvbuf > (1u << 30) ||
	    out->syn_retries > 30 || out->data_retries > 30) {
		MPDK_LOG(ERR, "tcp: invalid settings");
		return -EINVAL;
	}
	return 0;
}

int tcp_engine_init(struct mpdk_engine *e)
{
	struct tcp_engine *te = rte_zmalloc("mpdk_tcp", sizeof(*te), RTE_CACHE_LINE_SIZE);
	int rc;

	if (te == NULL)
		return -ENOMEM;
	te->e = e;
	rc = tcp_conf_apply(&te->conf, e->stack->conf.tcp);
	if (rc < 0)
		goto fail;
	te->cc_default = tcp_cc_find(te->conf.cc);
	if (te->cc_default == NULL) {
		MPDK_LOG(ERR, "tcp: unknown congestion control '%s'", te->conf.cc);
		rc = -EINVAL;
		goto fail;
	}
	te->conf.cc = NULL; /* caller's string; use cc_default->name */
	te->n_tcbs = te->conf.max_conns;
	te->tcbs = calloc(te->n_tcbs, sizeof(struct tcb));
	if (te->tcbs == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	uint32_t gen0 = (uint32_t)rte_rand();
	for (uint32_t i = te->n_tcbs; i-- > 0;) {
		struct tcb *t = &te->tcbs[i];
		t->idx = i;
		t->gen = gen0 + i * 7919u;
		t->te = te;
		t->free_next = te->free_list;
		te->free_list = t;
	}
	uint64_t r0 = rte_rand(), r1 = rte_rand();
	memcpy(te->secret, &r0, 8);
	memcpy(te->secret + 8, &r1, 8);
	te->rand_state = (uint32_t)rte_rand();
	TAILQ_INIT(&te->evq);
	rc = tcp_demux_init(te);
	if (rc < 0)
		goto fail;

	pthread_mutex_lock(&tcp_registry_lock);
	unsigned slot;
	for (slot = 0; slot < TCP_REGISTRY_MAX; slot++)
		if (tcp_registry[slot] == NULL)
			break;
	if (slot < TCP_REGISTRY_MAX)
		tcp_registry[slot] = te;
	pthread_mutex_unlock(&tcp_registry_lock);
	if (slot == TCP_REGISTRY_MAX) {
		MPDK_LOG(ERR, "tcp: more than %d engines", TCP_REGISTRY_MAX);
		tcp_demux_fini(te);
		rc = -ENOSPC;
		goto fail;
	}
	te->reg_slot = (uint8_t)slot;
	rc = engine_add_hook(e, tcp_deliver_events, te);
	if (rc < 0) {
		tcp_registry[slot] = NULL;
		tcp_demux_fini(te);
		goto fail;
	}
	e->tcp = te;
	e->stack->l4_input[IPPROTO_TCP] = tcp_input;
	tcp_nobuf_init(te);
	mptcp_engine_init(te);
	/* EC keying: ec_ctx, key-pair pools, hook. ec-preferred and
	 * ec-required must not run without it (they would connect with
	 * RFC 8684 keys unasked): the engine fails to start. */
	rc = hs_ec_engine_init(te);
	if (rc < 0) {
		MPDK_LOG(ERR, "tcp: key mode %s configured but EC keying failed (%d)",
			 mpdk_key_mode_name(te->conf.mptcp.key_mode), rc);
		mptcp_engine_fini(te);
		tcp_nobuf_fini(te);
		e->tcp = NULL;
		pthread_mutex_lock(&tcp_registry_lock);
		tcp_registry[slot] = NULL;
		pthread_mutex_unlock(&tcp_registry_lock);
		tcp_demux_fini(te);
		goto fail;   /* the engine (and its hook table) is freed by the caller */
	}
	return 0;
fail:
	free(te->tcbs);
	rte_free(te);
	return rc;
}

void tcp_engine_fini(struct mpdk_engine *e)
{
	struct tcp_engine *te = e->tcp;
	if (te == NULL)
		return;
	for (uint32_t i = 0; i < te->n_tcbs; i++)
		if (te->tcbs[i].in_use)
			tcb_free(&te->tcbs[i]);
	mptcp_engine_fini(te);
	hs_ec_engine_fini(te);
	tcp_nobuf_fini(te);
	pthread_mutex_lock(&tcp_registry_lock);
	tcp_registry[te->reg_slot] = NULL;
	pthread_mutex_unlock(&tcp_registry_lock);
	tcp_demux_fini(te);
	free(te->tcbs);
	rte_free(te);
	e->tcp = NULL;
}

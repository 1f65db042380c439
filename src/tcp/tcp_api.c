/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The public TCP API (mpdk_tcp.h): argument checks, handle resolution,
 * send and receive buffers. Every call runs on the engine's thread.
 */
#include <errno.h>
#include <string.h>
#include <rte_mbuf.h>
#include "mpdk/mpdk_tcp.h"
#include "mpdk/mpdk_error.h"
#include "tcp/tcb.h"
#include "net/ipv4.h"
#include "net/route.h"
#include "mptcp/mptcp_tcp.h"

static inline uint32_t min32(uint32_t a, uint32_t b) { return a < b ? a : b; }

const char *mpdk_tcp_state_name(enum mpdk_tcp_state s)
{
	static const char *const names[] = {
		"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
		"FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT",
	};
	if ((unsigned)s >= RTE_DIM(names))
		return "UNKNOWN";
	return names[s];
}

int mpdk_listen(struct mpdk_engine *e, uint32_t laddr, uint16_t lport, uint32_t backlog,
		const struct mpdk_tcp_handler *h, void *arg, mpdk_conn_t *out)
{
	uint16_t ifc;
	if (e == NULL || e->tcp == NULL || lport == 0 || backlog == 0 || out == NULL)
		return -EINVAL;
	if (laddr != 0 && !ipv4_is_local(e, laddr, &ifc))
		return -EADDRNOTAVAIL;
	struct tcp_engine *te = e->tcp;
	struct tcb *l = tcb_alloc(te);
	if (l == NULL)
		return -ENOMEM;
	l->laddr = laddr;
	l->lport = lport;
	l->state = TCPS_LISTEN;
	l->backlog = backlog;
	l->h = h;
	l->arg = arg;
	int rc = tcp_listener_insert(l);
	if (rc < 0) {
		tcb_free(l);
		return rc;
	}
	l->flags |= TF_APP;
	*out = tcb_handle(l);
	return 0;
}

int mpdk_accept(mpdk_conn_t lh, mpdk_conn_t *out)
{
	struct tcb *l = tcb_from_handle(lh);
	if (l == NULL)
		return -EBADF;
	if (l->state != TCPS_LISTEN || out == NULL)
		return -EINVAL;
	struct tcb *c = TAILQ_FIRST(&l->acceptq);
	if (c == NULL)
		return -EAGAIN;
	tcb_unlink_parent(c);
	c->flags |= TF_APP;
	*out = tcb_handle(c);
	if (c->mp != NULL) {
		if (mptcp_api_has_data(c))
			tcb_event_app(c, EV_READABLE);
	} else if (c->rcvq.bytes > 0 || (c->flags & TF_RCVD_FIN)) {
		tcb_event(c, EV_READABLE);
	}
	return 0;
}

int mpdk_connect(struct mpdk_engine *e, uint32_t dst, uint16_t dport, uint32_t src,
		 uint16_t sport, const struct mpdk_tcp_handler *h, void *arg, mpdk_conn_t *out)
{
	struct route_result rr;
	uint16_t ifc;

	if (e == NULL || e->tcp == NULL || dst == 0 || dport == 0 || out == NULL)
		return -EINVAL;
	struct tcp_engine *te = e->tcp;
	if (src != 0 && !ipv4_is_local(e, src, &ifc))
		return -EADDRNOTAVAIL;
	if (src == 0) {
		if (ipv4_is_local(e, dst, &ifc))
			src = dst;
		else if (route_lookup(&e->stack->routes, dst, 0, &rr) < 0)
			return -MPDK_ENOROUTE;
		else
			src = rr.src;
	} else if (!ipv4_is_local(e, dst, &ifc) &&
		   route_lookup(&e->stack->routes, dst, src, &rr) < 0) {
		return -MPDK_ENOROUTE;
	}
	if (sport == 0) {
		sport = tcp_ephemeral_port(te, src, dst, dport);
		if (sport == 0) {
			CTR_INC(e, tcp_ephemeral_exhausted);
			return -EADDRNOTAVAIL;
		}
	} else if (tcp_demux_lookup(te, src, sport, dst, dport) != NULL) {
		return -EADDRINUSE;
	}
	struct tcb *t = tcb_alloc(te);
	if (t == NULL)
		return -ENOMEM;
	engine_refresh_now(e);
	tcb_init_conn(t, src, sport, dst, dport);
	int rc = tcp_demux_insert(t);
	if (rc < 0) {
		tcb_free(t);
		return rc;
	}
	t->state = TCPS_SYN_SENT;
	t->h = h;
	t->arg = arg;
	t->flags |= TF_APP;
	CTR_INC(e, tcp_active_open);
	mptcp_connect_init(t);
	tcp_send_syn(t);
	*out = tcb_handle(t);
	return 0;
}

int mpdk_conn_set_handler(mpdk_conn_t c, const struct mpdk_tcp_handler *h, void *arg)
{
	struct tcb *t = tcb_from_handle(c);
	if (t == NULL)
		return -EBADF;
	t->h = h;
	t->arg = arg;
	return 0;
}

/* Can the application queue data in this state? */
static int send_state_check(const struct tcb *t)
{
	if (t->flags & TF_FIN_QUEUED)
		return -EPIPE;
	switch (t->state) {
	case TCPS_SYN_SENT:
	case TCPS_SYN_RECEIVED:
	case TCPS_ESTABLISHED:
	case TCPS_CLOSE_WAIT:
		return 0;
	case TCPS_LISTEN:
		return -EINVAL;
	case TCPS_CLOSED:
		return t->err ? t->err : -ENOTCONN;
	default:
		return -EPIPE;
	}
}

/*
 * Copy up to @want bytes of @buf to the end of send queue @q: first into
 * the tail mbuf if we allocated it ourselves (*@own_tail) and nobody else
 * references it, then into new mbufs. Stops early, counted, when the pool
 * is low (what is left of it belongs to receive, see tcp_mem_pressure) or
 * empty. Returns the bytes queued. Shared by TCP sends and MPTCP's meta.
 */
uint32_t tcp_sndq_copy_in(struct tcp_engine *te, struct mbuf_q *q, struct rte_mbuf **own_tail,
			  const void *buf, uint32_t want)
{
	const uint8_t *p = buf;
	uint32_t done = 0;
	struct rte_mbuf *tail = q->tail;

	if (tail != NULL && tail == *own_tail && rte_mbuf_refcnt_read(tail) == 1) {
		uint32_t room = min32(rte_pktmbuf_tailroom(tail), want);
		if (room > 0) {
			memcpy(rte_pktmbuf_mtod_offset(tail, uint8_t *, tail->data_len), p, room);
			tail->data_len = (uint16_t)(tail->data_len + room);
			tail->pkt_len = tail->data_len;
			q->bytes += room;
			done += room;
		}
	}
	while (done < want && !tcp_mem_pressure(te)) {
		struct rte_mbuf *m = engine_alloc_mbuf(te->e);
		if (m == NULL) {
			CTR_INC(te->e, tcp_tx_nombuf);
			break;
		}
		m->data_off = 0;
		uint32_t n = min32(rte_pktmbuf_tailroom(m), want - done);
		memcpy(rte_pktmbuf_mtod(m, uint8_t *), p + done, n);
		m->data_len = (uint16_t)n;
		m->pkt_len = n;
		mbuf_q_push(q, m);
		*own_tail = m;
		done += n;
	}
	return done;
}

ssize_t mpdk_send(mpdk_conn_t c, const void *buf, size_t len)
{
	struct tcb *t = tcb_from_handle(c);
	if (t == NULL)
		return -EBADF;
	if (buf == NULL && len > 0)
		return -EINVAL;
	if (t->mp != NULL)
		return mptcp_api_send(t, buf, len);
	int rc = send_state_check(t);
	if (rc < 0)
		return rc;
	if (len == 0)
		return 0;
	uint32_t space = t->sndq.bytes < t->sndbuf ? t->sndbuf - t->sndq.bytes : 0;
	if (space == 0) {
		t->flags |= TF_WANT_WRITABLE;
		return -EAGAIN;
	}
	uint32_t want = len > space ? space : (uint32_t)len;
	uint32_t done = tcp_sndq_copy_in(t->te, &t->sndq, &t->sndq_own_tail, buf, want);
	if (done < want) {
		/* pool exhausted: writable again once mbufs come back */
		CTR_INC(t->te->e, tcp_send_nobuf);
		t->flags |= TF_WANT_WRITABLE;
		tcp_nobuf(t);
	}
	if (done == 0)
		return -ENOBUFS;
	if (done < len)
		t->flags |= TF_WANT_WRITABLE;
	tcp_output(t);
	return done;
}

int mpdk_send_mbuf(mpdk_conn_t c, struct rte_mbuf *m)
{
	struct tcb *t = tcb_from_handle(c);
	if (t == NULL)
		return -EBADF;
	if (m == NULL || m->pkt_len == 0)
		return -EINVAL;
	if (t->mp != NULL)
		return mptcp_api_send_mbuf(t, m);
	int rc = send_state_check(t);
	if (rc < 0)
		return rc;
	uint32_t space = t->sndq.bytes < t->sndbuf ? t->sndbuf - t->sndq.bytes : 0;
	if (t->sndq.bytes > 0 && m->pkt_len > space) {
		t->flags |= TF_WANT_WRITABLE;
		return -EAGAIN;
	}
	t->sndq_own_tail = NULL;
	mbuf_q_push_chain(&t->sndq, m);
	tcp_output(t);
	return 0;
}

/* After the application read: send a window update when the window we
 * can offer grew by two segments (or from nearly closed to one segment). */
void tcp_window_update(struct tcb *t)
{
	if (t->state != TCPS_ESTABLISHED && t->state != TCPS_FIN_WAIT_1 &&
	    t->state != TCPS_FIN_WAIT_2)
		return;
	uint32_t adv = SEQ_GT(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
	uint32_t space = tcb_rcv_space(t);
	if (space >= adv + 2u * t->rmss || (adv < t->rmss && space >= t->rmss)) {
		t->flags |= TF_ACKNOW;
		tcp_output(t);
	}
}

static ssize_t recv_empty(const struct tcb *t)
{
	if (t->flags & TF_RCVD_FIN)
		return 0;
	if (t->state == TCPS_CLOSED)
		return 0;
	return -EAGAIN;
}

ssize_t mpdk_recv(mpdk_conn_t c, void *buf, size_t len)
{
	struct tcb *t = tcb_from_handle(c);
	if (t == NULL)
		return -EBADF;
	if (t->state == TCPS_LISTEN || (buf == NULL && len > 0))
		return -EINVAL;
	if (t->mp != NULL)
		return mptcp_api_recv(t, buf, len);
	if (t->rcvq.bytes == 0)
		return recv_empty(t);
	size_t done = mbuf_q_copy_out(&t->rcvq, buf, len);
	tcp_window_update(t);
	return (ssize_t)done;
}

ssize_t mpdk_recv_mbuf(mpdk_conn_t c, struct rte_mbuf **out)
{
	struct tcb *t = tcb_from_handle(c);
	if (t == NULL)
		return -EBADF;
	if (t->state == TCPS_LISTEN || out == NULL)
		return -EINVAL;
	if (t->mp != NULL)
		return mptcp_api_recv_mbuf(t, out);
	*out = NULL;
	if (t->rcvq.bytes == 0)
		return recv_empty(t);
	uint32_t bytes;
	*out = mbuf_q_take_chain(&t->rcvq, &bytes);
	tcp_window_update(t);
	return bytes;
}

int mpdk_shutdown(mpdk_conn_t c, int how)
{
	struct tcb *t = tcb_from_handle(c);
	if (t == NULL)
		return -EBADF;
	if (how != MPDK_SHUT_RD && how != MPDK_SHUT_WR && how != MPDK_SHUT_RDWR)
		return -EINVAL;
	if (t->mp != NULL)
		return mptcp_api_shutdown(t, how);
	if (t->state == TCPS_LISTEN || t->state == TCPS_CLOSED)
		return -ENOTCONN;
	if (how == MPDK_SHUT_RD || how == MPDK_SHUT_RDWR) {
		t->flags |= TF_SHUT_RD;
		mbuf_q_free(&t->rcvq);
	}
	if (how == MPDK_SHUT_WR || how == MPDK_SHUT_RDWR)
		tcb_queue_fin(t);
	return 0;
}

int mpdk_close(mpdk_conn_t c)
{
	struct tcb *t = tcb_from_handle(c);
	if (t == NULL)
		return -EBADF;
	return tcb_close(t);
}

int mpdk_abort(mpdk_conn_t c)
{
	struct tcb *t = tcb_from_handle(c);
	if (t == NULL)
		return -EBADF;
	if (t->flags & TF_IN_CB)
		return 0;
	if (t->state == TCPS_LISTEN)
		return tcb_close(t);
	if (t->mp != NULL)
		return mptcp_api_abort(t);
	CTR_INC(t->te->e, tcp_conn_abort);
	tcb_abort(t);
	return 0;
}

int mpdk_conn_info(mpdk_conn_t c, struct mpdk_conn_info *i)
{
	struct tcb *t = tcb_from_handle(c);
	if (t == NULL)
		return -EBADF;
	if (i == NULL)
		return -EINVAL;
	memset(i, 0, sizeof(*i));
	i->state = (enum mpdk_tcp_state)t->state;
	i->local_addr = t->laddr;
	i->remote_addr = t->raddr;
	i->local_port = t->lport;
	i->remote_port = t->rport;
	i->srtt_us = t->srtt_us;
	i->rttvar_us = t->rttvar_us;
	i->rto_us = tcp_rto_current(t);
	i->cwnd = t->cc.c.cwnd;
	i->ssthresh = t->cc.c.ssthresh;
	i->snd_wnd = t->snd_wnd;
	i->rcv_wnd = SEQ_GT(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
	i->mss = t->mss;
	i->snd_queued = t->sndq.bytes;
	i->rcv_queued = t->rcvq.bytes;
	i->retransmits = t->retransmits;
	i->bytes_out = t->bytes_out;
	i->bytes_in = t->bytes_in;
	i->segs_out = t->segs_out;
	i->segs_in = t->segs_in;
	i->sack = (t->flags & TF_SACK_OK) != 0;
	i->timestamps = (t->flags & TF_TS_OK) != 0;
	i->wscale = (t->flags & TF_WS_OK) != 0;
	i->snd_wscale = t->snd_wscale;
	i->rcv_wscale = (t->flags & TF_WS_OK) ? t->rcv_wscale : 0;
	i->cc = t->cc.ops ? t->cc.ops->name : "";
	if (t->mp != NULL)
		mptcp_api_info(t, i);
	else if (t->state != TCPS_LISTEN && !t->te->conf.mptcp.disabled && t->te->tokens != NULL)
		i->mptcp_fallback = !(t->flags & TF_PASSIVE) || (t->flags & TF_MPTCP_OFFERED);
	return 0;
}

int mpdk_conn_set_nodelay(mpdk_conn_t c, bool nodelay)
{
	struct tcb *t = tcb_from_handle(c);
	if (t == NULL)
		return -EBADF;
	if (nodelay)
		t->flags |= TF_NODELAY;
	else
		t->flags &= ~TF_NODELAY;
	if (t->mp != NULL) {
		mptcp_api_nodelay(t, nodelay);
		return 0;
	}
	if (nodelay && tcb_synced(t))
		tcp_output(t);
	return 0;
}

int mpdk_conn_set_cc(mpdk_conn_t c, const char *name)
{
	struct tcb *t = tcb_from_handle(c);
	if (t == NULL)
		return -EBADF;
	if (name == NULL)
		return -EINVAL;
	const struct tcp_cc_ops *ops = tcp_cc_find(name);
	if (ops == NULL)
		return -EINVAL;
	if (t->flags & TF_CC_LOCKED)
		return -EBUSY;
	tcb_cc_setup(t, ops);
	return 0;
}

int mpdk_conn_set_keepalive(mpdk_conn_t c, bool on, uint32_t idle_ms, uint32_t intvl_ms,
			    uint32_t probes)
{
	struct tcb *t = tcb_from_handle(c);
	if (t == NULL)
		return -EBADF;
	const struct mpdk_tcp_conf *cf = &t->te->conf;
	t->ka_idle_ms = idle_ms ? idle_ms : cf->keepalive_idle_ms;
	t->ka_intvl_ms = intvl_ms ? intvl_ms : cf->keepalive_intvl_ms;
	t->ka_probes = probes ? probes : cf->keepalive_probes;
	if (on)
		t->flags |= TF_KEEPALIVE;
	else
		t->flags &= ~TF_KEEPALIVE;
	if (t->state != TCPS_LISTEN)
		tcp_keepalive_reset(t);
	return 0;
}

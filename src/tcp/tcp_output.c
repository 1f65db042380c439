/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Segment construction and the send policy: windows (peer's and
 * congestion), Nagle and sender-side silly window avoidance (RFC 9293
 * §3.8.6.2.1), SACK-driven recovery transmission (RFC 6675 §5), ACKs with
 * SACK blocks, RSTs, probes.
 *
 * Segments are fresh mbufs with RTE_PKTMBUF_HEADROOM left for the IPv4 and
 * Ethernet headers; payload is copied out of the send queue, which keeps
 * the data until it is acknowledged. The TCP checksum is left to
 * ipv4_output() (RTE_MBUF_F_TX_TCP_CKSUM, field 0: offload or software).
 *
 * TSO (docs/architecture.md "Offloads"): when the egress port offers TCP
 * segmentation (PORT_TX_TSO), new data of a plain TCP connection goes out
 * as one super-segment of up to port->tso_max bytes, a whole number of
 * segments of the per-segment payload, and the port cuts it into
 * MSS-sized segments that each carry a copy of the TCP header and its
 * options. Retransmissions and FINs always use MSS-sized segments.
 *
 * MPTCP subflows use TSO too once in their data phase (mptcp_tso_ok), as
 * Linux does: a super-segment never crosses a mapping (mptcp_tx_opts cuts
 * it at the mapping's end), its DSS describes that whole mapping, and the
 * port repeats that DSS on every segment it cuts, so each segment carries
 * a mapping that contains it (RFC 8684 §3.3.1); the receiver sees the same
 * mapping again on each. The segment payload leaves room for the DSS
 * (MPTCP_DSS_RESERVE, in t->mss): it is mss_base minus the options
 * actually written, as for a plain segment.
 */
#include <string.h>
#include <netinet/in.h>
#include <rte_tcp.h>
#include <rte_byteorder.h>
#include "tcp/tcb.h"
#include "net/ipv4.h"
#include "net/route.h"
#include "net/iface.h"
#include "drivers/port.h"
#include "mptcp/mptcp_tcp.h"

#define TH_FIN RTE_TCP_FIN_FLAG
#define TH_SYN RTE_TCP_SYN_FLAG
#define TH_RST RTE_TCP_RST_FLAG
#define TH_PSH RTE_TCP_PSH_FLAG
#define TH_ACK RTE_TCP_ACK_FLAG

static inline uint32_t min32(uint32_t a, uint32_t b) { return a < b ? a : b; }

/* Window field for a segment; updates rcv_adv (never moves left). */
uint32_t tcp_rcv_window(struct tcb *t)
{
	uint32_t space = tcb_rcv_space(t);
	if (space > 0 && tcp_mem_pressure(t->te)) {
		/* pool low: offer nothing beyond what was offered (never
		 * shrink); the update follows once the pool refills */
		if (!(t->flags & TF_WND_HELD))
			CTR_INC(tcb_engine(t), tcp_wnd_pressure);
		t->flags |= TF_WND_HELD;
		tcp_nobuf(t);
		space = 0;
	}
	uint32_t right = t->rcv_nxt + space;
	uint32_t thresh = min32(t->rcvbuf / 2, t->rmss);

	/* RFC 9293 §3.8.6.2.2: move the right edge only by a useful amount. */
	if (SEQ_GT(right, t->rcv_adv) &&
	    (right - t->rcv_adv >= thresh || space >= t->rcvbuf))
		t->rcv_adv = right;
	if (SEQ_LT(t->rcv_adv, t->rcv_nxt))
		t->rcv_adv = t->rcv_nxt;
	uint32_t win = t->rcv_adv - t->rcv_nxt;
	uint32_t ws = (t->flags & TF_WS_OK) ? t->rcv_wscale : 0;
	/* Round up so that scaling never shrinks what was offered. */
	uint32_t wire = (win + (1u << ws) - 1) >> ws;
	if (wire > 65535)
		wire = 65535;
	uint32_t adv = t->rcv_nxt + (wire << ws);
	if (SEQ_GT(adv, t->rcv_adv))
		t->rcv_adv = adv;
	return wire;
}

/* Copy @len bytes of the send queue starting at sequence @seq into @dst. */
static void sndq_copy(struct tcb *t, uint32_t seq, uint32_t len, struct rte_mbuf *dst, uint32_t doff)
{
	struct rte_mbuf *m;
	uint32_t mseq;

	if (t->snd_cur != NULL && SEQ_GEQ(seq, t->snd_cur_seq)) {
		m = t->snd_cur;
		mseq = t->snd_cur_seq;
	} else {
		m = t->sndq.head;
		mseq = tcb_sndq_seq(t);
	}
	while (m != NULL && SEQ_GEQ(seq, mseq + m->data_len)) {
		mseq += m->data_len;
		m = m->next;
	}
	t->snd_cur = m;
	t->snd_cur_seq = mseq;
	uint32_t off = seq - mseq;
	struct rte_mbuf *d = dst;
	while (len > 0 && m != NULL) {
		uint32_t n = min32(len, m->data_len - off);
		/* find room in the destination chain */
		while (doff >= d->data_len && d->next) {
			doff -= d->data_len;
			d = d->next;
		}
		uint32_t room = d->data_len - doff;
		if (n > room)
			n = room;
		memcpy(rte_pktmbuf_mtod_offset(d, uint8_t *, doff),
		       rte_pktmbuf_mtod_offset(m, uint8_t *, off), n);
		doff += n;
		len -= n;
		off += n;
		if (off == m->data_len) {
			m = m->next;
			off = 0;
		}
	}
}

/* Make room for @len bytes at the end of chain @m (allocating segments). */
static int mbuf_grow(struct mpdk_engine *e, struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *last = rte_pktmbuf_lastseg(m);
	while (len > 0) {
		uint32_t room = rte_pktmbuf_tailroom(last);
		if (room == 0) {
			struct rte_mbuf *n = engine_alloc_mbuf(e);
			if (n == NULL)
				return -ENOBUFS;
			n->data_off = 0;
			last->next = n;
			m->nb_segs++;
			last = n;
			continue;
		}
		uint32_t k = min32(room, len);
		last->data_len += k;
		m->pkt_len += k;
		len -= k;
	}
	return 0;
}

static void tcb_fill_opts(struct tcb *t, struct tcp_opts *o, uint8_t thflags)
{
	memset(o, 0, sizeof(*o));
	if (thflags & TH_SYN) {
		o->flags |= TCP_OPT_F_MSS;
		o->mss = t->rmss;
		bool offer_ws, offer_sack, offer_ts;
		if (t->state == TCPS_SYN_SENT) {
			offer_ws = !(t->te->conf.no_wscale);
			offer_sack = !(t->te->conf.no_sack);
			offer_ts = !(t->te->conf.no_timestamps);
		} else {
			offer_ws = t->flags & TF_WS_OK;
			offer_sack = t->flags & TF_SACK_OK;
			offer_ts = t->flags & TF_TS_OK;
		}
		if (offer_ws) {
			o->flags |= TCP_OPT_F_WSCALE;
			o->wscale = t->rcv_wscale;
		}
		if (offer_sack)
			o->flags |= TCP_OPT_F_SACK_PERM;
		if (offer_ts) {
			o->flags |= TCP_OPT_F_TS;
			o->ts_val = tcb_ts_now(t);
			o->ts_ecr = (thflags & TH_ACK) ? t->ts_recent : 0;
		}
		return;
	}
	if (t->flags & TF_TS_OK) {
		o->flags |= TCP_OPT_F_TS;
		o->ts_val = tcb_ts_now(t);
		o->ts_ecr = t->ts_recent;
	}
	if ((t->flags & TF_SACK_OK) && (thflags & TH_ACK) && t->reasm.n > 0) {
		o->n_sack = (uint8_t)tcp_reasm_sack_blocks(&t->reasm, o->sack, TCP_OPTS_MAX_SACK);
		if (o->n_sack)
			o->flags |= TCP_OPT_F_SACK;
	}
}

/*
 * The egress port of @t when it offers TSO, NULL to send MSS-sized
 * segments. MPTCP subflows only in their data phase (mptcp_tso_ok); not
 * for destinations of our own (looped back, never segmented).
 */
static const struct mpdk_port *tcp_tso_port(struct tcb *t)
{
	struct mpdk_engine *e = tcb_engine(t);
	struct route_result rr;
	uint16_t ifc;

	if (t->sf != NULL ? !mptcp_tso_ok(t) : t->mp != NULL)
		return NULL;
	if (ipv4_is_local(e, t->raddr, &ifc))
		return NULL;
	if (route_lookup(&e->stack->routes, t->raddr, t->laddr, &rr) < 0)
		return NULL;
	const struct net_iface *ifp = &e->stack->ifaces[rr.iface];
	if (!(ifp->caps & PORT_TX_TSO) || ifp->port == NULL || ifp->port->tso_max == 0)
		return NULL;
	return ifp->port;
}

/*
 * Build and send one segment of connection @t. @len bytes of data from the
 * send queue at @seq (reduced when options leave less room). With @tso
 * (the port, PORT_TX_TSO) and @len at least two segments' payload, the
 * segment is a TSO super-segment of a whole number of segment payloads,
 * at most tso->tso_max bytes, never with FIN. Returns the number of data
 * bytes sent, or -ENOBUFS / -ENOMEM.
 */
static int tcp_xmit_tso(struct tcb *t, uint32_t seq, uint32_t len, uint8_t thflags,
			const struct mpdk_port *tso)
{
	struct mpdk_engine *e = tcb_engine(t);
	struct tcp_opts o;
	uint8_t optbuf[TCP_OPTS_MAX_LEN];
	uint8_t mpbuf[TCP_OPTS_MAX_LEN];

	tcb_fill_opts(t, &o, thflags);
	if (t->sf != NULL) {
		/* MPTCP options; the segment stays inside one mapping */
		uint32_t l2 = mptcp_tx_opts(t, seq, len, thflags, &o, mpbuf);
		if (l2 < len) {
			len = l2;
			thflags &= ~TH_FIN;
		}
	}
	size_t optlen = tcp_opts_fit(&o, TCP_OPTS_MAX_LEN);
	optlen = tcp_opts_write(optbuf, optlen, &o);
	uint32_t maxdata = t->mss_base > optlen ? t->mss_base - (uint32_t)optlen : 1;
	uint32_t nseg = 1;
	uint32_t segsz = maxdata;
	if (tso != NULL) {
		/* what the port accepts per resulting frame */
		uint32_t hdrs = RTE_ETHER_HDR_LEN + 20 + 20 + (uint32_t)optlen;
		if (tso->tso_frame_max > hdrs && tso->tso_frame_max - hdrs < segsz)
			segsz = tso->tso_frame_max - hdrs;
	}
	if (tso != NULL && len >= 2 * segsz) {
		/* IPv4 total length is 16 bits */
		uint32_t cap = UINT16_MAX - 20 - 20 - (uint32_t)optlen;
		cap = min32(min32(len, tso->tso_max), cap);
		nseg = cap / segsz;
		if (nseg >= 2) {
			maxdata = segsz;
			len = nseg * maxdata;
			thflags &= ~TH_FIN;   /* the caller sends it separately */
		} else {
			nseg = 1;
		}
	}
	if (nseg == 1 && len > maxdata) {
		len = maxdata;
		thflags &= ~TH_FIN;  /* the FIN follows the last byte only */
	}

	/* A segment without payload (ACK, RST, window update) may come from
	 * the reserve: ACKs are what frees the peer's and our buffers. */
	struct rte_mbuf *m = len == 0 ? tcp_alloc_ctl(t->te) : engine_alloc_mbuf(e);
	if (m == NULL) {
		CTR_INC(e, tcp_tx_nombuf);
		tcp_nobuf(t);
		return -ENOBUFS;
	}
	uint32_t hlen = 20 + (uint32_t)optlen;
	if (mbuf_grow(e, m, hlen + len) < 0) {
		rte_pktmbuf_free(m);
		CTR_INC(e, tcp_tx_nombuf);
		tcp_nobuf(t);
		return -ENOBUFS;
	}
	struct rte_tcp_hdr *th = rte_pktmbuf_mtod(m, struct rte_tcp_hdr *);
	th->src_port = t->lport;
	th->dst_port = t->rport;
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = (thflags & TH_ACK) ? rte_cpu_to_be_32(t->rcv_nxt) : 0;
	th->data_off = (uint8_t)((hlen / 4) << 4);
	if (len > 0 && seq + len == tcb_data_end(t))
		thflags |= TH_PSH;
	th->tcp_flags = thflags;
	if (thflags & TH_SYN) {
		uint32_t w = min32(tcb_rcv_space(t), 65535);
		th->rx_win = rte_cpu_to_be_16((uint16_t)w);
		if (t->state == TCPS_SYN_RECEIVED && SEQ_LT(t->rcv_adv, t->rcv_nxt + w))
			t->rcv_adv = t->rcv_nxt + w;
	} else
		th->rx_win = rte_cpu_to_be_16((uint16_t)tcp_rcv_window(t));
	th->cksum = 0;
	th->tcp_urp = 0;
	memcpy(th + 1, optbuf, optlen);
	if (len > 0)
		sndq_copy(t, seq, len, m, hlen);
	m->l4_len = (uint8_t)hlen;
	m->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM;
	if (nseg > 1) {
		/* ipv4_output() adds IPV4 | IP_CKSUM, the lengths and the
		 * pseudo-header sum without length (rte_ipv4_phdr_cksum) */
		m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
		m->tso_segsz = (uint16_t)maxdata;
		CTR_INC(e, tcp_tso_sends);
		CTR_ADD(e, tcp_tso_segs, nseg);
	}

	if (thflags & TH_ACK) {
		t->last_ack_sent = t->rcv_nxt;
		t->segs_unacked = 0;
		if (t->flags & TF_DELACK) {
			timer_cancel(&e->tw, &t->t_delack);
			t->flags &= ~TF_DELACK;
		}
		t->flags &= ~TF_ACKNOW;
	}
	t->segs_out += nseg;
	CTR_ADD(e, tcp_tx_segs, nseg);
	if (len > 0)
		t->last_tx_data = engine_now(e);
	int rc = ipv4_output(e, m, t->laddr, t->raddr, IPPROTO_TCP, IPV4_DEFAULT_TTL);
	if (rc < 0 && rc != -ENOBUFS)
		CTR_INC(e, tcp_tx_noroute);
	/* A segment lost below us is recovered like one lost on the wire. */
	return (int)len;
}

static int tcp_xmit(struct tcb *t, uint32_t seq, uint32_t len, uint8_t thflags)
{
	return tcp_xmit_tso(t, seq, len, thflags, NULL);
}

void tcp_send_syn(struct tcb *t)
{
	uint8_t fl = TH_SYN;
	if (t->state == TCPS_SYN_RECEIVED)
		fl |= TH_ACK;
	if (t->nrtx == 0) {
		t->rtt_timing = true;
		t->rtt_seq = t->iss;
		t->rtt_start = tcb_now(t);
	}
	tcp_xmit(t, t->iss, 0, fl);
	t->snd_nxt = t->iss + 1;
	if (SEQ_LT(t->snd_max, t->snd_nxt))
		t->snd_max = t->snd_nxt;
	if (!timer_armed(&t->t_rtx))
		tcp_rto_arm(t);
}

void tcp_send_ack(struct tcb *t)
{
	/* While probing a zero window, snd_max is one past the probe byte,
	 * which the peer did not take: an ACK there is out of its window
	 * and its window update is lost (BSD sends at snd_una then). */
	uint32_t seq = ((t->flags & TF_PERSIST) && t->snd_wnd == 0) ? t->snd_una : t->snd_max;
	tcp_xmit(t, seq, 0, TH_ACK);
}

void tcp_send_challenge_ack(struct tcb *t)
{
	struct tcp_engine *te = t->te;
	uint64_t now = tcb_now(t);
	if (now - te->chack_epoch >= NS_PER_S) {
		te->chack_epoch = now;
		te->chack_count = 0;
	}
	if (te->chack_count >= te->conf.challenge_ack_limit) {
		CTR_INC(te->e, tcp_challenge_ack_limited);
		return;
	}
	te->chack_count++;
	CTR_INC(te->e, tcp_challenge_ack);
	tcp_send_ack(t);
}

void tcp_send_rst_conn(struct tcb *t)
{
	CTR_INC(tcb_engine(t), tcp_tx_rst);
	tcp_xmit(t, t->snd_max, 0, TH_RST | TH_ACK);
}

void tcp_send_probe(struct tcb *t)
{
	tcp_xmit(t, t->snd_una - 1, 0, TH_ACK);
}

void tcp_send_zwp(struct tcb *t)
{
	uint32_t s0 = tcb_sndq_seq(t);
	if (t->sndq.bytes == 0 || SEQ_GT(t->snd_una, s0 + t->sndq.bytes - 1)) {
		tcp_send_probe(t);
		return;
	}
	if (tcp_xmit(t, t->snd_una, 1, TH_ACK) > 0) {
		if (SEQ_LT(t->snd_nxt, t->snd_una + 1))
			t->snd_nxt = t->snd_una + 1;
		if (SEQ_LT(t->snd_max, t->snd_nxt))
			t->snd_max = t->snd_nxt;
	}
}

void tcp_send_rst_reply(struct tcp_engine *te, uint32_t laddr, uint16_t lport, uint32_t raddr,
			uint16_t rport, bool has_ack, uint32_t seg_seq, uint32_t seg_ack,
			uint32_t seg_len)
{
	struct mpdk_engine *e = te->e;
	struct rte_mbuf *m = tcp_alloc_ctl(te);
	if (m == NULL) {
		CTR_INC(e, tcp_tx_nombuf);
		return;   /* the peer retransmits; we answer then */
	}
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)rte_pktmbuf_append(m, sizeof(*th));
	if (th == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	memset(th, 0, sizeof(*th));
	th->src_port = lport;
	th->dst_port = rport;
	th->data_off = 5 << 4;
	if (has_ack) {
		/* <SEQ=SEG.ACK><CTL=RST> */
		th->sent_seq = rte_cpu_to_be_32(seg_ack);
		th->tcp_flags = TH_RST;
	} else {
		/* <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> */
		th->recv_ack = rte_cpu_to_be_32(seg_seq + seg_len);
		th->tcp_flags = TH_RST | TH_ACK;
	}
	m->l4_len = sizeof(*th);
	m->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM;
	CTR_INC(e, tcp_tx_rst);
	CTR_INC(e, tcp_tx_segs);
	if (ipv4_output(e, m, laddr, raddr, IPPROTO_TCP, IPV4_DEFAULT_TTL) < 0)
		CTR_INC(e, tcp_tx_noroute);
}

uint32_t tcp_retransmit(struct tcb *t, uint32_t seq, uint32_t len)
{
	uint32_t end = tcb_data_end(t);
	uint8_t fl = TH_ACK;
	uint32_t dlen = SEQ_LT(seq, end) ? min32(len, end - seq) : 0;
	bool fin_sent = (t->flags & TF_FIN_QUEUED) && SEQ_GT(t->snd_max, end);
	if (fin_sent && seq + dlen == end && (dlen < len || dlen == 0))
		fl |= TH_FIN;
	if (dlen == 0 && !(fl & TH_FIN))
		return 0;
	int n = tcp_xmit(t, seq, dlen, fl);
	if (n < 0)
		return 0;
	t->retransmits++;
	CTR_INC(tcb_engine(t), tcp_retransmits);
	/* Karn: a timed segment that is retransmitted gives no sample. */
	if (t->rtt_timing && SEQ_GEQ(t->rtt_seq, seq) && SEQ_LT(t->rtt_seq, seq + (uint32_t)n + 1))
		t->rtt_timing = false;
	if (!timer_armed(&t->t_rtx) || (t->flags & TF_PERSIST))
		tcp_rto_arm(t);
	return (uint32_t)n + ((fl & TH_FIN) ? 1 : 0);
}

static bool fin_allowed(const struct tcb *t)
{
	return (t->flags & TF_FIN_QUEUED) &&
	       (t->state == TCPS_FIN_WAIT_1 || t->state == TCPS_CLOSING ||
		t->state == TCPS_LAST_ACK);
}

/* Send new (or, after an RTO, go-back-N) data from snd_nxt. Returns true
 * if something was sent. */
static bool output_window(struct tcb *t)
{
	uint32_t end = tcb_data_end(t);
	uint32_t cwnd = t->cc.c.cwnd;
	bool sent = false;

	/* RFC 5681 §4.1: restart from the initial window after an idle
	 * period longer than the RTO. */
	if (t->snd_una == t->snd_max && SEQ_LT(t->snd_nxt, end) && t->last_tx_data != 0 &&
	    tcb_now(t) - t->last_tx_data > (uint64_t)tcp_rto_current(t) * 1000) {
		tcp_cc_on_idle(&t->cc, tcb_now(t) / 1000);
		cwnd = t->cc.c.cwnd;
	}
	/* RFC 3042 §2: on the first and second duplicate ACK one new
	 * segment may go out if the receive window allows and the data
	 * outstanding stays within cwnd + 2*SMSS; cwnd itself is unchanged. */
	uint32_t lt_base = cwnd;
	bool lt = t->lt_ok && !t->in_recovery && t->snd_nxt == t->snd_max &&
		  !(t->flags & TF_RTO_RECOVERY);
	t->lt_ok = false;
	if (lt) {
		uint32_t extra = t->lt_bytes + t->mss;
		if (extra > 2 * t->mss)
			extra = 2 * t->mss;
		cwnd += extra;
	}
	const struct mpdk_port *tso = tcp_tso_port(t);
	for (;;) {
		uint32_t wnd = min32(t->snd_wnd, cwnd);
		uint32_t inflight = t->snd_nxt - t->snd_una;
		uint32_t usable = wnd > inflight ? wnd - inflight : 0;
		uint32_t avail = SEQ_GT(end, t->snd_nxt) ? end - t->snd_nxt : 0;
		uint32_t len = min32(min32(avail, usable), t->mss);
		bool fin = fin_allowed(t) && t->snd_nxt + len == end;
		bool rtx = SEQ_LT(t->snd_nxt, t->snd_max);

		if (len == 0 && !fin)
			break;
		if (len < t->mss && !fin && !rtx) {
			/* Nagle (RFC 9293 §3.7.4) and sender SWS avoidance
			 * (§3.8.6.2.1): a short segment goes out only when it
			 * empties the queue and nothing is unacknowledged (or
			 * Nagle is off), or it is at least half the largest
			 * window the peer offered. */
			bool idle = t->snd_max == t->snd_una;
			bool all = len == avail;
			if (!(all && (idle || (t->flags & TF_NODELAY))) &&
			    !(len > 0 && len >= t->max_sndwnd / 2))
				break;
			if (len == 0)
				break;
		}
		/* TSO: new data beyond one segment, up to what both windows
		 * allow, as one super-segment; the FIN, a short tail and
		 * retransmissions go as ordinary segments. */
		uint32_t tso_len = 0;
		if (tso != NULL && !rtx && len == t->mss) {
			uint32_t big = min32(min32(avail, usable), tso->tso_max);
			if (big >= 2 * t->mss)
				tso_len = big;
		}
		int n = tso_len != 0 ? tcp_xmit_tso(t, t->snd_nxt, tso_len, TH_ACK, tso)
				     : tcp_xmit(t, t->snd_nxt, len, TH_ACK | (fin ? TH_FIN : 0));
		if (n < 0)
			break;
		if (tso_len != 0 || (uint32_t)n < len)
			fin = false;
		if (rtx) {
			t->retransmits++;
			CTR_INC(tcb_engine(t), tcp_retransmits);
		} else if (!t->rtt_timing && n > 0) {
			t->rtt_timing = true;
			t->rtt_seq = t->snd_nxt;
			t->rtt_start = tcb_now(t);
		}
		t->snd_nxt += (uint32_t)n + (fin ? 1 : 0);
		if (SEQ_GT(t->snd_nxt, t->snd_max))
			t->snd_max = t->snd_nxt;
		t->flags |= TF_CC_LOCKED;
		if (!timer_armed(&t->t_rtx) || (t->flags & TF_PERSIST))
			tcp_rto_arm(t);
		sent = true;
		if (fin)
			break;
	}
	if (lt) {
		uint32_t out = t->snd_nxt - t->snd_una;
		if (out > lt_base && out - lt_base > t->lt_bytes) {
			CTR_INC(tcb_engine(t), tcp_limited_transmit);
			t->lt_bytes = out - lt_base;
		}
		cwnd = lt_base;
	}
	t->cc.c.cwnd_limited = (t->snd_nxt - t->snd_una) + t->mss > cwnd;
	return sent;
}

/* RFC 6675 §5 (C): while cwnd - pipe >= SMSS, send what NextSeg() says. */
static bool output_sack_recovery(struct tcb *t)
{
	uint32_t end = tcb_data_end(t);
	bool sent = false;

	for (int guard = 0; guard < 64; guard++) {
		uint32_t pipe = tcp_sack_pipe(&t->sb, t->snd_una, t->snd_max);
		if (t->cc.c.cwnd < pipe + t->mss)
			break;
		bool fin_unsent = fin_allowed(t) && t->snd_max == end;
		bool new_ok = (SEQ_LT(t->snd_max, end) || fin_unsent) &&
			      SEQ_LT(t->snd_max, t->snd_una + t->snd_wnd + (fin_unsent ? 1 : 0));
		uint32_t seq, len;
		enum tcp_sack_next k = tcp_sack_next_seg(&t->sb, t->snd_una, t->snd_max, new_ok, &seq, &len);
		if (k == TCP_SACK_NEXT_NONE)
			break;
		if (k == TCP_SACK_NEXT_NEW) {
			uint32_t avail = end - t->snd_max;
			uint32_t wleft = t->snd_una + t->snd_wnd - t->snd_max;
			uint32_t l = min32(min32(avail, wleft), t->mss);
			bool fin = fin_allowed(t) && t->snd_max + l == end;
			if (l == 0 && !fin)
				break;
			int n = tcp_xmit(t, t->snd_max, l, TH_ACK | (fin ? TH_FIN : 0));
			if (n < 0)
				break;
			if ((uint32_t)n < l)
				fin = false;
			t->snd_max += (uint32_t)n + (fin ? 1 : 0);
			t->snd_nxt = t->snd_max;
		} else {
			uint32_t n = tcp_retransmit(t, seq, len);
			if (n == 0)
				break;
			tcp_sack_mark_rxt(&t->sb, k, seq, n);
		}
		sent = true;
	}
	if (!timer_armed(&t->t_rtx) && t->snd_max != t->snd_una)
		tcp_rto_arm(t);
	return sent;
}

void tcp_output(struct tcb *t)
{
	switch (t->state) {
	case TCPS_CLOSED:
	case TCPS_LISTEN:
	case TCPS_SYN_SENT:
		return;
	case TCPS_SYN_RECEIVED:
	case TCPS_TIME_WAIT:
		if (t->flags & TF_ACKNOW)
			tcp_send_ack(t);
		return;
	default:
		break;
	}
	bool sent;
	if (t->in_recovery && (t->flags & TF_SACK_OK))
		sent = output_sack_recovery(t);
	else
		sent = output_window(t);

	/* Unsent data but no window, nothing in flight: probe (RFC 9293
	 * §3.8.6.1); this also covers a window too small for SWS rules. */
	uint32_t end = tcb_data_end(t);
	if ((SEQ_LT(t->snd_nxt, end) || (fin_allowed(t) && t->snd_max != end + 1)) &&
	    t->snd_max == t->snd_una && !timer_armed(&t->t_rtx))
		tcp_persist_arm(t);
	if (!sent && (t->flags & TF_ACKNOW))
		tcp_send_ack(t);
}

/* ---------------------------------------------------- pool exhaustion */

/*
 * When the mbuf pool runs dry the engine must not wedge (design.md:
 * "running out is a counted, reported condition"). Input needs no
 * allocation here (the port's rx owns its buffers), and processing ACKs
 * frees send-queue mbufs; what must not be lost is our side's duty to
 * speak again: an ACK or window update we could not send, data we could
 * not transmit with nothing in flight (no RTO armed), an application
 * send refused with -ENOBUFS (no ACK will bring a writable event). Each
 * such connection is flagged TF_NOBUF and the engine's t_nobuf timer
 * retries them every TCP_NOBUF_RETRY_NS until the pool has mbufs again.
 * ACK and RST segments draw on a small reserve when the pool is empty.
 */

static void reserve_fill(struct tcp_engine *te)
{
	while (te->n_reserve < TCP_CTL_RESERVE) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(te->e->stack->pool);
		if (m == NULL)
			break;
		te->ctl_reserve[te->n_reserve++] = m;
	}
}

struct rte_mbuf *tcp_alloc_ctl(struct tcp_engine *te)
{
	struct rte_mbuf *m = engine_alloc_mbuf(te->e);
	if (m != NULL || te->n_reserve == 0)
		return m;
	CTR_INC(te->e, tcp_ctl_reserve_used);
	m = te->ctl_reserve[--te->n_reserve];
	if (!timer_armed(&te->t_nobuf))
		timer_arm_in(&te->e->tw, &te->t_nobuf, TCP_NOBUF_RETRY_NS);
	return m;
}

bool tcp_mem_pressure(struct tcp_engine *te)
{
	uint64_t now = engine_now(te->e);
	if (now != te->mem_stamp || now == 0) {
		struct rte_mempool *p = te->e->stack->pool;
		uint32_t lim = p->size / 8 < 32 ? 32 : p->size / 8;
		unsigned avail = rte_mempool_avail_count(p);
		te->mem_stamp = now;
		te->mem_low = avail < lim;
		te->mem_crit = avail < lim / 2;
	}
	return te->mem_low;
}

void tcp_nobuf(struct tcb *t)
{
	struct tcp_engine *te = t->te;
	t->flags |= TF_NOBUF;
	if (!timer_armed(&te->t_nobuf))
		timer_arm_in(&te->e->tw, &te->t_nobuf, TCP_NOBUF_RETRY_NS);
}

static void nobuf_timer_cb(struct timer *tm, void *arg)
{
	struct tcp_engine *te = arg;
	(void)tm;
	/* still low: wait (the rx path and ACK processing refill it) */
	te->mem_stamp = 0;
	if (tcp_mem_pressure(te)) {
		timer_arm_in(&te->e->tw, &te->t_nobuf, TCP_NOBUF_RETRY_NS);
		return;
	}
	for (uint32_t i = 0; i < te->n_tcbs; i++) {
		struct tcb *t = &te->tcbs[i];
		if (!t->in_use || !(t->flags & TF_NOBUF))
			continue;
		t->flags &= ~TF_NOBUF;
		CTR_INC(te->e, tcp_nobuf_retry);
		if (t->flags & TF_WND_HELD) {
			t->flags &= ~TF_WND_HELD;
			t->flags |= TF_ACKNOW;   /* the window update */
		}
		if (t->mp != NULL) {
			mptcp_nobuf_retry(t);
			continue;
		}
		if ((t->flags & TF_WANT_WRITABLE) && t->sndq.bytes < t->sndbuf) {
			t->flags &= ~TF_WANT_WRITABLE;
			tcb_event(t, EV_WRITABLE);
		}
		tcp_output(t);
	}
	reserve_fill(te);
	/* somebody failed again (or the reserve is short): keep trying */
	if (te->n_reserve < TCP_CTL_RESERVE && !timer_armed(&te->t_nobuf))
		timer_arm_in(&te->e->tw, &te->t_nobuf, TCP_NOBUF_RETRY_NS);
}

void tcp_nobuf_init(struct tcp_engine *te)
{
	timer_init(&te->t_nobuf, nobuf_timer_cb, te);
	reserve_fill(te);
}

void tcp_nobuf_fini(struct tcp_engine *te)
{
	if (timer_armed(&te->t_nobuf))
		timer_cancel(&te->e->tw, &te->t_nobuf);
	while (te->n_reserve > 0)
		rte_pktmbuf_free(te->ctl_reserve[--te->n_reserve]);
}

/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_TEST_TCP_UTIL_H
#define MPDK_TEST_TCP_UTIL_H

/*
 * Helpers for the TCP engine unit tests: one harness stack (10.0.0.1) on a
 * virtual clock, and a scripted peer (10.0.0.2) whose segments the test
 * writes by hand and whose view of what the stack sent is parsed back.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_mbuf.h>
#include "harness.h"
#include "mpdk/mpdk.h"
#include "net/cksum.h"
#include "tcp/options.h"
#include "tcp/seq.h"

#define T_MS 1000000ull
#define T_S 1000000000ull
#define F_FIN RTE_TCP_FIN_FLAG
#define F_SYN RTE_TCP_SYN_FLAG
#define F_RST RTE_TCP_RST_FLAG
#define F_PSH RTE_TCP_PSH_FLAG
#define F_ACK RTE_TCP_ACK_FLAG

struct tout {
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t wnd;
	uint32_t len;
	struct tcp_opts o;
	uint8_t data[2048];
};

struct tt {
	struct harness *h;
	uint32_t us, peer;
	uint16_t uport, pport;          /* network order */
	struct rte_ether_addr peer_mac, our_mac;
	/* peer's options */
	bool peer_ts, peer_sack;
	int peer_ws;                    /* -1: not offered */
	uint16_t peer_mss;
	uint32_t ts_val, ts_ecr;
	/* peer's sequence state */
	uint32_t pseq;                  /* next sequence number the peer sends */
	uint32_t pack;                  /* what the peer acknowledges (our next) */
	uint32_t our_iss;
	/* events */
	mpdk_conn_t c, l;
	int n_accept, n_connected, n_readable, n_writable, n_closed;
	int closed_err;
	bool auto_accept;
};

static struct mpdk_tcp_conf tt_conf;

static inline uint32_t tt_ip(const char *s)
{
	struct in_addr a;
	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a.s_addr;
}

static inline void tt_tweak(struct mpdk_stack_conf *c)
{
	c->tcp = &tt_conf;
}

static inline void tt_on_accept(void *arg, mpdk_conn_t l)
{
	struct tt *t = arg;
	t->n_accept++;
	if (t->auto_accept) {
		mpdk_conn_t c;
		if (mpdk_accept(l, &c) == 0)
			t->c = c;
	}
}
static inline void tt_on_connected(void *arg, mpdk_conn_t c) { struct tt *t = arg; (void)c; t->n_connected++; }
static inline void tt_on_readable(void *arg, mpdk_conn_t c) { struct tt *t = arg; (void)c; t->n_readable++; }
static inline void tt_on_writable(void *arg, mpdk_conn_t c) { struct tt *t = arg; (void)c; t->n_writable++; }
static inline void tt_on_closed(void *arg, mpdk_conn_t c, int err)
{
	struct tt *t = arg;
	(void)c;
	t->n_closed++;
	t->closed_err = err;
}

static const struct mpdk_tcp_handler tt_handler = {
	.accept_ready = tt_on_accept,
	.connected = tt_on_connected,
	.readable = tt_on_readable,
	.writable = tt_on_writable,
	.closed = tt_on_closed,
};

/* Defaults for tt_conf: deterministic, small. Tests tweak before tt_new. */
static inline void tt_conf_reset(void)
{
	mpdk_tcp_conf_defaults(&tt_conf);
	tt_conf.max_conns = 64;
	tt_conf.time_wait_ms = 2000;
	tt_conf.rcvbuf = 65535;
	tt_conf.sndbuf = 65536;
}

static inline struct tt *tt_new(void)
{
	static const char *const addrs[] = { "0:10.0.0.1/24", NULL };
	struct tt *t = calloc(1, sizeof(*t));
	assert_non_null(t);
	t->h = harness_create(1, addrs, NULL, tt_tweak);
	assert_non_null(t->h);
	t->us = tt_ip("10.0.0.1");
	t->peer = tt_ip("10.0.0.2");
	t->uport = htons(80);
	t->pport = htons(40000);
	t->peer_mac = (struct rte_ether_addr){{0x02, 0xaa, 0, 0, 0, 2}};
	t->our_mac = (struct rte_ether_addr){{0x02, 0, 0, 0, 0, 1}};
	t->peer_ws = -1;
	t->peer_mss = 1460;
	t->ts_val = 5000;
	t->auto_accept = true;
	/* Teach the stack the peer's MAC: an ARP request for our address. */
	uint8_t buf[1600];
	static const struct rte_ether_addr zero, bc = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	size_t n = harness_build_arp(buf, RTE_ARP_OP_REQUEST, &t->peer_mac, t->peer, &zero, t->us, &bc);
	harness_inject(t->h, 0, buf, n);
	harness_poll(t->h);
	harness_clear_tx(t->h);
	return t;
}

static inline void tt_free(struct tt *t)
{
	harness_free(t->h);
	free(t);
}

/* Pop the next TCP segment the stack sent (skipping ARP). */
static inline bool tt_pop(struct tt *t, struct tout *s)
{
	struct rte_mbuf *m;
	harness_poll(t->h);
	while ((m = harness_pop_tx(t->h, 0)) != NULL) {
		uint8_t f[4096];
		uint32_t len = m->pkt_len;
		assert_true(len <= sizeof(f));
		const uint8_t *p = rte_pktmbuf_read(m, 0, len, f);
		if (p != f)
			memcpy(f, p, len);
		rte_pktmbuf_free(m);
		const struct rte_ether_hdr *eh = (const void *)f;
		if (eh->ether_type != htons(RTE_ETHER_TYPE_IPV4))
			continue;
		const struct rte_ipv4_hdr *ih = (const void *)(eh + 1);
		if (ih->next_proto_id != IPPROTO_TCP)
			continue;
		uint32_t ihl = (ih->version_ihl & 0xf) * 4u;
		uint32_t tl = ntohs(ih->total_length) - ihl;
		const struct rte_tcp_hdr *th = (const void *)((const uint8_t *)ih + ihl);
		/* the checksum the stack wrote must verify */
		uint32_t sum = cksum_pseudo_ipv4(ih->src_addr, ih->dst_addr, IPPROTO_TCP, (uint16_t)tl);
		sum = cksum_partial(th, tl, sum);
		assert_int_equal(cksum_finish(sum), 0);
		uint32_t hl = (th->data_off >> 4) * 4u;
		memset(s, 0, sizeof(*s));
		s->seq = ntohl(th->sent_seq);
		s->ack = ntohl(th->recv_ack);
		s->flags = th->tcp_flags;
		s->wnd = ntohs(th->rx_win);
		s->len = tl - hl;
		assert_int_equal(tcp_opts_parse((const uint8_t *)(th + 1), hl - 20, s->flags & F_SYN, &s->o), 0);
		if (s->len)
			memcpy(s->data, (const uint8_t *)th + hl, s->len < sizeof(s->data) ? s->len : sizeof(s->data));
		if (s->o.flags & TCP_OPT_F_TS)
			t->ts_ecr = s->o.ts_val;
		return true;
	}
	return false;
}

/* Pop and expect a segment with exactly these flags; returns it. */
static inline struct tout tt_expect(struct tt *t, uint8_t flags)
{
	struct tout s;
	assert_true(tt_pop(t, &s));
	if ((s.flags & ~F_PSH) != flags)
		fail_msg("expected flags 0x%x, got 0x%x (seq %u ack %u len %u)", flags, s.flags, s.seq,
			 s.ack, s.len);
	return s;
}

static inline void tt_expect_none(struct tt *t)
{
	struct tout s;
	if (tt_pop(t, &s))
		fail_msg("unexpected segment flags 0x%x seq %u ack %u len %u", s.flags, s.seq, s.ack,
			 s.len);
}

/* Inject a segment from the peer with explicit options. */
static inline void tt_send_raw(struct tt *t, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
			const struct tcp_opts *o, const void *data, size_t len)
{
	uint8_t seg[1600], frame[1700];
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)seg;
	size_t ol = 0;
	memset(th, 0, sizeof(*th));
	if (o != NULL)
		ol = tcp_opts_write(seg + sizeof(*th), TCP_OPTS_MAX_LEN, o);
	size_t hl = sizeof(*th) + ol;
	assert_true(hl + len <= sizeof(seg));
	th->src_port = t->pport;
	th->dst_port = t->uport;
	th->sent_seq = htonl(seq);
	th->recv_ack = htonl(ack);
	th->data_off = (uint8_t)((hl / 4) << 4);
	th->tcp_flags = flags;
	th->rx_win = htons(wnd);
	if (len)
		memcpy(seg + hl, data, len);
	uint32_t sum = cksum_pseudo_ipv4(t->peer, t->us, IPPROTO_TCP, (uint16_t)(hl + len));
	th->cksum = cksum_finish(cksum_partial(seg, hl + len, sum));
	size_t n = harness_build_ipv4(frame, &t->peer_mac, &t->our_mac, t->peer, t->us, IPPROTO_TCP,
				      seg, hl + len);
	harness_inject(t->h, 0, frame, n);
	harness_poll(t->h);
}

/* The peer's usual options for a segment (SYN: negotiation options). */
static inline struct tcp_opts tt_opts(struct tt *t, uint8_t flags)
{
	struct tcp_opts o;
	memset(&o, 0, sizeof(o));
	if (flags & F_SYN) {
		o.flags |= TCP_OPT_F_MSS;
		o.mss = t->peer_mss;
		if (t->peer_ws >= 0) {
			o.flags |= TCP_OPT_F_WSCALE;
			o.wscale = (uint8_t)t->peer_ws;
		}
		if (t->peer_sack)
			o.flags |= TCP_OPT_F_SACK_PERM;
	}
	if (t->peer_ts) {
		o.flags |= TCP_OPT_F_TS;
		o.ts_val = t->ts_val;
		o.ts_ecr = (flags & F_ACK) ? t->ts_ecr : 0;
	}
	return o;
}

/* Inject with the peer's usual options. */
static inline void tt_send(struct tt *t, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
		    const void *data, size_t len)
{
	struct tcp_opts o = tt_opts(t, flags);
	tt_send_raw(t, seq, ack, flags, wnd, &o, data, len);
}

/* Peer data at its current sequence number, acknowledging pack. */
static inline void tt_data(struct tt *t, const void *data, size_t len)
{
	tt_send(t, t->pseq, t->pack, F_ACK | F_PSH, 65535, data, len);
	t->pseq += (uint32_t)len;
}

static inline void tt_ack(struct tt *t, uint32_t ack, uint16_t wnd)
{
	tt_send(t, t->pseq, ack, F_ACK, wnd, NULL, 0);
}

/* Active open from the stack; the peer answers SYN-ACK. Leaves the
 * connection ESTABLISHED and the stack's ACK consumed. */
static inline void tt_active_open(struct tt *t)
{
	assert_int_equal(mpdk_connect(t->h->e, t->peer, t->pport, 0, t->uport, &tt_handler, t, &t->c), 0);
	struct tout s = tt_expect(t, F_SYN);
	t->our_iss = s.seq;
	t->pseq = 7000;
	t->pack = s.seq + 1;
	tt_send(t, t->pseq, t->pack, F_SYN | F_ACK, 65535, NULL, 0);
	t->pseq++;
	s = tt_expect(t, F_ACK);
	assert_int_equal(s.ack, t->pseq);
	assert_int_equal(t->n_connected, 1);
}

/* Passive open: listen on uport, the peer connects. */
static inline void tt_passive_open(struct tt *t)
{
	assert_int_equal(mpdk_listen(t->h->e, 0, t->uport, 8, &tt_handler, t, &t->l), 0);
	t->pseq = 9000;
	tt_send(t, t->pseq, 0, F_SYN, 65535, NULL, 0);
	t->pseq++;
	struct tout s = tt_expect(t, F_SYN | F_ACK);
	assert_int_equal(s.ack, t->pseq);
	t->our_iss = s.seq;
	t->pack = s.seq + 1;
	tt_ack(t, t->pack, 65535);
	assert_int_equal(t->n_accept, 1);
	assert_true(t->c != MPDK_CONN_INVALID);
}

static inline enum mpdk_tcp_state tt_state(struct tt *t)
{
	struct mpdk_conn_info i;
	if (mpdk_conn_info(t->c, &i) != 0)
		return (enum mpdk_tcp_state)-1;
	return i.state;
}

static inline struct mpdk_conn_info tt_info(struct tt *t)
{
	struct mpdk_conn_info i;
	assert_int_equal(mpdk_conn_info(t->c, &i), 0);
	return i;
}

#define tt_ctr(t, name) harness_ctr((t)->h, name)

#endif

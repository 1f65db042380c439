/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_MPTCP_TEST_UTIL_H
#define MPDK_MPTCP_TEST_UTIL_H

/*
 * Helpers for the MPTCP black-box tests (RFC 8684): one harness stack
 * (10.0.0.1, MPTCP on) on a virtual clock, and a scripted Linux-like peer
 * with two addresses (10.0.0.2, 10.0.0.3) whose segments, MPTCP options
 * included, the test writes byte by byte. What the stack sends is parsed
 * back with the TCP and MPTCP option codecs.
 *
 * The peer is "A" when the stack listens (it sends the SYN) and "B" when
 * the stack connects. Keys: peer_key is the test's, our_key the stack's
 * (learnt from its MP_CAPABLE). Subflow sequence numbers in DSS options
 * are relative to the sender's ISN (RFC 8684 §3.3.1): byte 1 is the first
 * data byte.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
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
#include "mptcp/options.h"
#include "mptcp/crypto.h"

#define T_MS 1000000ull
#define F_FIN RTE_TCP_FIN_FLAG
#define F_SYN RTE_TCP_SYN_FLAG
#define F_RST RTE_TCP_RST_FLAG
#define F_PSH RTE_TCP_PSH_FLAG
#define F_ACK RTE_TCP_ACK_FLAG

#define MT_FLOWS 3

/* One subflow as the peer sees it. */
struct mflow {
	uint32_t peer;         /* peer address, network order */
	uint16_t pport, uport; /* network order */
	uint32_t peer_isn;     /* peer's ISN: relative SSN base */
	uint32_t our_iss;      /* stack's ISN */
	uint32_t pseq;         /* peer's next sequence number */
	uint32_t pack;         /* what the peer acknowledges */
	uint16_t wnd;          /* window the peer advertises */
	uint32_t nonce_peer, nonce_us; /* MP_JOIN random numbers */
};

/* One segment the stack sent. */
struct mout {
	uint32_t src, dst;
	uint16_t sport, dport;  /* network order */
	int flow;               /* index of the matching mflow, -1 if none */
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t wnd;
	uint32_t len;
	struct tcp_opts o;
	uint8_t n_mp;
	struct mptcp_opt mp[TCP_OPTS_MAX_MPTCP];
	uint8_t mp_raw[TCP_OPTS_MAX_MPTCP][40];
	uint8_t mp_len[TCP_OPTS_MAX_MPTCP];
	uint8_t data[2048];
};

struct mt {
	struct harness *h;
	uint32_t us;
	struct rte_ether_addr peer_mac, our_mac;
	struct mflow f[MT_FLOWS];
	uint64_t peer_key, our_key;
	uint32_t peer_token, our_token;
	uint64_t peer_idsn, our_idsn;
	uint64_t pdsn;          /* peer's next DSN */
	uint64_t dack;          /* peer's DATA_ACK (stack's data sent) */
	mpdk_conn_t c, l;
	int n_accept, n_connected, n_readable, n_writable, n_closed;
	int closed_err;
	bool csum;              /* the peer asks for DSS checksums (flag A) */
	bool ts;                /* the peer uses timestamps (RFC 7323), as Linux */
	uint32_t ts_val, ts_ecr;
	uint32_t last_optlen;   /* TCP option bytes of the last popped segment */
};

static struct mpdk_tcp_conf mt_conf;
/* The test's stack, freed by mt_teardown when an assertion cut the test
 * short (cmocka longjmps out of it). */
static struct mt *mt_cur;
/* Give the stack a second address, 10.0.0.4 (before mt_new). */
static bool mt_two_local;

static inline uint32_t mt_ip(const char *s)
{
	struct in_addr a;
	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a.s_addr;
}

static inline void mt_tweak(struct mpdk_stack_conf *c) { c->tcp = &mt_conf; }

static inline void mt_on_accept(void *arg, mpdk_conn_t l)
{
	struct mt *t = arg;
	mpdk_conn_t c;
	t->n_accept++;
	if (mpdk_accept(l, &c) == 0)
		t->c = c;
}
static inline void mt_on_connected(void *arg, mpdk_conn_t c) { struct mt *t = arg; (void)c; t->n_connected++; }
static inline void mt_on_readable(void *arg, mpdk_conn_t c) { struct mt *t = arg; (void)c; t->n_readable++; }
static inline void mt_on_writable(void *arg, mpdk_conn_t c) { struct mt *t = arg; (void)c; t->n_writable++; }
static inline void mt_on_closed(void *arg, mpdk_conn_t c, int err)
{
	struct mt *t = arg;
	(void)c;
	t->n_closed++;
	t->closed_err = err;
}

static const struct mpdk_tcp_handler mt_handler = {
	.accept_ready = mt_on_accept,
	.connected = mt_on_connected,
	.readable = mt_on_readable,
	.writable = mt_on_writable,
	.closed = mt_on_closed,
};

/* Deterministic, small; every ACK at once so that tests can look at the
 * DATA_ACK after each segment. */
static inline void mt_conf_reset(void)
{
	mpdk_tcp_conf_defaults(&mt_conf);
	mt_conf.max_conns = 64;
	mt_conf.time_wait_ms = 2000;
	mt_conf.rcvbuf = 65535;
	mt_conf.sndbuf = 65536;
	mt_conf.no_delack = true;
	mt_two_local = false;
}

static inline void mt_arp(struct mt *t, uint32_t peer)
{
	uint8_t buf[1600];
	static const struct rte_ether_addr zero, bc = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	size_t n = harness_build_arp(buf, RTE_ARP_OP_REQUEST, &t->peer_mac, peer, &zero, t->us, &bc);
	harness_inject(t->h, 0, buf, n);
	harness_poll(t->h);
}

static inline struct mt *mt_new(void)
{
	static const char *const addrs[] = { "0:10.0.0.1/24", NULL };
	static const char *const addrs2[] = { "0:10.0.0.1/24", "0:10.0.0.4/24", NULL };
	struct mt *t = calloc(1, sizeof(*t));
	assert_non_null(t);
	t->h = harness_create(1, mt_two_local ? addrs2 : addrs, NULL, mt_tweak);
	assert_non_null(t->h);
	t->us = mt_ip("10.0.0.1");
	t->peer_mac = (struct rte_ether_addr){{0x02, 0xaa, 0, 0, 0, 2}};
	t->our_mac = (struct rte_ether_addr){{0x02, 0, 0, 0, 0, 1}};
	static const char *const peers[MT_FLOWS] = { "10.0.0.2", "10.0.0.3", "10.0.0.2" };
	for (int i = 0; i < MT_FLOWS; i++) {
		t->f[i].peer = mt_ip(peers[i]);
		t->f[i].pport = htons((uint16_t)(40000 + i));
		t->f[i].uport = htons(80);
		t->f[i].wnd = 65535;
		t->f[i].peer_isn = 1000000u * (uint32_t)(i + 1) + 17;
	}
	t->peer_key = 0x0102030405060708ull;
	mt_arp(t, mt_ip("10.0.0.2"));
	mt_arp(t, mt_ip("10.0.0.3"));
	harness_clear_tx(t->h);
	mt_cur = t;
	return t;
}

static inline void mt_free(struct mt *t)
{
	harness_free(t->h);
	free(t);
	mt_cur = NULL;
}

static inline int mt_teardown(void **state)
{
	(void)state;
	if (mt_cur != NULL)
		mt_free(mt_cur);
	return 0;
}

/* Pop the next TCP segment the stack sent (ARP skipped). Its MPTCP
 * options must parse. */
static inline bool mt_pop(struct mt *t, struct mout *s)
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
		uint32_t sum = cksum_pseudo_ipv4(ih->src_addr, ih->dst_addr, IPPROTO_TCP, (uint16_t)tl);
		sum = cksum_partial(th, tl, sum);
		assert_int_equal(cksum_finish(sum), 0);
		uint32_t hl = (th->data_off >> 4) * 4u;
		t->last_optlen = hl - 20;
		memset(s, 0, sizeof(*s));
		s->src = ih->src_addr;
		s->dst = ih->dst_addr;
		s->sport = th->src_port;
		s->dport = th->dst_port;
		s->flow = -1;
		for (int i = 0; i < MT_FLOWS; i++)
			if (t->f[i].peer == s->dst && t->f[i].pport == s->dport &&
			    t->f[i].uport == s->sport)
				s->flow = i;
		s->seq = ntohl(th->sent_seq);
		s->ack = ntohl(th->recv_ack);
		s->flags = th->tcp_flags;
		s->wnd = ntohs(th->rx_win);
		s->len = tl - hl;
		assert_int_equal(tcp_opts_parse((const uint8_t *)(th + 1), hl - 20, s->flags & F_SYN, &s->o), 0);
		if (s->o.flags & TCP_OPT_F_TS)
			t->ts_ecr = s->o.ts_val;
		s->n_mp = s->o.n_mptcp;
		for (unsigned i = 0; i < s->o.n_mptcp; i++) {
			s->mp_len[i] = s->o.mptcp[i].len;
			memcpy(s->mp_raw[i], s->o.mptcp[i].p, s->o.mptcp[i].len);
			s->o.mptcp[i].p = s->mp_raw[i];
			int rc = mptcp_opt_parse(s->mp_raw[i], s->mp_len[i], s->flags, &s->mp[i]);
			if (rc != 0)
				fail_msg("stack sent an MPTCP option that does not parse (%d)", rc);
		}
		if (s->len)
			memcpy(s->data, (const uint8_t *)th + hl, s->len < sizeof(s->data) ? s->len : sizeof(s->data));
		return true;
	}
	return false;
}

static inline const char *mt_flags_str(uint8_t f, char *b)
{
	b[0] = 0;
	if (f & F_SYN) strcat(b, "S");
	if (f & F_ACK) strcat(b, "A");
	if (f & F_FIN) strcat(b, "F");
	if (f & F_RST) strcat(b, "R");
	if (f & F_PSH) strcat(b, "P");
	return b;
}

/* Pop and expect a segment on flow @k with exactly @flags (PSH ignored). */
static inline struct mout mt_expect(struct mt *t, int k, uint8_t flags)
{
	struct mout s;
	char b1[8], b2[8];
	if (!mt_pop(t, &s))
		fail_msg("expected a segment %s on flow %d, got none", mt_flags_str(flags, b1), k);
	if ((s.flags & ~F_PSH) != flags || s.flow != k)
		fail_msg("expected %s on flow %d, got %s on flow %d (seq %u ack %u len %u)",
			 mt_flags_str(flags, b1), k, mt_flags_str(s.flags, b2), s.flow, s.seq, s.ack,
			 s.len);
	return s;
}

static inline void mt_expect_none(struct mt *t)
{
	struct mout s;
	char b[8];
	if (mt_pop(t, &s))
		fail_msg("unexpected segment %s on flow %d seq %u ack %u len %u",
			 mt_flags_str(s.flags, b), s.flow, s.seq, s.ack, s.len);
}

/* The first MPTCP option of @subtype in @s, or NULL. */
static inline const struct mptcp_opt *mt_opt(const struct mout *s, enum mptcp_subtype subtype)
{
	for (unsigned i = 0; i < s->n_mp; i++)
		if (s->mp[i].subtype == subtype)
			return &s->mp[i];
	return NULL;
}
static inline int mt_opt_idx(const struct mout *s, enum mptcp_subtype subtype)
{
	for (unsigned i = 0; i < s->n_mp; i++)
		if (s->mp[i].subtype == subtype)
			return (int)i;
	return -1;
}

/* The DSS of @s (must be there). */
static inline struct mptcp_opt_dss mt_dss_of(const struct mout *s)
{
	const struct mptcp_opt *o = mt_opt(s, MPTCP_SUB_DSS);
	if (o == NULL)
		fail_msg("segment seq %u len %u has no DSS", s->seq, s->len);
	return o->dss;
}

/* Inject a segment on flow @k with MPTCP options @mo[0..n). The peer
 * offers MSS 1460 on SYNs, nothing else. */
static inline void mt_send_raw(struct mt *t, int k, uint32_t seq, uint32_t ack, uint8_t flags,
			       const struct mptcp_opt *mo, unsigned n, const void *data, size_t len)
{
	struct mflow *f = &t->f[k];
	uint8_t seg[1700], frame[1800], mpbuf[TCP_OPTS_MAX_MPTCP][40];
	struct tcp_opts o;
	memset(&o, 0, sizeof(o));
	if (flags & F_SYN) {
		o.flags |= TCP_OPT_F_MSS;
		o.mss = 1460;
	}
	if (t->ts) {
		o.flags |= TCP_OPT_F_TS;
		o.ts_val = ++t->ts_val;
		o.ts_ecr = (flags & F_ACK) ? t->ts_ecr : 0;
	}
	assert_true(n <= TCP_OPTS_MAX_MPTCP);
	for (unsigned i = 0; i < n; i++) {
		size_t w = mptcp_opt_write(mpbuf[i], 40, &mo[i]);
		assert_true(w > 0);
		o.mptcp[i].p = mpbuf[i];
		o.mptcp[i].len = (uint8_t)w;
		o.n_mptcp++;
		o.flags |= TCP_OPT_F_MPTCP;
	}
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)seg;
	memset(th, 0, sizeof(*th));
	size_t ol = tcp_opts_write(seg + sizeof(*th), TCP_OPTS_MAX_LEN, &o);
	assert_int_equal(tcp_opts_len(&o, TCP_OPTS_MAX_LEN), ol);
	size_t hl = sizeof(*th) + ol;
	assert_true(hl + len <= sizeof(seg));
	th->src_port = f->pport;
	th->dst_port = f->uport;
	th->sent_seq = htonl(seq);
	th->recv_ack = htonl(ack);
	th->data_off = (uint8_t)((hl / 4) << 4);
	th->tcp_flags = flags;
	th->rx_win = htons(f->wnd);
	if (len)
		memcpy(seg + hl, data, len);
	uint32_t sum = cksum_pseudo_ipv4(f->peer, t->us, IPPROTO_TCP, (uint16_t)(hl + len));
	th->cksum = cksum_finish(cksum_partial(seg, hl + len, sum));
	size_t fl = harness_build_ipv4(frame, &t->peer_mac, &t->our_mac, f->peer, t->us, IPPROTO_TCP,
				       seg, hl + len);
	harness_inject(t->h, 0, frame, fl);
	harness_poll(t->h);
}

/* A DSS option: DATA_ACK (64-bit) of t->dack if @ack, a mapping if
 * @map_len > 0 (or @fin). */
static inline struct mptcp_opt mt_dss(struct mt *t, bool ack, uint64_t dsn, bool dsn64, uint32_t ssn,
				      uint16_t map_len, bool fin)
{
	struct mptcp_opt o;
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_DSS;
	o.dss.has_ack = ack;
	o.dss.ack64 = true;
	o.dss.data_ack = t->dack;
	if (map_len > 0 || fin) {
		o.dss.has_map = true;
		o.dss.dsn64 = dsn64;
		o.dss.dsn = dsn64 ? dsn : (uint32_t)dsn;
		o.dss.ssn = ssn;
		o.dss.data_len = (uint16_t)(map_len + (fin ? 1 : 0));
		o.dss.data_fin = fin;
	}
	return o;
}

/* Peer data at DSN @dsn on flow @k, at subflow sequence f->pseq, with a
 * mapping that covers exactly this segment (as Linux sends it). Does not
 * move t->pdsn. */
static inline void mt_data_at(struct mt *t, int k, uint64_t dsn, const void *data, uint16_t len)
{
	struct mflow *f = &t->f[k];
	struct mptcp_opt o = mt_dss(t, true, dsn, true, f->pseq - f->peer_isn, len, false);
	mt_send_raw(t, k, f->pseq, f->pack, F_ACK | F_PSH, &o, 1, data, len);
	f->pseq += len;
}

/* Peer data in DSN order on flow @k. */
static inline void mt_data(struct mt *t, int k, const void *data, uint16_t len)
{
	mt_data_at(t, k, t->pdsn, data, len);
	t->pdsn += len;
}

/* A pure ACK on flow @k carrying DATA_ACK t->dack (64-bit). */
static inline void mt_ack(struct mt *t, int k)
{
	struct mflow *f = &t->f[k];
	struct mptcp_opt o = mt_dss(t, true, 0, true, 0, 0, false);
	mt_send_raw(t, k, f->pseq, f->pack, F_ACK, &o, 1, NULL, 0);
}

static inline struct mptcp_opt mt_mpc(enum mptcp_cap_form form, uint64_t snd_key, uint64_t rcv_key)
{
	struct mptcp_opt o;
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_CAPABLE;
	o.mpc.form = form;
	o.mpc.version = MPTCP_VERSION;
	o.mpc.flags = MPTCP_CAP_H_HMAC_SHA256;
	o.mpc.snd_key = snd_key;
	o.mpc.rcv_key = rcv_key;
	return o;
}

static inline void mt_keys(struct mt *t)
{
	mptcp_key_sha(t->peer_key, &t->peer_token, &t->peer_idsn);
	mptcp_key_sha(t->our_key, &t->our_token, &t->our_idsn);
	t->pdsn = t->peer_idsn + 1;
	t->dack = t->our_idsn + 1;
}

/* The stack listens on :80; the peer (A, flow 0) opens with MP_CAPABLE v1
 * (§3.1): SYN (no key) -> SYN/ACK (Key-B) -> ACK (Key-A, Key-B). Leaves
 * the connection accepted in t->c. */
static inline void mt_server_open(struct mt *t)
{
	struct mflow *f = &t->f[0];
	assert_int_equal(mpdk_listen(t->h->e, 0, f->uport, 8, &mt_handler, t, &t->l), 0);
	struct mptcp_opt o = mt_mpc(MPTCP_CAP_SYN, 0, 0);
	if (t->csum)
		o.mpc.flags |= MPTCP_CAP_A_CHECKSUM;
	f->pseq = f->peer_isn;
	mt_send_raw(t, 0, f->pseq, 0, F_SYN, &o, 1, NULL, 0);
	f->pseq++;
	struct mout s = mt_expect(t, 0, F_SYN | F_ACK);
	assert_int_equal(s.ack, f->pseq);
	const struct mptcp_opt *mpc = mt_opt(&s, MPTCP_SUB_CAPABLE);
	assert_non_null(mpc);
	assert_int_equal(mpc->mpc.form, MPTCP_CAP_SYNACK);
	t->our_key = mpc->mpc.snd_key;
	f->our_iss = s.seq;
	f->pack = s.seq + 1;
	mt_keys(t);
	o = mt_mpc(MPTCP_CAP_ACK, t->peer_key, t->our_key);
	if (t->csum)
		o.mpc.flags |= MPTCP_CAP_A_CHECKSUM;
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, NULL, 0);
	assert_int_equal(t->n_accept, 1);
	assert_true(t->c != MPDK_CONN_INVALID);
}

/* mpdk_connect to the peer (B, flow 0), SYN/ACK with Key-B, the third ACK
 * consumed. */
static inline void mt_client_open(struct mt *t)
{
	struct mflow *f = &t->f[0];
	f->uport = htons(50000);
	f->pport = htons(80);
	assert_int_equal(mpdk_connect(t->h->e, f->peer, f->pport, 0, f->uport, &mt_handler, t, &t->c), 0);
	struct mout s = mt_expect(t, 0, F_SYN);
	const struct mptcp_opt *mpc = mt_opt(&s, MPTCP_SUB_CAPABLE);
	assert_non_null(mpc);
	assert_int_equal(mpc->mpc.form, MPTCP_CAP_SYN);
	f->our_iss = s.seq;
	f->pack = s.seq + 1;
	f->pseq = f->peer_isn;
	struct mptcp_opt o = mt_mpc(MPTCP_CAP_SYNACK, t->peer_key, 0);
	mt_send_raw(t, 0, f->pseq, f->pack, F_SYN | F_ACK, &o, 1, NULL, 0);
	f->pseq++;
	s = mt_expect(t, 0, F_ACK);
	mpc = mt_opt(&s, MPTCP_SUB_CAPABLE);
	assert_non_null(mpc);
	assert_int_equal(mpc->mpc.form, MPTCP_CAP_ACK);
	t->our_key = mpc->mpc.snd_key;
	mt_keys(t);
	assert_int_equal(t->n_connected, 1);
}

/* MP_JOIN (§3.2) of flow @k to the connection, the peer initiating:
 * SYN (token, R-A) -> SYN/ACK (truncated HMAC-B, R-B), checked -> ACK
 * (HMAC-A) -> the stack's fourth ACK. */
static inline void mt_join(struct mt *t, int k, uint8_t addr_id)
{
	struct mflow *f = &t->f[k];
	struct mptcp_opt o;
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_JOIN;
	o.mpj.form = MPTCP_JOIN_SYN;
	o.mpj.addr_id = addr_id;
	o.mpj.token = t->our_token;
	f->nonce_peer = 0x5a5a0000u + (uint32_t)k;
	o.mpj.nonce = f->nonce_peer;
	f->pseq = f->peer_isn;
	mt_send_raw(t, k, f->pseq, 0, F_SYN, &o, 1, NULL, 0);
	f->pseq++;
	struct mout s = mt_expect(t, k, F_SYN | F_ACK);
	assert_int_equal(s.ack, f->pseq);
	const struct mptcp_opt *j = mt_opt(&s, MPTCP_SUB_JOIN);
	assert_non_null(j);
	assert_int_equal(j->mpj.form, MPTCP_JOIN_SYNACK);
	f->nonce_us = j->mpj.nonce;
	f->our_iss = s.seq;
	f->pack = s.seq + 1;
	uint8_t h[MPTCP_HMAC_LEN];
	/* B's HMAC: Key-B || Key-A, R-B || R-A; leftmost 64 bits */
	mptcp_join_hmac(t->our_key, t->peer_key, f->nonce_us, f->nonce_peer, h);
	assert_true(j->mpj.thmac == mptcp_join_thmac(h));
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_JOIN;
	o.mpj.form = MPTCP_JOIN_ACK;
	mptcp_join_hmac(t->peer_key, t->our_key, f->nonce_peer, f->nonce_us, h);
	memcpy(o.mpj.hmac, h, MPTCP_JOIN_ACK_HMAC_LEN);
	mt_send_raw(t, k, f->pseq, f->pack, F_ACK, &o, 1, NULL, 0);
	s = mt_expect(t, k, F_ACK);
	assert_int_equal(s.ack, f->pseq);
	/* the fourth ACK: Linux's initiator counts the join done (and stops
	 * resending its third ACK) on a DSS carrying a DATA_ACK */
	const struct mptcp_opt *x = mt_opt(&s, MPTCP_SUB_DSS);
	assert_non_null(x);
	assert_true(x->dss.has_ack);
}

/* Read everything readable into @buf (at most @cap). *@eof set when
 * mpdk_recv returned 0. */
static inline size_t mt_read(struct mt *t, uint8_t *buf, size_t cap, bool *eof)
{
	size_t got = 0;
	*eof = false;
	for (;;) {
		ssize_t r = mpdk_recv(t->c, buf + got, cap - got);
		if (r == 0) {
			*eof = true;
			break;
		}
		if (r < 0) {
			assert_int_equal(r, -EAGAIN);
			break;
		}
		got += (size_t)r;
		if (got == cap)
			break;
	}
	return got;
}

/* Drain what the stack sent; return the highest DATA_ACK (low 32 bits,
 * relative to t->peer_idsn + 1) seen in DSS options, or -1 if none. */
static inline int64_t mt_drain_dack(struct mt *t)
{
	struct mout s;
	int64_t best = -1;
	while (mt_pop(t, &s)) {
		const struct mptcp_opt *d = mt_opt(&s, MPTCP_SUB_DSS);
		if (d == NULL || !d->dss.has_ack)
			continue;
		uint32_t rel = (uint32_t)d->dss.data_ack - (uint32_t)(t->peer_idsn + 1);
		if ((int64_t)rel > best)
			best = rel;
	}
	return best;
}

static inline struct mpdk_conn_info mt_info(struct mt *t)
{
	struct mpdk_conn_info i;
	assert_int_equal(mpdk_conn_info(t->c, &i), 0);
	return i;
}

#define mt_ctr(t, name) harness_ctr((t)->h, name)

static inline void mt_pattern(uint8_t *b, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)((i * 131u + seed * 7u + (i >> 8)) & 0xff);
}

#endif

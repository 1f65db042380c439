/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Issue 5, "Done means", first attack: an eavesdropper in the initial
 * handshake later joins from its own address. Two mpdk stacks on a
 * virtual clock; path 1 between them runs through a passive tap (two
 * simlinks bridged by the test) that reads every frame; the attacker E
 * owns a third link to B and speaks raw frames.
 *
 *   A 10.1.0.1 --link--> [tap] --link--> 10.1.0.2 B 10.3.0.2 <--link-- E 10.3.0.1
 *
 * E learns what the MP_CAPABLE exchange showed (keys in rfc8684 mode,
 * tokens in app mode: docs/security.md "Application-supplied keys"), then
 * opens an MP_JOIN from 10.3.0.1 with the token it saw and answers B's
 * SYN/ACK with the HMAC-A it can compute (RFC 8684 §3.2).
 *   rfc8684: it read Key-A and Key-B, so its join is accepted (the known
 *            weakness, asserted as such);
 *   app:     the keys came from the application (set on both ends after
 *            the handshake) and never crossed the tap (the test scans
 *            every byte for them); E's HMAC-A fails (counted, RST) and the
 *            connection carries on intact. Seeds: tls-authentication-
 *            draft.txt section 3 (no session hijack by an interceptor of
 *            the initial handshake), app-auth-handshake-slides.txt
 *            ("Prevents hijacking attacks on MPTCP").
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <setjmp.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "harness.h"
#include "mpdk/mpdk.h"
#include "core/clock.h"
#include "core/engine.h"
#include "drivers/port.h"
#include "net/cksum.h"
#include "tcp/options.h"
#include "mptcp/options.h"
#include "mptcp/crypto.h"

#define SEC 1000000000ull
#define MSEC 1000000ull
#define STEP_NS (100 * 1000ull)
#define PORT_SRV 5001
#define CAP_MAX 4096

static struct rte_mempool *pool;

/* What the tap saw. */
struct seen {
	bool key_a_seen, key_b_seen, token_a_seen, token_b_seen;
	uint64_t key_a, key_b;
	uint32_t token_a, token_b;
	unsigned n_mpc;
	/* every TCP segment that crossed path 1, for the key scan */
	uint8_t (*frames)[1600];
	uint16_t *flen;
	unsigned n_frames;
};

struct world {
	struct mpdk_clock *clock;
	struct mpdk_port *a1, *t1a, *t1b, *b1, *e3, *b3;
	struct mpdk_stack *sa, *sb;
	struct mpdk_engine *ea, *eb;
	struct seen tap;
	/* attacker E */
	struct rte_ether_addr e_mac, b_mac;
	bool b_mac_known;
	uint32_t e_ip, b3_ip;
	bool synack_seen, rst_seen;
	uint32_t b_iss, b_nonce;
	uint64_t b_thmac;
	/* the connection */
	mpdk_conn_t ca, cb, l;
};

static uint32_t ip(const char *s)
{
	struct in_addr a;
	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/* ---- the tap on path 1 ---- */

static void tap_inspect(struct seen *s, const uint8_t *f, uint32_t len)
{
	if (len > 1600 || len < sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr))
		return;
	const struct rte_ether_hdr *eh = (const void *)f;
	if (eh->ether_type != htons(RTE_ETHER_TYPE_IPV4))
		return;
	const struct rte_ipv4_hdr *ih = (const void *)(eh + 1);
	if (ih->next_proto_id != IPPROTO_TCP)
		return;
	if (s->n_frames < CAP_MAX) {
		memcpy(s->frames[s->n_frames], f, len);
		s->flen[s->n_frames++] = (uint16_t)len;
	}
	uint32_t ihl = (ih->version_ihl & 0xf) * 4u;
	const struct rte_tcp_hdr *th = (const void *)((const uint8_t *)ih + ihl);
	uint32_t hl = (th->data_off >> 4) * 4u;
	struct tcp_opts o;
	if (hl < 20 || tcp_opts_parse((const uint8_t *)(th + 1), hl - 20, th->tcp_flags & RTE_TCP_SYN_FLAG,
				      &o) != 0)
		return;
	for (unsigned i = 0; i < o.n_mptcp; i++) {
		struct mptcp_opt m;
		if (mptcp_opt_parse(o.mptcp[i].p, o.mptcp[i].len, th->tcp_flags, &m) != 0 ||
		    m.subtype != MPTCP_SUB_CAPABLE)
			continue;
		s->n_mpc++;
		switch (m.mpc.form) {
		case MPTCP_CAP_SYNACK:
			s->key_b = m.mpc.snd_key;
			s->key_b_seen = true;
			break;
		case MPTCP_CAP_ACK:
		case MPTCP_CAP_ACK_DATA:
			s->key_a = m.mpc.snd_key;
			s->key_b = m.mpc.rcv_key;
			s->key_a_seen = s->key_b_seen = true;
			break;
		case MPTCP_CAP_APP_SYNACK:
			s->token_b = m.mpc.snd_token;
			s->token_b_seen = true;
			break;
		case MPTCP_CAP_APP_ACK:
		case MPTCP_CAP_APP_ACK_DATA:
			s->token_a = m.mpc.snd_token;
			s->token_b = m.mpc.rcv_token;
			s->token_a_seen = s->token_b_seen = true;
			break;
		default:
			break;
		}
	}
}

static unsigned tap_forward(struct world *w, struct mpdk_port *from, struct mpdk_port *to)
{
	struct rte_mbuf *m[32];
	uint16_t n = port_rx_burst(from, 0, m, 32);
	for (uint16_t i = 0; i < n; i++) {
		uint8_t buf[1600];
		uint32_t len = m[i]->pkt_len;
		if (len <= sizeof(buf)) {
			const uint8_t *p = rte_pktmbuf_read(m[i], 0, len, buf);
			tap_inspect(&w->tap, p, len);
		}
		if (port_tx_burst(to, 0, &m[i], 1) != 1)
			rte_pktmbuf_free(m[i]);
	}
	return n;
}

/* Did the 8 big-endian bytes of @key cross the tap anywhere? */
static bool tap_saw_bytes(const struct seen *s, uint64_t key)
{
	uint8_t k[8];
	for (int i = 0; i < 8; i++)
		k[i] = (uint8_t)(key >> (56 - 8 * i));
	for (unsigned f = 0; f < s->n_frames; f++)
		for (unsigned i = 0; i + 8 <= s->flen[f]; i++)
			if (memcmp(s->frames[f] + i, k, 8) == 0)
				return true;
	return false;
}

/* ---- attacker E: raw frames on link 3 ---- */

static void e_tx(struct world *w, const uint8_t *frame, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	assert_non_null(m);
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	assert_non_null(p);
	memcpy(p, frame, len);
	if (port_tx_burst(w->e3, 0, &m, 1) != 1)
		rte_pktmbuf_free(m);
}

static void e_tcp(struct world *w, uint32_t seq, uint32_t ack, uint8_t flags, const struct mptcp_opt *mo)
{
	uint8_t seg[120], frame[1600], mpbuf[40];
	struct tcp_opts o;
	memset(&o, 0, sizeof(o));
	if (flags & RTE_TCP_SYN_FLAG) {
		o.flags |= TCP_OPT_F_MSS;
		o.mss = 1460;
	}
	size_t mw = mptcp_opt_write(mpbuf, sizeof(mpbuf), mo);
	assert_true(mw > 0);
	o.mptcp[0].p = mpbuf;
	o.mptcp[0].len = (uint8_t)mw;
	o.n_mptcp = 1;
	o.flags |= TCP_OPT_F_MPTCP;
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)seg;
	memset(seg, 0, sizeof(seg));
	size_t ol = tcp_opts_write(seg + sizeof(*th), TCP_OPTS_MAX_LEN, &o);
	size_t hl = sizeof(*th) + ol;
	th->src_port = htons(40123);
	th->dst_port = htons(PORT_SRV);
	th->sent_seq = htonl(seq);
	th->recv_ack = htonl(ack);
	th->data_off = (uint8_t)((hl / 4) << 4);
	th->tcp_flags = flags;
	th->rx_win = htons(65535);
	th->cksum = cksum_finish(cksum_partial(seg, hl, cksum_pseudo_ipv4(w->e_ip, w->b3_ip,
									  IPPROTO_TCP, (uint16_t)hl)));
	size_t fl = harness_build_ipv4(frame, &w->e_mac, &w->b_mac, w->e_ip, w->b3_ip, IPPROTO_TCP,
				       seg, hl);
	e_tx(w, frame, fl);
}

/* E's receive side: answer B's ARP, learn B's MAC, catch the SYN/ACK. */
static unsigned e_rx(struct world *w)
{
	struct rte_mbuf *m[32];
	uint16_t n = port_rx_burst(w->e3, 0, m, 32);
	for (uint16_t i = 0; i < n; i++) {
		uint8_t buf[1600];
		uint32_t len = m[i]->pkt_len < sizeof(buf) ? m[i]->pkt_len : sizeof(buf);
		const uint8_t *f = rte_pktmbuf_read(m[i], 0, len, buf);
		const struct rte_ether_hdr *eh = (const void *)f;
		if (eh->ether_type == htons(RTE_ETHER_TYPE_ARP)) {
			const struct rte_arp_hdr *ah = (const void *)(eh + 1);
			if (ah->arp_data.arp_sip == w->b3_ip) {
				w->b_mac = ah->arp_data.arp_sha;
				w->b_mac_known = true;
			}
			if (ah->arp_opcode == htons(RTE_ARP_OP_REQUEST) && ah->arp_data.arp_tip == w->e_ip) {
				uint8_t r[1600];
				size_t rl = harness_build_arp(r, RTE_ARP_OP_REPLY, &w->e_mac, w->e_ip,
							      &ah->arp_data.arp_sha, ah->arp_data.arp_sip,
							      &ah->arp_data.arp_sha);
				e_tx(w, r, rl);
			}
		} else if (eh->ether_type == htons(RTE_ETHER_TYPE_IPV4)) {
			const struct rte_ipv4_hdr *ih = (const void *)(eh + 1);
			const struct rte_tcp_hdr *th =
				(const void *)((const uint8_t *)ih + (ih->version_ihl & 0xf) * 4u);
			if (ih->next_proto_id == IPPROTO_TCP) {
				if (th->tcp_flags & RTE_TCP_RST_FLAG)
					w->rst_seen = true;
				uint32_t hl = (th->data_off >> 4) * 4u;
				struct tcp_opts o;
				if ((th->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) ==
					    (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG) &&
				    tcp_opts_parse((const uint8_t *)(th + 1), hl - 20, true, &o) == 0) {
					for (unsigned k = 0; k < o.n_mptcp; k++) {
						struct mptcp_opt mo;
						if (mptcp_opt_parse(o.mptcp[k].p, o.mptcp[k].len, th->tcp_flags,
								    &mo) == 0 &&
						    mo.subtype == MPTCP_SUB_JOIN &&
						    mo.mpj.form == MPTCP_JOIN_SYNACK) {
							w->synack_seen = true;
							w->b_iss = ntohl(th->sent_seq);
							w->b_nonce = mo.mpj.nonce;
							w->b_thmac = mo.mpj.thmac;
						}
					}
				}
			}
		}
		rte_pktmbuf_free(m[i]);
	}
	return n;
}

/* ---- the world ---- */

static void poll_idle(struct world *w)
{
	for (unsigned i = 0; i < 100000; i++) {
		unsigned n = (unsigned)mpdk_engine_poll(w->ea);
		n += (unsigned)mpdk_engine_poll(w->eb);
		n += tap_forward(w, w->t1a, w->t1b);
		n += tap_forward(w, w->t1b, w->t1a);
		n += e_rx(w);
		if (n == 0)
			return;
	}
	fail_msg("never idle");
}

static void run_for(struct world *w, uint64_t ns)
{
	for (uint64_t t = 0; t < ns; t += STEP_NS) {
		mpdk_clock_advance(w->clock, STEP_NS);
		poll_idle(w);
	}
}

static void on_accept(void *arg, mpdk_conn_t l)
{
	struct world *w = arg;
	mpdk_conn_t c;
	if (mpdk_accept(l, &c) == 0)
		w->cb = c;
}
static const struct mpdk_tcp_handler srv_h = { .accept_ready = on_accept };
static const struct mpdk_tcp_handler cli_h = { 0 };

static struct world *world_create(uint8_t key_mode)
{
	struct world *w = calloc(1, sizeof(*w));
	assert_non_null(w);
	w->tap.frames = calloc(CAP_MAX, sizeof(*w->tap.frames));
	w->tap.flen = calloc(CAP_MAX, sizeof(*w->tap.flen));
	assert_non_null(w->tap.frames);
	assert_non_null(w->tap.flen);
	w->clock = mpdk_clock_create_virtual(SEC);
	struct mpdk_simlink_dir d = { .delay_ns = 1 * MSEC };
	struct mpdk_simlink_conf lc = { .a_to_b = d, .b_to_a = d, .seed = 1, .clock = w->clock,
					.pool = pool };
	assert_int_equal(mpdk_simlink_create(&lc, &w->a1, &w->t1a), 0);
	lc.seed = 2;
	assert_int_equal(mpdk_simlink_create(&lc, &w->t1b, &w->b1), 0);
	lc.seed = 3;
	assert_int_equal(mpdk_simlink_create(&lc, &w->e3, &w->b3), 0);
	static struct mpdk_tcp_conf tc;
	mpdk_tcp_conf_defaults(&tc);
	tc.mptcp.key_mode = key_mode;
	tc.mptcp.max_subflows = 4;
	struct mpdk_stack_conf ca = { .name = "A", .pool = pool, .tcp = &tc, .clock = w->clock };
	struct mpdk_stack_conf cb = { .name = "B", .pool = pool, .tcp = &tc, .clock = w->clock };
	ca.ports[0] = w->a1;
	ca.addrs[0] = (struct mpdk_addr_conf){ .port = 0, .addr = ip("10.1.0.1"), .prefix_len = 24 };
	ca.n_ports = ca.n_addrs = 1;
	cb.ports[0] = w->b1;
	cb.ports[1] = w->b3;
	cb.addrs[0] = (struct mpdk_addr_conf){ .port = 0, .addr = ip("10.1.0.2"), .prefix_len = 24 };
	cb.addrs[1] = (struct mpdk_addr_conf){ .port = 1, .addr = ip("10.3.0.2"), .prefix_len = 24 };
	cb.n_ports = cb.n_addrs = 2;
	assert_int_equal(mpdk_stack_create(&ca, &w->sa), 0);
	assert_int_equal(mpdk_stack_create(&cb, &w->sb), 0);
	w->ea = mpdk_stack_engine(w->sa, 0);
	w->eb = mpdk_stack_engine(w->sb, 0);
	uint8_t mac[6];
	assert_int_equal(mpdk_port_mac(w->e3, mac), 0);
	memcpy(w->e_mac.addr_bytes, mac, 6);
	w->e_ip = ip("10.3.0.1");
	w->b3_ip = ip("10.3.0.2");
	return w;
}

static void world_free(struct world *w)
{
	mpdk_stack_free(w->sa);
	mpdk_stack_free(w->sb);
	struct mpdk_port *p[] = { w->a1, w->t1a, w->t1b, w->b1, w->e3, w->b3 };
	for (unsigned i = 0; i < 6; i++)
		mpdk_port_close(p[i]);
	mpdk_clock_free(w->clock);
	free(w->tap.frames);
	free(w->tap.flen);
	free(w);
}

static uint64_t ctr(struct mpdk_stack *s, const char *name)
{
	uint64_t v = 0;
	assert_int_equal(mpdk_stat_get(s, name, &v), 0);
	return v;
}

/* A and B connect over the tapped path and exchange a little data both
 * ways; in app mode both then set the same application keys. */
static void connect_and_talk(struct world *w, bool app, uint64_t key_a, uint64_t key_b)
{
	assert_int_equal(mpdk_listen(w->eb, 0, htons(PORT_SRV), 4, &srv_h, w, &w->l), 0);
	assert_int_equal(mpdk_connect(w->ea, ip("10.1.0.2"), htons(PORT_SRV), 0, 0, &cli_h, w, &w->ca),
			 0);
	run_for(w, 20 * MSEC);
	assert_true(w->cb != MPDK_CONN_INVALID);
	static const char hello[] = "hello from A", reply[] = "hello from B";
	char buf[64];
	assert_int_equal(mpdk_send(w->ca, hello, sizeof(hello)), sizeof(hello));
	run_for(w, 10 * MSEC);
	assert_int_equal(mpdk_recv(w->cb, buf, sizeof(buf)), sizeof(hello));
	assert_int_equal(mpdk_send(w->cb, reply, sizeof(reply)), sizeof(reply));
	run_for(w, 10 * MSEC);
	assert_int_equal(mpdk_recv(w->ca, buf, sizeof(buf)), sizeof(reply));
	if (app) {
		assert_int_equal(mpdk_mptcp_set_keys(w->ca, key_a, key_b), 0);
		assert_int_equal(mpdk_mptcp_set_keys(w->cb, key_a, key_b), 0);
		run_for(w, 10 * MSEC);
	}
}

/* E's join from 10.3.0.1 with the token it saw and HMAC-A keyed with
 * (@ka, @kb). Returns once B answered the ACK (or not). */
static void eavesdropper_join(struct world *w, uint32_t token_b, uint64_t ka, uint64_t kb)
{
	/* E resolves B's address first (and so B learns E's) */
	uint8_t f[1600];
	static const struct rte_ether_addr zero, bc = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	e_tx(w, f, harness_build_arp(f, RTE_ARP_OP_REQUEST, &w->e_mac, w->e_ip, &zero, w->b3_ip, &bc));
	run_for(w, 5 * MSEC);
	assert_true(w->b_mac_known);
	const uint32_t e_iss = 777000u, r_a = 0x0badcafeu;
	struct mptcp_opt o;
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_JOIN;
	o.mpj.form = MPTCP_JOIN_SYN;
	o.mpj.addr_id = 33;
	o.mpj.token = token_b;
	o.mpj.nonce = r_a;
	e_tcp(w, e_iss, 0, RTE_TCP_SYN_FLAG, &o);
	run_for(w, 5 * MSEC);
	assert_true(w->synack_seen);   /* the token alone gets a SYN/ACK: it is public */
	uint8_t h[MPTCP_HMAC_LEN];
	mptcp_join_hmac(ka, kb, r_a, w->b_nonce, h);
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_JOIN;
	o.mpj.form = MPTCP_JOIN_ACK;
	memcpy(o.mpj.hmac, h, MPTCP_JOIN_ACK_HMAC_LEN);
	e_tcp(w, e_iss + 1, w->b_iss + 1, RTE_TCP_ACK_FLAG, &o);
	run_for(w, 5 * MSEC);
}

static int n_subflows_from(struct world *w, uint32_t addr)
{
	struct mpdk_mptcp_subflow_info sfi[8];
	int n = mpdk_mptcp_subflows(w->cb, sfi, 8), k = 0;
	for (int i = 0; i < n && i < 8; i++)
		k += !sfi[i].closed && sfi[i].remote_addr == addr;
	return k;
}

/* rfc8684: the tap read both keys; E's join gets in (the known weakness). */
static void test_eavesdropper_rfc8684_joins(void **state)
{
	(void)state;
	struct world *w = world_create(MPDK_KEY_RFC8684);
	connect_and_talk(w, false, 0, 0);
	assert_true(w->tap.key_a_seen && w->tap.key_b_seen);
	/* what the tap learnt is right: B's HMAC-B checks with those keys */
	eavesdropper_join(w, mptcp_key_token(w->tap.key_b), w->tap.key_a, w->tap.key_b);
	uint8_t h[MPTCP_HMAC_LEN];
	mptcp_join_hmac(w->tap.key_b, w->tap.key_a, w->b_nonce, 0x0badcafeu, h);
	assert_true(mptcp_join_thmac(h) == w->b_thmac);
	assert_int_equal(ctr(w->sb, "mptcp_join_ack_rx"), 1);
	assert_int_equal(ctr(w->sb, "mptcp_join_ack_hmac_fail"), 0);
	assert_int_equal(n_subflows_from(w, w->e_ip), 1);
	world_free(w);
}

/* app: the tap saw tokens only, never the keys; E's join fails on
 * HMAC-A, counted, with a RST, and the connection is unharmed. */
static void test_eavesdropper_app_fails(void **state)
{
	(void)state;
	const uint64_t key_a = 0x5eed0001a1a2a3a4ull, key_b = 0x5eed0002b1b2b3b4ull;
	struct world *w = world_create(MPDK_KEY_APP);
	connect_and_talk(w, true, key_a, key_b);
	assert_int_equal(ctr(w->sa, "mptcp_app_established"), 1);
	assert_int_equal(ctr(w->sb, "mptcp_app_established"), 1);
	assert_true(w->tap.token_a_seen && w->tap.token_b_seen);
	assert_false(w->tap.key_a_seen || w->tap.key_b_seen);
	assert_true(w->tap.n_mpc >= 3 && w->tap.n_frames > 0);
	assert_false(tap_saw_bytes(&w->tap, key_a));
	assert_false(tap_saw_bytes(&w->tap, key_b));
	/* its best guesses: the tokens as keys, widened */
	eavesdropper_join(w, w->tap.token_b, w->tap.token_a, w->tap.token_b);
	assert_int_equal(ctr(w->sb, "mptcp_join_ack_rx"), 0);
	assert_int_equal(ctr(w->sb, "mptcp_join_ack_hmac_fail"), 1);
	assert_true(w->rst_seen);
	assert_int_equal(n_subflows_from(w, w->e_ip), 0);
	w->synack_seen = w->rst_seen = false;
	eavesdropper_join(w, w->tap.token_b, (uint64_t)w->tap.token_a << 32 | w->tap.token_b,
			  (uint64_t)w->tap.token_b << 32 | w->tap.token_a);
	assert_int_equal(ctr(w->sb, "mptcp_join_ack_hmac_fail"), 2);
	assert_int_equal(n_subflows_from(w, w->e_ip), 0);
	/* the connection still works */
	static const char more[] = "still here";
	char buf[32];
	assert_int_equal(mpdk_send(w->ca, more, sizeof(more)), sizeof(more));
	run_for(w, 10 * MSEC);
	assert_int_equal(mpdk_recv(w->cb, buf, sizeof(buf)), sizeof(more));
	assert_memory_equal(buf, more, sizeof(more));
	world_free(w);
}

int main(void)
{
	harness_eal_init();
	pool = rte_pktmbuf_pool_create("eaves_pool", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eavesdropper_rfc8684_joins),
		cmocka_unit_test(test_eavesdropper_app_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

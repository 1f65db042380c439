/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The EC keying modes (docs/security.md; draft "SE-MPTCP" section 4,
 * issue 5) between two mpdk stacks joined by two simlinks on one virtual
 * clock: the EC MP_CAPABLE exchange for every curve of the draft's Figure
 * 4 in both variants (ec-compressed, ec-draft), ADD_ADDR authenticated
 * with K (section 4.3), an EC MP_JOIN (section 4.2) and data on both
 * subflows; ec-preferred against an rfc8684 stack (fallback, remembered
 * per peer); ec-required against an rfc8684 stack (refused).
 *
 * The stack/link/transfer scaffolding is test_mptcp_simlink.c's.
 * MPDK_SECURE_BYTES overrides the transfer size (default 256 KB).
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
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "harness.h"
#include "simlink_fixture.h"
#include "stream_peer.h"
#include "mpdk/mpdk.h"
#include "core/clock.h"
#include "core/engine.h"
#include "drivers/port.h"
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#define SEC 1000000000ull
#define MSEC 1000000ull
#define USEC 1000ull
#define STEP_NS (100 * USEC)
#define PORT_SRV 5001

static struct rte_mempool *pool;
static uint64_t xfer_bytes;
static uint64_t seed_bump;   /* varies the links' loss patterns */

/* The two-path world of simlink_fixture.c, with the engines at hand. */
struct world {
	struct simlink_world *sw;
	struct mpdk_clock *clock;
	struct mpdk_port *l1a, *l1b, *l2a, *l2b;
	struct mpdk_stack *sa, *sb;
	struct mpdk_engine *ea, *eb;
};

static uint32_t ip(const char *s) { return simlink_ip(s); }

/* MPDK_SECURE_PCAP=prefix writes prefix-A.pcap and prefix-B.pcap */
static struct world *world_create(const struct mpdk_simlink_dir *p1, const struct mpdk_simlink_dir *p2,
				  const struct mpdk_tcp_conf *tca, const struct mpdk_tcp_conf *tcb)
{
	struct world *w = calloc(1, sizeof(*w));
	struct simlink_world_conf c = {
		.pool = pool, .path1 = *p1, .path2 = *p2,
		.seed1 = 42 + seed_bump, .seed2 = 7 + seed_bump,
		.tca = tca, .tcb = tcb, .pcap_prefix = getenv("MPDK_SECURE_PCAP"),
	};

	assert_non_null(w);
	w->sw = simlink_world_create(&c);
	w->clock = w->sw->clock;
	w->l1a = w->sw->l1a;
	w->l1b = w->sw->l1b;
	w->l2a = w->sw->l2a;
	w->l2b = w->sw->l2b;
	w->sa = w->sw->sa;
	w->sb = w->sw->sb;
	w->ea = mpdk_stack_engine(w->sa, 0);
	w->eb = mpdk_stack_engine(w->sb, 0);
	return w;
}

static void world_free(struct world *w)
{
	simlink_world_free(w->sw);   /* asserts that no mbuf is left in use */
	free(w);
}

static void poll_idle(struct world *w) { simlink_world_poll_idle(w->sw); }
static void step(struct world *w) { simlink_world_step(w->sw, STEP_NS); }

struct peer {
	mpdk_conn_t c;
	uint64_t sent, rcvd, mismatches, total;
	bool connected, eof, closed, close_called, is_sender, use_mbuf;
	int err;
	struct mpdk_mptcp_key_info ki;   /* at connected / accept */
	bool ki_k_ready;                 /* K was ready while the connection was up */
};

static void send_more(struct peer *p)
{
	uint8_t buf[16384];
	while (p->sent < p->total) {
		size_t n = p->total - p->sent < sizeof(buf) ? p->total - p->sent : sizeof(buf);
		stream_fill(buf, p->sent, n);
		ssize_t k = mpdk_send(p->c, buf, n);
		if (k <= 0) {
			assert_true(k == -EAGAIN || k == -ENOBUFS);
			return;
		}
		p->sent += (uint64_t)k;
	}
	if (!p->close_called) {
		p->close_called = true;
		assert_int_equal(mpdk_shutdown(p->c, MPDK_SHUT_WR), 0);
	}
}

static void check_bytes(struct peer *p, const uint8_t *d, size_t n)
{
	uint8_t exp[4096];
	size_t done = 0;
	while (done < n) {
		size_t k = n - done < sizeof(exp) ? n - done : sizeof(exp);
		stream_fill(exp, p->rcvd + done, k);
		if (memcmp(exp, d + done, k) != 0)
			p->mismatches++;
		done += k;
	}
	p->rcvd += n;
}

static void on_readable(void *arg, mpdk_conn_t c)
{
	struct peer *p = arg;
	for (;;) {
		ssize_t n;
		if (p->use_mbuf) {
			struct rte_mbuf *m;
			n = mpdk_recv_mbuf(c, &m);
			if (n > 0) {
				for (struct rte_mbuf *s = m; s; s = s->next)
					check_bytes(p, rte_pktmbuf_mtod(s, uint8_t *), s->data_len);
				rte_pktmbuf_free(m);
			}
		} else {
			uint8_t buf[8192];
			n = mpdk_recv(c, buf, sizeof(buf));
			if (n > 0)
				check_bytes(p, buf, (size_t)n);
		}
		if (n == 0) {
			p->eof = true;
			break;
		}
		if (n < 0) {
			assert_int_equal(n, -EAGAIN);
			break;
		}
	}
	if (p->eof && !p->is_sender && !p->close_called) {
		p->close_called = true;
		assert_int_equal(mpdk_close(c), 0);
	}
}

static void on_writable(void *arg, mpdk_conn_t c)
{
	struct peer *p = arg;
	(void)c;
	if (p->is_sender)
		send_more(p);
}

static void on_connected(void *arg, mpdk_conn_t c)
{
	struct peer *p = arg;
	p->connected = true;
	assert_int_equal(mpdk_mptcp_key_info(c, &p->ki), 0);
	if (p->is_sender)
		send_more(p);
}

static void on_closed(void *arg, mpdk_conn_t c, int err)
{
	struct peer *p = arg;
	(void)c;
	p->closed = true;
	p->err = err;
}

static void on_accept(void *arg, mpdk_conn_t l)
{
	struct peer *p = arg;
	mpdk_conn_t c;
	assert_int_equal(mpdk_accept(l, &c), 0);
	p->c = c;
	p->connected = true;
	assert_int_equal(mpdk_mptcp_key_info(c, &p->ki), 0);
	if (p->is_sender)
		send_more(p);
}

static const struct mpdk_tcp_handler handler = {
	.accept_ready = on_accept,
	.connected = on_connected,
	.readable = on_readable,
	.writable = on_writable,
	.closed = on_closed,
};

static uint64_t ctr(struct mpdk_stack *s, const char *name)
{
	uint64_t v = 0;
	assert_int_equal(mpdk_stat_get(s, name, &v), 0);
	return v;
}

struct xfer_opts {
	bool a_sends;
	bool down_path2_at_half;    /* §3.3.6 reinjection */
	bool down_path1_at_half;
	int expect_subflows;        /* at the end of the handshake phase */
	bool expect_fallback;
	double down_at;             /* fraction received when the path goes down (0 = half) */
	const char *dst;            /* server address to connect to (default 10.1.0.2) */
	bool app_keys;              /* key mode app: both ends set APP_KEY_A/B once they can */
};

/* key mode app (docs/security.md "Application-supplied keys"): the keys
 * both ends pass to mpdk_mptcp_set_keys() */
#define APP_KEY_A 0x0123456789abcdefULL
#define APP_KEY_B 0xfedcba9876543210ULL

/* Set the application keys on @p p's connection as soon as its MPTCP
 * handshake allows it (-ENOTCONN before). */
static void app_keys_try(struct peer *p, bool *done)
{
	if (*done || !p->connected || p->closed)
		return;
	int r = mpdk_mptcp_set_keys(p->c, APP_KEY_A, APP_KEY_B);
	if (r == -ENOTCONN)
		return;
	assert_int_equal(r, 0);
	*done = true;
}

/* virtual ns from connect to the receiver's EOF, of the last run_transfer */
static uint64_t last_xfer_ns;

/* One transfer of xfer_bytes (client on A, server on B), returns with
 * both sides closed and the world still alive (caller checks more). */
static void run_transfer(struct world *w, const struct xfer_opts *o, struct peer *cli,
			 struct peer *srv)
{
	mpdk_conn_t l;
	cli->is_sender = o->a_sends;
	srv->is_sender = !o->a_sends;
	cli->total = srv->total = xfer_bytes;
	srv->use_mbuf = true;
	assert_int_equal(mpdk_listen(w->eb, 0, htons(PORT_SRV), 16, &handler, srv, &l), 0);
	uint64_t t0 = mpdk_clock_now_ns(w->clock), t_eof = 0;
	assert_int_equal(mpdk_connect(w->ea, ip(o->dst ? o->dst : "10.1.0.2"), htons(PORT_SRV), 0, 0,
				      &handler, cli, &cli->c), 0);
	struct peer *snd = o->a_sends ? cli : srv, *rcv = o->a_sends ? srv : cli;
	uint64_t limit = mpdk_clock_now_ns(w->clock) + 1800 * SEC;
	bool downed = false, keys_a = false, keys_b = false;
	int max_sf = 0;
	while (!(rcv->eof && snd->closed && rcv->close_called) &&
	       mpdk_clock_now_ns(w->clock) < limit) {
		step(w);
		if (o->app_keys) {
			app_keys_try(cli, &keys_a);
			app_keys_try(srv, &keys_b);
		}
		if (rcv->eof && t_eof == 0)
			t_eof = mpdk_clock_now_ns(w->clock);
		assert_false(cli->closed && cli->err != 0);
		if (srv->closed && srv->err != 0 && getenv("MPDK_SECURE_DEBUG")) {
			mpdk_stats_print(w->sa, stdout, false);
			printf("---- B\n");
			mpdk_stats_print(w->sb, stdout, false);
		}
		if (srv->closed && srv->err != 0)
			fail_msg("server closed with %d", srv->err);
		if (cli->connected && !cli->closed) {
			struct mpdk_mptcp_key_info ki;
			if (mpdk_mptcp_key_info(cli->c, &ki) == 0 && ki.k_ready)
				cli->ki_k_ready = true;
		}
		if (cli->connected && !cli->closed) {
			struct mpdk_conn_info ci;
			if (mpdk_conn_info(cli->c, &ci) == 0 && ci.mptcp_subflows > max_sf)
				max_sf = ci.mptcp_subflows;
		}
		if (!downed && rcv->rcvd >= (uint64_t)((double)xfer_bytes * (o->down_at > 0 ? o->down_at : 0.5)) &&
		    (o->down_path2_at_half || o->down_path1_at_half)) {
			downed = true;
			mpdk_simlink_set_up(o->down_path2_at_half ? w->l2a : w->l1a, false);
		}
	}
	if (getenv("MPDK_SECURE_DEBUG")) {
		mpdk_stats_print(w->sa, stdout, false);
		printf("---- B\n");
		mpdk_stats_print(w->sb, stdout, false);
	}
	assert_true(rcv->eof);
	if (o->app_keys)
		assert_true(keys_a && keys_b);
	last_xfer_ns = t_eof - t0;
	assert_int_equal(rcv->rcvd, xfer_bytes);
	assert_int_equal(snd->sent, xfer_bytes);
	assert_int_equal(rcv->mismatches, 0);
	assert_true(snd->closed);
	assert_int_equal(snd->err, 0);
	if (o->expect_subflows)
		assert_int_equal(max_sf, o->expect_subflows);
	print_message("  %s: %llu bytes, %.1f s virtual, max %d subflow(s)\n",
		      o->a_sends ? "A->B" : "B->A", (unsigned long long)xfer_bytes,
		      (double)(mpdk_clock_now_ns(w->clock) - SEC) / 1e9, max_sf);
	for (int i = 0; i < 30; i++)
		step(w);
	mpdk_clock_advance(w->clock, 3 * SEC);
	poll_idle(w);
	poll_idle(w);
	assert_int_equal(mpdk_close(l), 0);
}

static struct mpdk_tcp_conf conf_default(void)
{
	struct mpdk_tcp_conf tc;
	mpdk_tcp_conf_defaults(&tc);
	tc.time_wait_ms = 1000;
	return tc;
}

static struct mpdk_tcp_conf conf_ec(unsigned mode, const char *curve, unsigned variant)
{
	struct mpdk_tcp_conf tc = conf_default();
	tc.mptcp.key_mode = (uint8_t)mode;
	tc.mptcp.ec_curve = curve;
	tc.mptcp.ec_variant = (uint8_t)variant;
	return tc;
}

static const char *const curves[] = { "secp160k1", "secp160r1", "secp160r2", "secp192k1",
				      "secp192r1", "secp224k1", "secp224r1", "secp256k1",
				      "secp256r1" };

/* One EC transfer A -> B over two paths: B (ec-preferred) signals its
 * second address with an ADD_ADDR keyed with K (draft 4.3), A
 * (ec-preferred or ec-required) joins it with an EC MP_JOIN (draft 4.2),
 * both subflows carry data. */
static void ec_two_paths(const char *curve, unsigned variant, unsigned client_mode)
{
	struct mpdk_simlink_dir d1 = { .delay_ns = 5 * MSEC, .rate_bps = 20000000 };
	struct mpdk_simlink_dir d2 = { .delay_ns = 5 * MSEC, .rate_bps = 20000000 };
	struct mpdk_tcp_conf ta = conf_ec(client_mode, curve, variant);
	/* B takes only its configured curve (docs/security.md): the same */
	struct mpdk_tcp_conf tb = conf_ec(MPDK_KEY_EC_PREFERRED, curve, MPDK_EC_COMPRESSED);
	tb.mptcp.n_endpoints = 1;
	tb.mptcp.endpoints[0] = (struct mpdk_mptcp_endpoint){ .addr = ip("10.2.0.2"),
							       .flags = MPDK_MPTCP_EP_SIGNAL };
	struct world *w = world_create(&d1, &d2, &ta, &tb);
	struct peer cli = { 0 }, srv = { 0 };
	struct xfer_opts o = { .a_sends = true, .expect_subflows = 2 };
	run_transfer(w, &o, &cli, &srv);
	/* both ends used EC on the one curve, the client's variant (B follows A) */
	int cid = mpdk_ec_curve_parse(curve);
	assert_true(cli.ki.mptcp && cli.ki.ec && srv.ki.ec);
	assert_int_equal(cli.ki.ec_curve, cid);
	assert_int_equal(srv.ki.ec_curve, cid);
	assert_int_equal(cli.ki.ec_variant, variant);
	assert_int_equal(srv.ki.ec_variant, variant);
	assert_string_equal(cli.ki.ec_curve_name, curve);
	assert_true(cli.ki_k_ready);
	assert_int_equal(ctr(w->sa, "ec_established"), 1);
	assert_int_equal(ctr(w->sb, "ec_established"), 1);
	/* ECDH ran in the engine hook on both sides, not inline */
	assert_int_equal(ctr(w->sa, "ec_k_ready"), 1);
	assert_int_equal(ctr(w->sb, "ec_k_ready"), 1);
	assert_int_equal(ctr(w->sa, "ec_k_inline") + ctr(w->sb, "ec_k_inline"), 0);
	/* ADD_ADDR with K verified, EC join done, nothing refused */
	assert_int_equal(ctr(w->sa, "mptcp_add_addr_rx"), 1);
	assert_int_equal(ctr(w->sa, "mptcp_add_addr_hmac_fail"), 0);
	assert_int_equal(ctr(w->sb, "ec_join_syn_rx"), 1);
	assert_int_equal(ctr(w->sb, "mptcp_join_ack_rx"), 1);
	assert_int_equal(ctr(w->sa, "mptcp_join_synack_rx"), 1);
	assert_int_equal(ctr(w->sb, "ec_join_hmac_token_fail") + ctr(w->sa, "ec_join_auth_fail") +
				 ctr(w->sb, "ec_join_auth_fail"), 0);
	assert_int_equal(ctr(w->sa, "mptcp_opt_bad") + ctr(w->sb, "mptcp_opt_bad"), 0);
	assert_int_equal(ctr(w->sa, "ec_opt_bad") + ctr(w->sb, "ec_opt_bad"), 0);
	/* data on both paths */
	struct mpdk_simlink_stats s1, s2;
	mpdk_simlink_stats(w->l1a, true, &s1);
	mpdk_simlink_stats(w->l2a, true, &s2);
	print_message("  %s %s: frames A->B path 1 %llu, path 2 %llu\n", curve,
		      mpdk_ec_variant_name(variant), (unsigned long long)s1.delivered,
		      (unsigned long long)s2.delivered);
	assert_true(s1.delivered > 20);
	assert_true(s2.delivered > 20);
	world_free(w);
}

/* Draft section 4.1 + Figures 1-4: every curve, ec-compressed. */
static void test_ec_every_curve_compressed(void **state)
{
	(void)state;
	for (unsigned i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
		ec_two_paths(curves[i], MPDK_EC_COMPRESSED, MPDK_KEY_EC_PREFERRED);
}

/* The same with the draft's four-segment exchange (x and y). */
static void test_ec_every_curve_draft(void **state)
{
	(void)state;
	for (unsigned i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
		ec_two_paths(curves[i], MPDK_EC_DRAFT, MPDK_KEY_EC_REQUIRED);
}

/* Issue 5 item 3: ec-preferred against an rfc8684 stack, which answers an
 * EC SYN as Linux does (plain TCP). A resets that attempt, reconnects with
 * an RFC 8684 SYN and ends with MPTCP; the second connection to the same
 * peer goes to RFC 8684 at once (per-peer memory). */
static void test_ec_preferred_falls_back(void **state)
{
	(void)state;
	struct mpdk_simlink_dir d1 = { .delay_ns = 5 * MSEC };
	struct mpdk_simlink_dir d2 = { .delay_ns = 5 * MSEC };
	struct mpdk_tcp_conf ta = conf_ec(MPDK_KEY_EC_PREFERRED, "secp224r1", MPDK_EC_COMPRESSED);
	struct mpdk_tcp_conf tb = conf_default();
	tb.mptcp.n_endpoints = 1;
	tb.mptcp.endpoints[0] = (struct mpdk_mptcp_endpoint){ .addr = ip("10.2.0.2"),
							       .flags = MPDK_MPTCP_EP_SIGNAL };
	struct world *w = world_create(&d1, &d2, &ta, &tb);
	for (int round = 0; round < 2; round++) {
		struct peer cli = { 0 }, srv = { 0 };
		struct xfer_opts o = { .a_sends = round == 0, .expect_subflows = 2 };
		run_transfer(w, &o, &cli, &srv);
		assert_true(cli.ki.mptcp);
		assert_false(cli.ki.ec);
		assert_int_equal(cli.ki.mode, MPDK_KEY_RFC8684);
		assert_int_equal(cli.ki.conf_mode, MPDK_KEY_EC_PREFERRED);
		assert_true(cli.ki.fell_back);
		assert_int_equal(cli.ki.peer_cached, round == 1);
	}
	assert_int_equal(ctr(w->sa, "ec_fallback_restart"), 1);
	assert_int_equal(ctr(w->sa, "ec_peer_cache_hit"), 1);
	assert_int_equal(ctr(w->sa, "ec_active_open"), 1);
	assert_int_equal(ctr(w->sa, "mptcp_established"), 2);
	assert_int_equal(ctr(w->sb, "mptcp_established"), 2);
	assert_int_equal(ctr(w->sb, "mptcp_join_ack_rx"), 2);
	world_free(w);
}

/* Issue 5 item 3: ec-required refuses both ways with a clear error:
 * connect fails with -EPROTONOSUPPORT against an rfc8684 server, and an
 * ec-required server answers an RFC 8684 SYN with a RST (the client sees
 * -ECONNREFUSED). */
static void test_ec_required_refuses(void **state)
{
	(void)state;
	struct mpdk_simlink_dir d = { .delay_ns = 5 * MSEC };
	for (int side = 0; side < 2; side++) {
		struct mpdk_tcp_conf req = conf_ec(MPDK_KEY_EC_REQUIRED, "secp256r1", MPDK_EC_COMPRESSED);
		struct mpdk_tcp_conf rfc = conf_default();
		struct world *w = side == 0 ? world_create(&d, &d, &req, &rfc)
					    : world_create(&d, &d, &rfc, &req);
		struct peer cli = { 0 }, srv = { 0 };
		mpdk_conn_t l;
		assert_int_equal(mpdk_listen(w->eb, 0, htons(PORT_SRV), 16, &handler, &srv, &l), 0);
		assert_int_equal(mpdk_connect(w->ea, ip("10.1.0.2"), htons(PORT_SRV), 0, 0, &handler,
					      &cli, &cli.c), 0);
		for (int i = 0; i < 200 && !cli.closed; i++)
			step(w);
		assert_true(cli.closed);
		assert_false(cli.connected);
		assert_false(srv.connected);
		if (side == 0) {
			assert_int_equal(cli.err, -EPROTONOSUPPORT);
			assert_int_equal(ctr(w->sa, "ec_required_refused_active"), 1);
		} else {
			assert_int_equal(cli.err, -ECONNREFUSED);
			assert_int_equal(ctr(w->sb, "ec_required_refused_passive"), 1);
		}
		print_message("  ec-required %s: client error %d (%s)\n", side == 0 ? "client" : "server",
			      cli.err, mpdk_strerror(cli.err));
		for (int i = 0; i < 30; i++)
			step(w);
		mpdk_clock_advance(w->clock, 3 * SEC);
		poll_idle(w);
		assert_int_equal(mpdk_close(l), 0);
		poll_idle(w);
		world_free(w);
	}
}

/* ec-required on both sides with 25% loss on path 1 (the handshake's
 * path), eight seeds per variant: EC survives lost SYNs, SYN/ACKs, third
 * ACKs and, in ec-draft, a lost segment 2 (B's x on a pure ACK: the
 * SYN/ACK is dropped, A's SYN retransmits, B sends both again). */
static void test_ec_lossy_handshakes(void **state)
{
	(void)state;
	struct mpdk_simlink_dir d1 = { .delay_ns = 5 * MSEC, .loss = 0.25 };
	struct mpdk_simlink_dir d2 = { .delay_ns = 5 * MSEC };
	uint64_t saved = xfer_bytes;
	xfer_bytes = 32768;
	for (unsigned v = 0; v < 2; v++) {
		struct mpdk_tcp_conf ta = conf_ec(MPDK_KEY_EC_REQUIRED, "secp192r1", v);
		struct mpdk_tcp_conf tb = conf_ec(MPDK_KEY_EC_REQUIRED, "secp192r1", v);
		uint64_t syn_rtx = 0, no_x = 0;
		for (int r = 0; r < 8; r++) {
			seed_bump = (uint64_t)r * 1000 + v;
			struct world *w = world_create(&d1, &d2, &ta, &tb);
			struct peer cli = { 0 }, srv = { 0 };
			struct xfer_opts o = { .a_sends = true };
			run_transfer(w, &o, &cli, &srv);
			assert_true(cli.ki.ec && srv.ki.ec);
			assert_int_equal(ctr(w->sa, "ec_established"), 1);
			syn_rtx += ctr(w->sa, "tcp_syn_retransmits") + ctr(w->sb, "tcp_syn_retransmits");
			no_x += ctr(w->sa, "ec_draft_synack_no_x");
			world_free(w);
		}
		print_message("  %s: %llu SYN/SYN-ACK retransmissions, %llu SYN/ACKs before B's x\n",
			      mpdk_ec_variant_name(v), (unsigned long long)syn_rtx,
			      (unsigned long long)no_x);
		assert_true(syn_rtx > 0);   /* the losses did hit the handshakes */
	}
	seed_bump = 0;
	xfer_bytes = saved;
}

/* Draft 4.2 the other way: A (the client) signals its second address
 * with an ADD_ADDR keyed with K, B joins it with Token_A (lsb_32 of
 * SHA-256(X_A || Y_A), resolution 9) and HMAC_Token keyed with K. */
static void test_ec_server_joins_client(void **state)
{
	(void)state;
	struct mpdk_simlink_dir d = { .delay_ns = 5 * MSEC, .rate_bps = 20000000 };
	for (unsigned v = 0; v < 2; v++) {
		struct mpdk_tcp_conf ta = conf_ec(MPDK_KEY_EC_REQUIRED, "secp256r1", v);
		struct mpdk_tcp_conf tb = conf_ec(MPDK_KEY_EC_REQUIRED, "secp256r1", MPDK_EC_COMPRESSED);
		ta.mptcp.n_endpoints = 1;
		ta.mptcp.endpoints[0] = (struct mpdk_mptcp_endpoint){ .addr = ip("10.2.0.1"),
								       .flags = MPDK_MPTCP_EP_SIGNAL };
		struct world *w = world_create(&d, &d, &ta, &tb);
		struct peer cli = { 0 }, srv = { 0 };
		struct xfer_opts o = { .a_sends = false, .expect_subflows = 2 };
		run_transfer(w, &o, &cli, &srv);
		assert_true(cli.ki.ec && srv.ki.ec);
		assert_int_equal(srv.ki.ec_curve, mpdk_ec_curve_parse("secp256r1"));   /* B's curve = A's */
		assert_int_equal(ctr(w->sb, "mptcp_add_addr_rx"), 1);
		assert_int_equal(ctr(w->sa, "ec_join_syn_rx"), 1);
		assert_int_equal(ctr(w->sa, "mptcp_join_ack_rx"), 1);
		assert_int_equal(ctr(w->sa, "ec_join_hmac_token_fail") + ctr(w->sb, "ec_join_auth_fail"), 0);
		struct mpdk_simlink_stats s2;
		mpdk_simlink_stats(w->l2a, false, &s2);
		assert_true(s2.delivered > 20);   /* B -> A data on path 2 */
		world_free(w);
	}
}

/* The draft's Figure 5 from mpdk's own captures (docs/security.md): one
 * connection with one join (A's subflow endpoint) per mode over 10 ms
 * links; stack B's pcap goes to $MPDK_SECURE_PCAP_DIR/<mode>-B.pcap for
 * secure_figure5.py (test secure_figure5). Skipped without the variable. */
static void test_ec_capture_modes(void **state)
{
	(void)state;
	const char *dir = getenv("MPDK_SECURE_PCAP_DIR");
	if (dir == NULL) {
		print_message("  MPDK_SECURE_PCAP_DIR not set: nothing captured\n");
		return;
	}
	static const struct {
		const char *name;
		unsigned mode;
		const char *curve;
		unsigned variant;
	} m[] = {
		{ "rfc8684", MPDK_KEY_RFC8684, NULL, 0 },
		{ "ec-compressed-secp256r1", MPDK_KEY_EC_REQUIRED, "secp256r1", MPDK_EC_COMPRESSED },
		{ "ec-draft-secp256r1", MPDK_KEY_EC_REQUIRED, "secp256r1", MPDK_EC_DRAFT },
		{ "ec-compressed-secp224r1", MPDK_KEY_EC_REQUIRED, "secp224r1", MPDK_EC_COMPRESSED },
		{ "ec-draft-secp224r1", MPDK_KEY_EC_REQUIRED, "secp224r1", MPDK_EC_DRAFT },
		{ "app", MPDK_KEY_APP, NULL, 0 },
	};
	struct mpdk_simlink_dir d = { .delay_ns = 10 * MSEC };
	uint64_t saved = xfer_bytes;
	xfer_bytes = 65536;
	for (unsigned i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		char prefix[512];
		snprintf(prefix, sizeof(prefix), "%s/%s", dir, m[i].name);
		setenv("MPDK_SECURE_PCAP", prefix, 1);
		struct mpdk_tcp_conf ta = conf_ec(m[i].mode, m[i].curve, m[i].variant);
		struct mpdk_tcp_conf tb = conf_ec(m[i].mode, m[i].curve, m[i].variant);
		ta.mptcp.n_endpoints = 1;
		ta.mptcp.endpoints[0] = (struct mpdk_mptcp_endpoint){ .addr = ip("10.2.0.1"),
								       .flags = MPDK_MPTCP_EP_SUBFLOW };
		struct world *w = world_create(&d, &d, &ta, &tb);
		struct peer cli = { 0 }, srv = { 0 };
		struct xfer_opts o = { .a_sends = true, .expect_subflows = 2,
				       .app_keys = m[i].mode == MPDK_KEY_APP };
		run_transfer(w, &o, &cli, &srv);
		assert_int_equal(cli.ki.ec, m[i].mode == MPDK_KEY_EC_REQUIRED);
		assert_int_equal(cli.ki.mode, m[i].mode);
		assert_int_equal(srv.ki.mode, m[i].mode);
		world_free(w);
	}
	unsetenv("MPDK_SECURE_PCAP");
	xfer_bytes = saved;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ec_every_curve_compressed),
		cmocka_unit_test(test_ec_every_curve_draft),
		cmocka_unit_test(test_ec_preferred_falls_back),
		cmocka_unit_test(test_ec_required_refuses),
		cmocka_unit_test(test_ec_lossy_handshakes),
		cmocka_unit_test(test_ec_server_joins_client),
		cmocka_unit_test(test_ec_capture_modes),
	};
	const char *b = getenv("MPDK_SECURE_BYTES");
	xfer_bytes = 256u << 10;
	if (b != NULL)
		xfer_bytes = strtoull(b, NULL, 0);
	harness_eal_init();
	pool = rte_pktmbuf_pool_create("secure_simlink", 16383, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "cannot create the mbuf pool\n");
		return 1;
	}
	if (getenv("MPDK_SECURE_ONLY"))
		cmocka_set_test_filter(getenv("MPDK_SECURE_ONLY"));
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(pool);
	return rc;
}

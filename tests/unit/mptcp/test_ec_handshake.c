/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The EC keying mode in the MP_CAPABLE / MP_JOIN state machine (draft
 * "SE-MPTCP" sections 4.1-4.3, Figures 1-3; docs/security.md), black box:
 * the harness plays the peer byte by byte with its own key pair (src/secure)
 * and checks every option the stack sends. Both roles, both variants
 * (ec-compressed, ec-draft), the RFC 8684 fallback of ec-preferred (as
 * Linux answers: plain TCP), ec-required, and the attacks of the draft's
 * section 3 with an attacker that saw every byte of the first handshake:
 * an eavesdropper's join, a join flood with a valid token, forged
 * ADD_ADDRs, a replayed join SYN. rfc8684 mode is attacked the same way
 * and the known weaknesses are asserted as such.
 */
#include "mptcp_test_util.h"
#include "mpdk/mpdk_mptcp.h"
#include "secure/ec.h"
#include "secure/ec_auth.h"
#include "secure/ec_mpc.h"
#include "secure/ec_optspace.h"
#include "mptcp/hs_ec.h"
#include "mptcp/token.h"

static struct ec_ctx *ctx;

/* mt_send_raw without the poll: several frames land in one receive burst
 * (one engine iteration, before its hooks run). */
static void send_np(struct mt *t, int k, uint32_t seq, uint32_t ack, uint8_t flags,
		    const struct mptcp_opt *mo)
{
	struct mflow *f = &t->f[k];
	uint8_t seg[200], frame[300], mpbuf[40];
	struct tcp_opts o;
	memset(&o, 0, sizeof(o));
	if (flags & F_SYN) {
		o.flags |= TCP_OPT_F_MSS;
		o.mss = 1460;
	}
	size_t w = mptcp_opt_write(mpbuf, 40, mo);
	assert_true(w > 0);
	o.mptcp[0].p = mpbuf;
	o.mptcp[0].len = (uint8_t)w;
	o.n_mptcp = 1;
	o.flags |= TCP_OPT_F_MPTCP;
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)seg;
	memset(th, 0, sizeof(*th));
	size_t hl = sizeof(*th) + tcp_opts_write(seg + sizeof(*th), TCP_OPTS_MAX_LEN, &o);
	th->src_port = f->pport;
	th->dst_port = f->uport;
	th->sent_seq = htonl(seq);
	th->recv_ack = htonl(ack);
	th->data_off = (uint8_t)((hl / 4) << 4);
	th->tcp_flags = flags;
	th->rx_win = htons(f->wnd);
	uint32_t sum = cksum_pseudo_ipv4(f->peer, t->us, IPPROTO_TCP, (uint16_t)hl);
	th->cksum = cksum_finish(cksum_partial(seg, hl, sum));
	size_t fl = harness_build_ipv4(frame, &t->peer_mac, &t->our_mac, f->peer, t->us, IPPROTO_TCP,
				       seg, hl);
	harness_inject(t->h, 0, frame, fl);
}

/* The peer's side of the EC exchange. */
struct ecp {
	unsigned curve, variant;
	struct ec_keypair kp;
	struct ec_point pub;     /* the peer's */
	struct ec_point stack;   /* the stack's, validated */
	struct ec_peer pp;
	struct ec_session s;     /* the peer's session: K, tokens */
};

static void ec_conf(unsigned mode, const char *curve, unsigned variant)
{
	mt_conf_reset();
	mt_conf.mptcp.key_mode = (uint8_t)mode;
	mt_conf.mptcp.ec_curve = curve;
	mt_conf.mptcp.ec_variant = (uint8_t)(variant == EC_VARIANT_DRAFT ? MPDK_EC_DRAFT
									 : MPDK_EC_COMPRESSED);
}

static void ecp_init(struct ecp *e, unsigned curve, unsigned variant)
{
	memset(e, 0, sizeof(*e));
	e->curve = curve;
	e->variant = variant;
	assert_int_equal(ec_keypair_generate(ctx, curve, &e->kp), 0);
	ec_keypair_public(&e->kp, &e->pub);
	ec_peer_reset(&e->pp, curve);
}

static struct mptcp_opt ecp_opt(struct ecp *e, unsigned step, uint8_t flags)
{
	struct mptcp_opt o;
	assert_int_equal(ec_mpc_build(e->variant, step, &e->kp, flags, &o), 0);
	return o;
}

static void ecp_absorb(struct ecp *e, const struct mout *s, unsigned step)
{
	const struct mptcp_opt *o = mt_opt(s, MPTCP_SUB_CAPABLE);
	assert_non_null(o);
	assert_true(o->mpc.flags & MPTCP_CAP_E_EC);
	assert_int_equal(ec_peer_absorb(&e->pp, e->variant, step, &o->mpc), 0);
}

/* Both sides' keys are known: the peer's session (K after its own ECDH),
 * the harness's keys and IDSNs (Key = lsb_64 of x, draft 4.1). */
static void ecp_finish(struct mt *t, struct ecp *e, bool peer_is_a)
{
	assert_true(ec_peer_complete(&e->pp));
	assert_int_equal(ec_peer_point(ctx, &e->pp, &e->stack), 0);
	assert_int_equal(ec_session_init(&e->s, &e->pub, e->stack.x), 0);
	assert_int_equal(ec_session_complete(&e->s, ctx, &e->kp, &e->stack), 0);
	assert_true(e->s.k_ready);
	(void)peer_is_a;
	t->peer_key = ec_key_of(&e->pub);
	t->our_key = ec_key_of(&e->stack);
	mt_keys(t);
	t->our_token = ec_token_of(&e->stack);
	t->peer_token = ec_token_of(&e->pub);
	assert_int_equal(t->our_token, e->s.token_remote);
}

/* The stack listens (ec-preferred/required); the peer A opens with EC. */
static void ec_server_open(struct mt *t, struct ecp *e)
{
	struct mflow *f = &t->f[0];
	assert_int_equal(mpdk_listen(t->h->e, 0, f->uport, 8, &mt_handler, t, &t->l), 0);
	struct mptcp_opt o = ecp_opt(e, EC_MPC_SYN, MPTCP_CAP_E_EC | MPTCP_CAP_H_HMAC_SHA256);
	f->pseq = f->peer_isn;
	mt_send_raw(t, 0, f->pseq, 0, F_SYN, &o, 1, NULL, 0);
	f->pseq++;
	struct mout s;
	if (e->variant == EC_VARIANT_DRAFT) {
		/* Figure 1, segment 2: B's x on a pure ACK of A's SYN */
		s = mt_expect(t, 0, F_ACK);
		assert_int_equal(s.ack, f->pseq);
		assert_int_equal(s.len, 0);
		ecp_absorb(e, &s, EC_MPC_ACK_B);
		assert_int_equal(mt_opt(&s, MPTCP_SUB_CAPABLE)->mpc.form, MPTCP_CAP_EC_ACK);
	}
	s = mt_expect(t, 0, F_SYN | F_ACK);
	assert_int_equal(s.ack, f->pseq);
	const struct mptcp_opt *mpc = mt_opt(&s, MPTCP_SUB_CAPABLE);
	assert_non_null(mpc);
	assert_int_equal(mpc->mpc.form, MPTCP_CAP_EC_SYNACK);
	/* B answers with E alone (docs/security.md, resolution 2), on A's curve */
	assert_int_equal(mpc->mpc.flags & (MPTCP_CAP_E_EC | MPTCP_CAP_H_HMAC_SHA256), MPTCP_CAP_E_EC);
	assert_int_equal(mpc->mpc.ec_type & MPTCP_EC_TYPE_CURVE, e->curve);
	ecp_absorb(e, &s, EC_MPC_SYNACK);
	/* Table 1: the SYN/ACK carries only what fits beside the EC option */
	struct ec_opt_plan plan;
	assert_int_equal(ec_option_plan(e->curve, e->variant, EC_MPC_SYNACK, EC_SYN_WANT, &plan), 0);
	assert_int_equal(s.o.flags & ~plan.keep & EC_SYN_WANT, 0);
	assert_true(t->last_optlen <= 40);
	f->our_iss = s.seq;
	f->pack = s.seq + 1;
	o = ecp_opt(e, EC_MPC_ACK_A, MPTCP_CAP_E_EC);
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, NULL, 0);
	assert_int_equal(t->n_accept, 1);
	ecp_finish(t, e, true);
	harness_poll(t->h);   /* the engine hook computes the stack's K */
}

/* The stack connects (ec mode from mt_conf); the peer B answers with EC. */
static void ec_client_open(struct mt *t, struct ecp *e)
{
	struct mflow *f = &t->f[0];
	f->uport = htons(50000);
	f->pport = htons(80);
	assert_int_equal(mpdk_connect(t->h->e, f->peer, f->pport, 0, f->uport, &mt_handler, t, &t->c), 0);
	struct mout s = mt_expect(t, 0, F_SYN);
	const struct mptcp_opt *mpc = mt_opt(&s, MPTCP_SUB_CAPABLE);
	assert_non_null(mpc);
	assert_int_equal(mpc->mpc.form, MPTCP_CAP_EC_SYN);
	assert_int_equal(mpc->mpc.ec_type & MPTCP_EC_TYPE_CURVE, e->curve);
	ecp_absorb(e, &s, EC_MPC_SYN);
	/* Table 1 for the SYN, and never more than 40 bytes of options */
	struct ec_opt_plan plan;
	assert_int_equal(ec_option_plan(e->curve, e->variant, EC_MPC_SYN, EC_SYN_WANT, &plan), 0);
	assert_int_equal(s.o.flags & EC_SYN_WANT, plan.keep);
	assert_true(t->last_optlen <= 40);
	f->our_iss = s.seq;
	f->pack = s.seq + 1;
	f->pseq = f->peer_isn;
	struct mptcp_opt o;
	if (e->variant == EC_VARIANT_DRAFT) {
		o = ecp_opt(e, EC_MPC_ACK_B, MPTCP_CAP_E_EC);
		mt_send_raw(t, 0, f->pseq + 1, f->pack, F_ACK, &o, 1, NULL, 0);
		mt_expect_none(t);   /* SYN-SENT keeps B's x and waits */
	}
	o = ecp_opt(e, EC_MPC_SYNACK, MPTCP_CAP_E_EC);
	mt_send_raw(t, 0, f->pseq, f->pack, F_SYN | F_ACK, &o, 1, NULL, 0);
	f->pseq++;
	s = mt_expect(t, 0, F_ACK);
	ecp_absorb(e, &s, EC_MPC_ACK_A);
	mpc = mt_opt(&s, MPTCP_SUB_CAPABLE);
	assert_int_equal(mpc->mpc.form, e->variant == EC_VARIANT_DRAFT ? MPTCP_CAP_EC_ACK
									: MPTCP_CAP_EC_ACK_CONFIRM);
	assert_int_equal(t->n_connected, 1);
	ecp_finish(t, e, false);
	harness_poll(t->h);
}

static struct mptcp_opt ec_join_syn_opt(struct ecp *e, uint32_t token, uint8_t id, uint32_t r_a,
					const struct mptcp_hmac_ctx *k)
{
	struct mptcp_opt o;
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_JOIN;
	o.mpj.form = MPTCP_JOIN_SYN_EC;
	o.mpj.addr_id = id;
	o.mpj.token = token;
	o.mpj.nonce = r_a;
	o.mpj.hmac_token = ec_hmac_token(k, token, id, r_a);
	(void)e;
	return o;
}

/* Draft 4.2: EC MP_JOIN of flow @k, the peer initiating, with K. */
static void ec_join(struct mt *t, struct ecp *e, int k, uint8_t id)
{
	struct mflow *f = &t->f[k];
	f->nonce_peer = 0x7e570000u + (uint32_t)k;
	struct mptcp_opt o = ec_join_syn_opt(e, t->our_token, id, f->nonce_peer, &e->s.k);
	f->pseq = f->peer_isn;
	mt_send_raw(t, k, f->pseq, 0, F_SYN, &o, 1, NULL, 0);
	f->pseq++;
	struct mout s = mt_expect(t, k, F_SYN | F_ACK);
	const struct mptcp_opt *j = mt_opt(&s, MPTCP_SUB_JOIN);
	assert_non_null(j);
	assert_int_equal(j->mpj.form, MPTCP_JOIN_SYNACK);
	f->nonce_us = j->mpj.nonce;
	f->our_iss = s.seq;
	f->pack = s.seq + 1;
	/* Auth_B = msb_64(HMAC(K, R_B || R_A)) */
	assert_true(ec_auth_b_ok(&e->s.k, f->nonce_us, f->nonce_peer, j->mpj.thmac));
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_JOIN;
	o.mpj.form = MPTCP_JOIN_ACK;
	uint8_t h[MPTCP_HMAC_LEN];
	ec_auth_a(&e->s.k, f->nonce_peer, f->nonce_us, h);
	memcpy(o.mpj.hmac, h, MPTCP_JOIN_ACK_HMAC_LEN);
	mt_send_raw(t, k, f->pseq, f->pack, F_ACK, &o, 1, NULL, 0);
	s = mt_expect(t, k, F_ACK);
	assert_non_null(mt_opt(&s, MPTCP_SUB_DSS));
}

/* Data from the peer on flow @k reaches the application intact. */
static void data_reaches_app(struct mt *t, int k, uint32_t seed)
{
	uint8_t d[300], r[600];
	bool eof;
	mt_pattern(d, sizeof(d), seed);
	mt_data(t, k, d, sizeof(d));
	mt_drain_dack(t);
	size_t n = mt_read(t, r, sizeof(r), &eof);
	assert_int_equal(n, sizeof(d));
	assert_memory_equal(r, d, sizeof(d));
}

/* ------------------------------------------------------------ handshakes */

/* Draft 4.1 + Figures 1/3, responder: both variants; keys and IDSNs from
 * the x coordinates (data at IDSN(Key-A)+1 is delivered), K computed by
 * the engine hook, an EC join checked with K. */
static void test_ec_server_both_variants(void **state)
{
	(void)state;
	for (unsigned v = 0; v < EC_VARIANT_COUNT; v++) {
		ec_conf(MPDK_KEY_EC_PREFERRED, "secp192r1", v);
		struct mt *t = mt_new();
		struct ecp e;
		ecp_init(&e, EC_SECP192R1, v);
		ec_server_open(t, &e);
		/* the configured curve's pool was filled at start */
		assert_int_equal(mt_ctr(t, "ec_pool_empty_passive"), 0);
		assert_int_equal(mt_ctr(t, "ec_established"), 1);
		assert_int_equal(mt_ctr(t, "ec_k_ready"), 1);
		struct mpdk_mptcp_key_info ki;
		assert_int_equal(mpdk_mptcp_key_info(t->c, &ki), 0);
		assert_true(ki.ec && ki.k_ready && ki.mptcp);
		assert_int_equal(ki.ec_curve, EC_SECP192R1);
		data_reaches_app(t, 0, 1);
		ec_join(t, &e, 1, 1);
		assert_int_equal(mt_ctr(t, "mptcp_join_ack_rx"), 1);
		data_reaches_app(t, 1, 2);
		assert_int_equal(mt_info(t).mptcp_subflows, 2);
		mt_free(t);
	}
}

/* Draft 4.1 + Figures 1/3, initiator: both variants. */
static void test_ec_client_both_variants(void **state)
{
	(void)state;
	for (unsigned v = 0; v < EC_VARIANT_COUNT; v++) {
		ec_conf(MPDK_KEY_EC_REQUIRED, "secp160r1", v);
		struct mt *t = mt_new();
		struct ecp e;
		ecp_init(&e, EC_SECP160R1, v);
		ec_client_open(t, &e);
		assert_int_equal(mt_ctr(t, "ec_established"), 1);
		/* the stack's first data byte is at IDSN(Key-A) + 1 */
		assert_int_equal(mpdk_send(t->c, "abc", 3), 3);
		struct mout s = mt_expect(t, 0, F_ACK);
		struct mptcp_opt_dss d = mt_dss_of(&s);
		assert_true(d.has_map);
		assert_int_equal(d.dsn, t->our_idsn + 1);
		assert_memory_equal(s.data, "abc", 3);
		mt_free(t);
	}
}

/* ec-draft, segment 2 lost: A drops the SYN/ACK that has B's y but not
 * its x (docs/security.md, "The four-segment exchange") and its SYN
 * retransmits. */
static void test_ec_draft_lost_segment_2(void **state)
{
	(void)state;
	ec_conf(MPDK_KEY_EC_REQUIRED, "secp160r1", EC_VARIANT_DRAFT);
	struct mt *t = mt_new();
	struct ecp e;
	ecp_init(&e, EC_SECP160R1, EC_VARIANT_DRAFT);
	struct mflow *f = &t->f[0];
	f->uport = htons(50000);
	f->pport = htons(80);
	assert_int_equal(mpdk_connect(t->h->e, f->peer, f->pport, 0, f->uport, &mt_handler, t, &t->c), 0);
	struct mout s = mt_expect(t, 0, F_SYN);
	ecp_absorb(&e, &s, EC_MPC_SYN);
	f->pack = s.seq + 1;
	f->pseq = f->peer_isn;
	struct mptcp_opt o = ecp_opt(&e, EC_MPC_SYNACK, MPTCP_CAP_E_EC);
	mt_send_raw(t, 0, f->pseq, f->pack, F_SYN | F_ACK, &o, 1, NULL, 0);
	mt_expect_none(t);
	assert_int_equal(mt_ctr(t, "ec_draft_synack_no_x"), 1);
	harness_advance(t->h, 1100 * T_MS);
	s = mt_expect(t, 0, F_SYN);   /* the SYN again, still EC */
	assert_int_equal(mt_opt(&s, MPTCP_SUB_CAPABLE)->mpc.form, MPTCP_CAP_EC_SYN);
	o = ecp_opt(&e, EC_MPC_ACK_B, MPTCP_CAP_E_EC);
	mt_send_raw(t, 0, f->pseq + 1, f->pack, F_ACK, &o, 1, NULL, 0);
	o = ecp_opt(&e, EC_MPC_SYNACK, MPTCP_CAP_E_EC);
	mt_send_raw(t, 0, f->pseq, f->pack, F_SYN | F_ACK, &o, 1, NULL, 0);
	s = mt_expect(t, 0, F_ACK);
	assert_int_equal(mt_opt(&s, MPTCP_SUB_CAPABLE)->mpc.form, MPTCP_CAP_EC_ACK);
	assert_int_equal(t->n_connected, 1);
	mt_free(t);
}

/* Issue 5 item 3 against a Linux-like peer: an EC SYN answered with a
 * plain SYN/ACK (Linux skips an MP_CAPABLE of unexpected length). A
 * resets it and connects again with RFC 8684's SYN; the next connection
 * to that peer starts with RFC 8684 (remembered). ec-required fails. */
static void test_ec_preferred_linux_like_peer(void **state)
{
	(void)state;
	ec_conf(MPDK_KEY_EC_PREFERRED, "secp224r1", EC_VARIANT_COMPRESSED);
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	f->uport = htons(50000);
	f->pport = htons(80);
	assert_int_equal(mpdk_connect(t->h->e, f->peer, f->pport, 0, f->uport, &mt_handler, t, &t->c), 0);
	struct mout s = mt_expect(t, 0, F_SYN);
	assert_int_equal(mt_opt(&s, MPTCP_SUB_CAPABLE)->mpc.form, MPTCP_CAP_EC_SYN);
	/* ec-preferred offers RFC 8684 (H) beside E */
	assert_true(mt_opt(&s, MPTCP_SUB_CAPABLE)->mpc.flags & MPTCP_CAP_H_HMAC_SHA256);
	uint32_t iss1 = s.seq;
	f->pseq = f->peer_isn;
	mt_send_raw(t, 0, f->pseq, iss1 + 1, F_SYN | F_ACK, NULL, 0, NULL, 0);
	s = mt_expect(t, 0, F_RST);
	assert_int_equal(s.seq, iss1 + 1);
	s = mt_expect(t, 0, F_SYN);
	assert_true(s.seq != iss1);
	const struct mptcp_opt *mpc = mt_opt(&s, MPTCP_SUB_CAPABLE);
	assert_non_null(mpc);
	assert_int_equal(mpc->mpc.form, MPTCP_CAP_SYN);
	assert_int_equal(mt_ctr(t, "ec_fallback_restart"), 1);
	f->our_iss = s.seq;
	f->pack = s.seq + 1;
	f->pseq = f->peer_isn + 5000;
	struct mptcp_opt o = mt_mpc(MPTCP_CAP_SYNACK, t->peer_key, 0);
	mt_send_raw(t, 0, f->pseq, f->pack, F_SYN | F_ACK, &o, 1, NULL, 0);
	f->pseq++;
	s = mt_expect(t, 0, F_ACK);
	assert_int_equal(mt_opt(&s, MPTCP_SUB_CAPABLE)->mpc.form, MPTCP_CAP_ACK);
	assert_int_equal(t->n_connected, 1);
	struct mpdk_mptcp_key_info ki;
	assert_int_equal(mpdk_mptcp_key_info(t->c, &ki), 0);
	assert_true(ki.mptcp && ki.fell_back && !ki.ec && !ki.peer_cached);
	assert_int_equal(ki.mode, MPDK_KEY_RFC8684);
	/* a second connection to the same peer: RFC 8684 at once */
	struct mflow *g = &t->f[2];
	g->uport = htons(50001);
	g->pport = htons(80);
	mpdk_conn_t c2;
	assert_int_equal(mpdk_connect(t->h->e, g->peer, g->pport, 0, g->uport, &mt_handler, t, &c2), 0);
	s = mt_expect(t, 2, F_SYN);
	assert_int_equal(mt_opt(&s, MPTCP_SUB_CAPABLE)->mpc.form, MPTCP_CAP_SYN);
	assert_int_equal(mt_ctr(t, "ec_peer_cache_hit"), 1);
	mt_free(t);

	/* ec-required: the same answer fails the connection, clearly */
	ec_conf(MPDK_KEY_EC_REQUIRED, "secp224r1", EC_VARIANT_COMPRESSED);
	t = mt_new();
	f = &t->f[0];
	f->uport = htons(50000);
	f->pport = htons(80);
	assert_int_equal(mpdk_connect(t->h->e, f->peer, f->pport, 0, f->uport, &mt_handler, t, &t->c), 0);
	s = mt_expect(t, 0, F_SYN);
	assert_false(mt_opt(&s, MPTCP_SUB_CAPABLE)->mpc.flags & MPTCP_CAP_H_HMAC_SHA256);
	mt_send_raw(t, 0, f->peer_isn, s.seq + 1, F_SYN | F_ACK, NULL, 0, NULL, 0);
	s = mt_expect(t, 0, F_RST | F_ACK);
	assert_int_equal(t->n_closed, 1);
	assert_int_equal(t->closed_err, -EPROTONOSUPPORT);
	assert_int_equal(t->n_connected, 0);
	assert_int_equal(mt_ctr(t, "ec_required_refused_active"), 1);
	mt_free(t);
}

/* ec-required server: an RFC 8684 SYN and a plain SYN get a RST, and no
 * connection is accepted. */
static void test_ec_required_server_refuses(void **state)
{
	(void)state;
	ec_conf(MPDK_KEY_EC_REQUIRED, "secp224r1", EC_VARIANT_COMPRESSED);
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	assert_int_equal(mpdk_listen(t->h->e, 0, f->uport, 8, &mt_handler, t, &t->l), 0);
	struct mptcp_opt o = mt_mpc(MPTCP_CAP_SYN, 0, 0);
	mt_send_raw(t, 0, f->peer_isn, 0, F_SYN, &o, 1, NULL, 0);
	struct mout s = mt_expect(t, 0, F_RST | F_ACK);
	assert_int_equal(s.ack, f->peer_isn + 1);
	mt_send_raw(t, 1, t->f[1].peer_isn, 0, F_SYN, NULL, 0, NULL, 0);
	s = mt_expect(t, 1, F_RST | F_ACK);
	assert_int_equal(mt_ctr(t, "ec_required_refused_passive"), 2);
	assert_int_equal(t->n_accept, 0);
	/* refused SYNs are no passive opens (the counter counts after the
	 * key mode's decision) */
	assert_int_equal(mt_ctr(t, "tcp_passive_open"), 0);
	mt_free(t);
}

/* ------------------------------------------------------------ attacks */

/* Draft section 3.1, the eavesdropper: it saw the first handshake and
 * joins from its own address (10.0.0.3). rfc8684: it succeeds and its
 * bytes reach the application (the known weakness, asserted as such).
 * EC: every join it can build from what it saw is refused before any
 * state exists (an RFC 8684 join with the public keys; an EC join whose
 * HMAC_Token is keyed with a value of public data), and the legitimate
 * host's EC join still works. */
static void test_attack_eavesdropper_join(void **state)
{
	(void)state;
	/* rfc8684: the keys are on the wire */
	mt_conf_reset();
	struct mt *t = mt_new();
	mt_server_open(t);   /* the eavesdropper reads Key-A and Key-B here */
	mt_join(t, 1, 7);    /* ... and joins: HMAC-A/HMAC-B from those keys */
	assert_int_equal(mt_ctr(t, "mptcp_join_ack_rx"), 1);
	data_reaches_app(t, 1, 9);   /* the attacker's bytes in the stream */
	mt_free(t);

	ec_conf(MPDK_KEY_EC_PREFERRED, "secp224r1", EC_VARIANT_COMPRESSED);
	t = mt_new();
	struct ecp e;
	ecp_init(&e, EC_SECP224R1, EC_VARIANT_COMPRESSED);
	ec_server_open(t, &e);
	uint64_t passive0 = mt_ctr(t, "tcp_passive_open");
	/* (1) RFC 8684 join with Token_B and HMACs of the public keys */
	struct mptcp_opt o;
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_JOIN;
	o.mpj.form = MPTCP_JOIN_SYN;
	o.mpj.addr_id = 7;
	o.mpj.token = t->our_token;
	o.mpj.nonce = 1234;
	mt_send_raw(t, 1, t->f[1].peer_isn, 0, F_SYN, &o, 1, NULL, 0);
	mt_expect_none(t);
	assert_int_equal(mt_ctr(t, "ec_join_not_ec"), 1);
	/* (2) EC join, HMAC_Token keyed with what the eavesdropper has:
	 * SHA-256 of both public x coordinates, and Key-A || Key-B */
	uint8_t guess[64];
	const struct ec_curve_info *ci = ec_curve_get(EC_SECP224R1);
	memcpy(guess, e.pub.x, ci->field_bytes);
	memcpy(guess + ci->field_bytes, e.stack.x, ci->field_bytes);
	struct mptcp_hmac_ctx k1, k2;
	ec_hmac_ctx_init(&k1, guess, 2u * ci->field_bytes);
	mptcp_hmac_ctx_init(&k2, t->peer_key, t->our_key);
	o = ec_join_syn_opt(&e, t->our_token, 7, 5678, &k1);
	mt_send_raw(t, 1, t->f[1].peer_isn, 0, F_SYN, &o, 1, NULL, 0);
	o = ec_join_syn_opt(&e, t->our_token, 7, 5679, &k2);
	mt_send_raw(t, 1, t->f[1].peer_isn, 0, F_SYN, &o, 1, NULL, 0);
	mt_expect_none(t);
	assert_int_equal(mt_ctr(t, "ec_join_hmac_token_fail"), 2);
	/* nothing was allocated: no tcb, the join code never ran */
	assert_int_equal(mt_ctr(t, "tcp_passive_open"), passive0);
	assert_int_equal(mt_ctr(t, "mptcp_join_syn_rx"), 0);
	/* the legitimate A (it has K) joins */
	ec_join(t, &e, 1, 7);
	assert_int_equal(mt_ctr(t, "mptcp_join_ack_rx"), 1);
	mt_free(t);
}

/* Draft section 3.2: a join flood with a valid token from many 4-tuples
 * (ports 41000..41063 of 10.0.0.3). rfc8684: half-open joins stay within
 * the subflow limit (the rest are refused) and the connection keeps
 * working. EC: all refused on HMAC_Token before any state is allocated
 * (the counter proves it), the connection keeps working and can still
 * take the legitimate join. */
#define FLOOD 64
static void test_attack_join_flood(void **state)
{
	(void)state;
	for (int ec = 0; ec < 2; ec++) {
		struct ecp e;
		struct mt *t;
		if (ec) {
			ec_conf(MPDK_KEY_EC_PREFERRED, "secp224r1", EC_VARIANT_COMPRESSED);
			t = mt_new();
			ecp_init(&e, EC_SECP224R1, EC_VARIANT_COMPRESSED);
			ec_server_open(t, &e);
		} else {
			mt_conf_reset();
			t = mt_new();
			mt_server_open(t);
		}
		uint64_t passive0 = mt_ctr(t, "tcp_passive_open");
		uint16_t port1 = t->f[1].pport;
		unsigned synacks = 0;
		for (unsigned i = 0; i < FLOOD; i++) {
			struct mptcp_opt o;
			memset(&o, 0, sizeof(o));
			o.subtype = MPTCP_SUB_JOIN;
			o.mpj.token = t->our_token;
			o.mpj.addr_id = (uint8_t)(10 + i);
			o.mpj.nonce = 0xf100d000u + i;
			if (ec) {
				o.mpj.form = MPTCP_JOIN_SYN_EC;
				o.mpj.hmac_token = 0x9e3779b9u * (i + 1);   /* cannot know K */
			} else {
				o.mpj.form = MPTCP_JOIN_SYN;
			}
			t->f[1].pport = htons((uint16_t)(41000 + i));
			mt_send_raw(t, 1, 777000u + i, 0, F_SYN, &o, 1, NULL, 0);
			struct mout s;
			while (mt_pop(t, &s))
				if ((s.flags & (F_SYN | F_ACK)) == (F_SYN | F_ACK))
					synacks++;
		}
		t->f[1].pport = port1;
		if (ec) {
			assert_int_equal(synacks, 0);
			assert_int_equal(mt_ctr(t, "ec_join_hmac_token_fail"), FLOOD);
			assert_int_equal(mt_ctr(t, "tcp_passive_open"), passive0);
			assert_int_equal(mt_ctr(t, "mptcp_join_syn_rx"), 0);
		} else {
			assert_int_equal(synacks, mt_conf.mptcp.max_subflows);
			assert_int_equal(mt_ctr(t, "mptcp_join_limit"), FLOOD - mt_conf.mptcp.max_subflows);
		}
		print_message("  %s: %u join SYNs, %u SYN/ACKs, %llu refused before any state\n",
			      ec ? "ec" : "rfc8684", FLOOD, synacks,
			      (unsigned long long)mt_ctr(t, "ec_join_hmac_token_fail"));
		data_reaches_app(t, 0, 3);   /* the connection keeps working */
		if (ec)
			ec_join(t, &e, 2, 3);
		mt_free(t);
	}
}

/* Draft section 3.3: ADD_ADDR forged off path (random HMAC) and by the
 * eavesdropper (HMAC keyed with the keys it saw, RFC 8684 3.4.1).
 * rfc8684: the eavesdropper's is accepted (known weakness). EC: both are
 * refused; the peer's ADD_ADDR keyed with K is accepted. */
static void test_attack_forged_add_addr(void **state)
{
	(void)state;
	for (int ec = 0; ec < 2; ec++) {
		struct ecp e;
		struct mt *t;
		if (ec) {
			ec_conf(MPDK_KEY_EC_PREFERRED, "secp224r1", EC_VARIANT_COMPRESSED);
			t = mt_new();
			ecp_init(&e, EC_SECP224R1, EC_VARIANT_COMPRESSED);
			ec_server_open(t, &e);
		} else {
			mt_conf_reset();
			t = mt_new();
			mt_server_open(t);
		}
		struct mflow *f = &t->f[0];
		struct mptcp_opt o;
		memset(&o, 0, sizeof(o));
		o.subtype = MPTCP_SUB_ADD_ADDR;
		o.add_addr.family = MPTCP_ADDR_IPV4;
		o.add_addr.addr_id = 9;
		o.add_addr.addr.v4 = mt_ip("10.0.0.9");
		/* off path: no keys */
		o.add_addr.hmac = 0x0123456789abcdefull;
		mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, NULL, 0);
		assert_int_equal(mt_ctr(t, "mptcp_add_addr_hmac_fail"), 1);
		assert_int_equal(mt_ctr(t, "mptcp_add_addr_rx"), 0);
		/* the eavesdropper: the sender's key first (3.4.1) */
		o.add_addr.hmac = mptcp_add_addr_hmac(t->peer_key, t->our_key, &o.add_addr);
		mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, NULL, 0);
		if (!ec) {
			assert_int_equal(mt_ctr(t, "mptcp_add_addr_rx"), 1);   /* the weakness */
		} else {
			assert_int_equal(mt_ctr(t, "mptcp_add_addr_hmac_fail"), 2);
			assert_int_equal(mt_ctr(t, "mptcp_add_addr_rx"), 0);
			/* the real peer, keyed with K */
			o.add_addr.addr_id = 10;
			o.add_addr.addr.v4 = mt_ip("10.0.0.3");
			o.add_addr.hmac = ec_add_addr_hmac(&e.s.k, &o.add_addr);
			mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, NULL, 0);
			assert_int_equal(mt_ctr(t, "mptcp_add_addr_rx"), 1);
		}
		mt_free(t);
	}
}

/* Draft section 4.2 "reusing a previously delivered HMAC": a replayed
 * EC join SYN (same Token_B, Address ID, R_A, HMAC_Token) from another
 * 4-tuple is refused while the first subflow lives (Address ID in use)
 * and after it is gone ((Address ID, R_A) remembered). */
static void test_attack_replayed_join_syn(void **state)
{
	(void)state;
	ec_conf(MPDK_KEY_EC_PREFERRED, "secp224r1", EC_VARIANT_COMPRESSED);
	struct mt *t = mt_new();
	struct ecp e;
	ecp_init(&e, EC_SECP224R1, EC_VARIANT_COMPRESSED);
	ec_server_open(t, &e);
	ec_join(t, &e, 1, 5);
	struct mptcp_opt o = ec_join_syn_opt(&e, t->our_token, 5, t->f[1].nonce_peer, &e.s.k);
	mt_send_raw(t, 2, t->f[2].peer_isn, 0, F_SYN, &o, 1, NULL, 0);
	mt_expect_none(t);
	assert_int_equal(mt_ctr(t, "ec_join_id_in_use"), 1);
	/* the joined subflow goes (RST); the same SYN again */
	struct mflow *f1 = &t->f[1];
	mt_send_raw(t, 1, f1->pseq, f1->pack, F_RST | F_ACK, NULL, 0, NULL, 0);
	mt_drain_dack(t);
	assert_int_equal(mt_info(t).mptcp_subflows, 1);
	mt_send_raw(t, 2, t->f[2].peer_isn, 0, F_SYN, &o, 1, NULL, 0);
	mt_expect_none(t);
	assert_int_equal(mt_ctr(t, "ec_join_replay"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_join_syn_rx"), 1);   /* the real one only */
	mt_free(t);
}

/* A join SYN that arrives before K is computed is dropped (counted), not
 * answered with inline ECDH; its retransmission after the hook ran is
 * accepted. */
static void test_ec_join_before_k(void **state)
{
	(void)state;
	ec_conf(MPDK_KEY_EC_PREFERRED, "secp224r1", EC_VARIANT_COMPRESSED);
	struct mt *t = mt_new();
	struct ecp e;
	ecp_init(&e, EC_SECP224R1, EC_VARIANT_COMPRESSED);
	struct mflow *f = &t->f[0];
	assert_int_equal(mpdk_listen(t->h->e, 0, f->uport, 8, &mt_handler, t, &t->l), 0);
	struct mptcp_opt o = ecp_opt(&e, EC_MPC_SYN, MPTCP_CAP_E_EC | MPTCP_CAP_H_HMAC_SHA256);
	f->pseq = f->peer_isn;
	mt_send_raw(t, 0, f->pseq, 0, F_SYN, &o, 1, NULL, 0);
	f->pseq++;
	struct mout s = mt_expect(t, 0, F_SYN | F_ACK);
	ecp_absorb(&e, &s, EC_MPC_SYNACK);
	f->pack = s.seq + 1;
	ecp_finish(t, &e, true);
	/* the third ACK and the join SYN in one receive burst: the hook has
	 * not run between them */
	struct mptcp_opt ack = ecp_opt(&e, EC_MPC_ACK_A, MPTCP_CAP_E_EC);
	struct mptcp_opt join = ec_join_syn_opt(&e, t->our_token, 4, 4444, &e.s.k);
	send_np(t, 0, f->pseq, f->pack, F_ACK, &ack);
	send_np(t, 1, t->f[1].peer_isn, 0, F_SYN, &join);
	harness_poll(t->h);
	assert_int_equal(t->n_accept, 1);
	mt_expect_none(t);
	assert_int_equal(mt_ctr(t, "ec_join_k_not_ready"), 1);
	assert_int_equal(mt_ctr(t, "ec_k_inline"), 0);
	assert_int_equal(mt_ctr(t, "ec_k_ready"), 1);   /* the hook ran after the burst */
	mt_send_raw(t, 1, t->f[1].peer_isn, 0, F_SYN, &join, 1, NULL, 0);
	s = mt_expect(t, 1, F_SYN | F_ACK);
	assert_true(ec_auth_b_ok(&e.s.k, mt_opt(&s, MPTCP_SUB_JOIN)->mpj.nonce, 4444,
				 mt_opt(&s, MPTCP_SUB_JOIN)->mpj.thmac));
	mt_free(t);
}

/* ec-preferred when EC SYNs are dropped on the way (a middlebox that
 * drops a long unknown option): after 2 EC SYNs the SYN offers RFC 8684
 * (peer remembered); ec-required keeps offering EC. */
static void test_ec_syn_retries(void **state)
{
	(void)state;
	for (int req = 0; req < 2; req++) {
		ec_conf(req ? MPDK_KEY_EC_REQUIRED : MPDK_KEY_EC_PREFERRED, "secp192r1",
			EC_VARIANT_COMPRESSED);
		struct mt *t = mt_new();
		struct mflow *f = &t->f[0];
		f->uport = htons(50000);
		f->pport = htons(80);
		assert_int_equal(mpdk_connect(t->h->e, f->peer, f->pport, 0, f->uport, &mt_handler, t,
					      &t->c), 0);
		enum mptcp_cap_form forms[4];
		for (int i = 0; i < 4; i++) {
			if (i > 0)
				harness_advance(t->h, (1000ull << i) * T_MS);
			struct mout s = mt_expect(t, 0, F_SYN);
			const struct mptcp_opt *mpc = mt_opt(&s, MPTCP_SUB_CAPABLE);
			assert_non_null(mpc);
			forms[i] = mpc->mpc.form;
		}
		assert_int_equal(forms[0], MPTCP_CAP_EC_SYN);
		assert_int_equal(forms[1], MPTCP_CAP_EC_SYN);
		assert_int_equal(forms[2], req ? MPTCP_CAP_EC_SYN : MPTCP_CAP_SYN);
		assert_int_equal(forms[3], req ? MPTCP_CAP_EC_SYN : MPTCP_CAP_SYN);
		assert_int_equal(mt_ctr(t, "ec_fallback_syn_retries"), req ? 0 : 1);
		mt_free(t);
	}
}

/* Keygen hook: the token table is full (every RFC 8684 token taken). */
static int fail_keygen(void *arg, uint64_t *key, uint32_t *token)
{
	(void)arg;
	(void)key;
	(void)token;
	return -ENOSPC;
}

/* Draft section 4.1 / docs/security.md "ec-preferred fallback": the peer
 * answers the EC SYN with plain TCP and the restart with an RFC 8684 SYN
 * cannot get an RFC 8684 token (RFC 8684 section 3.1: the token must be
 * unique). The restart goes on as plain TCP: the meta is freed, nothing of
 * it is read afterwards (the reviewer's use-after-free repro, run under
 * ASan), the new SYN has no MP_CAPABLE and keeps our window scale. */
static void test_restart_token_fail(void **state)
{
	(void)state;
	ec_conf(MPDK_KEY_EC_PREFERRED, "secp224r1", EC_VARIANT_COMPRESSED);
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	f->uport = htons(50000);
	f->pport = htons(80);
	assert_int_equal(mpdk_connect(t->h->e, f->peer, f->pport, 0, f->uport, &mt_handler, t, &t->c), 0);
	struct mout s = mt_expect(t, 0, F_SYN);
	assert_int_equal(mt_opt(&s, MPTCP_SUB_CAPABLE)->mpc.form, MPTCP_CAP_EC_SYN);
	bool ws1 = s.o.flags & TCP_OPT_F_WSCALE;
	uint8_t wscale1 = s.o.wscale;
	uint32_t iss1 = s.seq;
	uint64_t full0 = mt_ctr(t, "mptcp_token_full");
	token_table_set_keygen(t->h->e->stack->tokens, fail_keygen, NULL);
	mt_send_raw(t, 0, f->peer_isn, iss1 + 1, F_SYN | F_ACK, NULL, 0, NULL, 0);
	s = mt_expect(t, 0, F_RST);
	assert_int_equal(s.seq, iss1 + 1);
	s = mt_expect(t, 0, F_SYN);
	assert_true(s.seq != iss1);
	assert_null(mt_opt(&s, MPTCP_SUB_CAPABLE));
	/* the EC SYN may have left window scaling out for room (Table 1);
	 * the plain SYN carries our saved scale again */
	assert_true(s.o.flags & TCP_OPT_F_WSCALE);
	if (ws1)
		assert_int_equal(s.o.wscale, wscale1);
	assert_int_equal(mt_ctr(t, "ec_fallback_restart"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_token_full"), full0 + 1);
	token_table_set_keygen(t->h->e->stack->tokens, NULL, NULL);
	mt_free(t);
}

/* docs/security.md "Keying modes": ec-required never connects with RFC
 * 8684 keys (draft section 4.1 leaves the choice to policy). With no EC
 * keying on the engine (hs_ec_engine_init failed; tcp_engine_init now
 * refuses to start then, this is the second line) the SYN offers no MPTCP
 * at all and the connection fails with a clear error, counted. */
static void test_ec_required_no_engine(void **state)
{
	(void)state;
	ec_conf(MPDK_KEY_EC_REQUIRED, "secp224r1", EC_VARIANT_COMPRESSED);
	struct mt *t = mt_new();
	hs_ec_engine_fini(t->h->e->tcp);   /* as if the init had failed */
	struct mflow *f = &t->f[0];
	f->uport = htons(50000);
	f->pport = htons(80);
	assert_int_equal(mpdk_connect(t->h->e, f->peer, f->pport, 0, f->uport, &mt_handler, t, &t->c), 0);
	struct mout s = mt_expect(t, 0, F_SYN);
	assert_null(mt_opt(&s, MPTCP_SUB_CAPABLE));
	assert_int_equal(mt_ctr(t, "ec_unavailable"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_active_open"), 0);
	/* even a peer offering RFC 8684 is refused */
	struct mptcp_opt o = mt_mpc(MPTCP_CAP_SYNACK, t->peer_key, 0);
	mt_send_raw(t, 0, f->peer_isn, s.seq + 1, F_SYN | F_ACK, &o, 1, NULL, 0);
	s = mt_expect(t, 0, F_RST | F_ACK);
	assert_int_equal(t->n_closed, 1);
	assert_int_equal(t->closed_err, -ENOMEM);
	assert_int_equal(t->n_connected, 0);
	assert_int_equal(mt_ctr(t, "ec_required_refused_active"), 1);
	mt_free(t);

	/* ec-preferred without the engine: RFC 8684, as documented */
	ec_conf(MPDK_KEY_EC_PREFERRED, "secp224r1", EC_VARIANT_COMPRESSED);
	t = mt_new();
	hs_ec_engine_fini(t->h->e->tcp);
	f = &t->f[0];
	f->uport = htons(50000);
	f->pport = htons(80);
	assert_int_equal(mpdk_connect(t->h->e, f->peer, f->pport, 0, f->uport, &mt_handler, t, &t->c), 0);
	s = mt_expect(t, 0, F_SYN);
	assert_int_equal(mt_opt(&s, MPTCP_SUB_CAPABLE)->mpc.form, MPTCP_CAP_SYN);
	assert_int_equal(mt_ctr(t, "ec_unavailable"), 0);
	mt_free(t);
}

/* Draft section 4.1 lets A's SYN name the curve; this server takes only
 * its configured one (docs/security.md "Keying modes": no pool and no
 * per-SYN key generation for a curve a client picks). ec-preferred
 * answers an EC SYN on another curve as plain TCP (the ec-preferred
 * client then restarts with RFC 8684), ec-required with a RST; both
 * counted, no key pair taken. */
static void test_ec_server_unconfigured_curve(void **state)
{
	(void)state;
	for (int req = 0; req < 2; req++) {
		ec_conf(req ? MPDK_KEY_EC_REQUIRED : MPDK_KEY_EC_PREFERRED, "secp224r1",
			EC_VARIANT_COMPRESSED);
		struct mt *t = mt_new();
		struct mflow *f = &t->f[0];
		assert_int_equal(mpdk_listen(t->h->e, 0, f->uport, 8, &mt_handler, t, &t->l), 0);
		struct ecp e;
		ecp_init(&e, EC_SECP192R1, EC_VARIANT_COMPRESSED);
		struct mptcp_opt o = ecp_opt(&e, EC_MPC_SYN, MPTCP_CAP_E_EC | MPTCP_CAP_H_HMAC_SHA256);
		mt_send_raw(t, 0, f->peer_isn, 0, F_SYN, &o, 1, NULL, 0);
		struct mout s = mt_expect(t, 0, req ? (F_RST | F_ACK) : (F_SYN | F_ACK));
		assert_null(mt_opt(&s, MPTCP_SUB_CAPABLE));
		assert_int_equal(mt_ctr(t, "ec_curve_refused"), 1);
		assert_int_equal(mt_ctr(t, "ec_passive_open"), 0);
		assert_int_equal(mt_ctr(t, "ec_pool_empty"), 0);
		assert_int_equal(mt_ctr(t, "ec_required_refused_passive"), req ? 1 : 0);
		mt_free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_ec_server_both_variants, mt_teardown),
		cmocka_unit_test_teardown(test_ec_client_both_variants, mt_teardown),
		cmocka_unit_test_teardown(test_ec_draft_lost_segment_2, mt_teardown),
		cmocka_unit_test_teardown(test_ec_preferred_linux_like_peer, mt_teardown),
		cmocka_unit_test_teardown(test_ec_required_server_refuses, mt_teardown),
		cmocka_unit_test_teardown(test_attack_eavesdropper_join, mt_teardown),
		cmocka_unit_test_teardown(test_attack_join_flood, mt_teardown),
		cmocka_unit_test_teardown(test_attack_forged_add_addr, mt_teardown),
		cmocka_unit_test_teardown(test_attack_replayed_join_syn, mt_teardown),
		cmocka_unit_test_teardown(test_ec_join_before_k, mt_teardown),
		cmocka_unit_test_teardown(test_ec_syn_retries, mt_teardown),
		cmocka_unit_test_teardown(test_restart_token_fail, mt_teardown),
		cmocka_unit_test_teardown(test_ec_server_unconfigured_curve, mt_teardown),
		cmocka_unit_test_teardown(test_ec_required_no_engine, mt_teardown),
	};
	harness_eal_init();
	ctx = ec_ctx_new();
	assert_non_null(ctx);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	ec_ctx_free(ctx);
	return rc;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Key mode "app", application-supplied keys (docs/security.md,
 * "Application-supplied keys"), black box on the MPTCP harness: the test
 * plays the peer byte by byte.
 *
 * Seeds: app-auth-handshake-slides.txt, slide "MP_CAPABLE handshake" (the
 * G bit, tokens instead of keys: SYN G; SYN/ACK G, Token-B; ACK G, Token-A,
 * Token-B) and slide "MP JOIN handshake" (the application provides Key-A
 * and Key-B; hmacA = hmac(keyA + keyB, randA + randB)); and
 * tls-authentication-draft.txt section 2 and Figure 1 (the same MP_JOIN
 * exchange as RFC 8684 with keys from the application; subflows only once
 * the key exchange completed). Section 3 of that draft: an interceptor of
 * the initial handshake cannot hijack the session.
 */
#include "mptcp_test_util.h"
#include "mpdk/mpdk_mptcp.h"

#define G MPTCP_CAP_G_APP_KEYS

static int setup(void **state)
{
	mt_conf_reset();
	mt_conf.mptcp.key_mode = MPDK_KEY_APP;
	*state = NULL;
	return 0;
}

static int setup_rfc8684(void **state)
{
	mt_conf_reset();
	*state = NULL;
	return 0;
}

static int parse(const uint8_t *p, size_t len, uint8_t th, struct mptcp_opt *o)
{
	return mptcp_opt_parse(p, len, th, o);
}

static struct mptcp_opt app_mpc(enum mptcp_cap_form form, uint32_t snd_token, uint32_t rcv_token)
{
	struct mptcp_opt o;
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_CAPABLE;
	o.mpc.form = form;
	o.mpc.version = MPTCP_VERSION;
	o.mpc.flags = G;
	o.mpc.snd_token = snd_token;
	o.mpc.rcv_token = rcv_token;
	return o;
}

/* IDSN-X = lsb_64(SHA-256(Token-X || Token-other)) (docs/security.md). */
static uint64_t app_idsn(uint32_t own, uint32_t other)
{
	return mptcp_key_idsn((uint64_t)own << 32 | other);
}

/* ---- the codec (slide "MP_CAPABLE handshake", draft section 2) ---- */

/* The four G forms, byte for byte, both ways. */
static void test_app_option_bytes(void **state)
{
	(void)state;
	struct mptcp_opt o;
	uint8_t buf[40];
	/* SYN: kind 30, length 4, subtype 0 | version 1, flags G (0x02) */
	const uint8_t syn[] = { 30, 4, 0x01, 0x02 };
	assert_int_equal(parse(syn, sizeof(syn), F_SYN, &o), 0);
	assert_int_equal(o.mpc.form, MPTCP_CAP_APP_SYN);
	assert_int_equal(o.mpc.flags, G);
	assert_int_equal(mptcp_opt_write(buf, sizeof(buf), &o), 4);
	assert_memory_equal(buf, syn, 4);
	/* SYN/ACK: G, Token-B */
	const uint8_t synack[] = { 30, 8, 0x01, 0x82, 0xb1, 0xb2, 0xb3, 0xb4 };
	assert_int_equal(parse(synack, sizeof(synack), F_SYN | F_ACK, &o), 0);
	assert_int_equal(o.mpc.form, MPTCP_CAP_APP_SYNACK);
	assert_int_equal(o.mpc.flags, G | MPTCP_CAP_A_CHECKSUM);
	assert_int_equal(o.mpc.snd_token, 0xb1b2b3b4u);
	assert_true(o.mpc.snd_key == 0 && o.mpc.rcv_key == 0);
	assert_int_equal(mptcp_opt_write(buf, sizeof(buf), &o), 8);
	assert_memory_equal(buf, synack, 8);
	/* ACK: G, Token-A, Token-B */
	const uint8_t ack[] = { 30, 12, 0x01, 0x02, 0xa1, 0xa2, 0xa3, 0xa4, 0xb1, 0xb2, 0xb3, 0xb4 };
	assert_int_equal(parse(ack, sizeof(ack), F_ACK, &o), 0);
	assert_int_equal(o.mpc.form, MPTCP_CAP_APP_ACK);
	assert_int_equal(o.mpc.snd_token, 0xa1a2a3a4u);
	assert_int_equal(o.mpc.rcv_token, 0xb1b2b3b4u);
	assert_int_equal(mptcp_opt_write(buf, sizeof(buf), &o), 12);
	assert_memory_equal(buf, ack, 12);
	/* ACK with the first data: + Data-Level Length (+ checksum) */
	const uint8_t ackd[] = { 30, 14, 0x01, 0x02, 0xa1, 0xa2, 0xa3, 0xa4,
				 0xb1, 0xb2, 0xb3, 0xb4, 0x05, 0xdc };
	assert_int_equal(parse(ackd, sizeof(ackd), F_ACK | F_PSH, &o), 0);
	assert_int_equal(o.mpc.form, MPTCP_CAP_APP_ACK_DATA);
	assert_int_equal(o.mpc.data_len, 1500);
	assert_false(o.mpc.has_csum);
	assert_int_equal(mptcp_opt_write(buf, sizeof(buf), &o), 14);
	assert_memory_equal(buf, ackd, 14);
	const uint8_t ackdc[] = { 30, 16, 0x01, 0x82, 0xa1, 0xa2, 0xa3, 0xa4,
				  0xb1, 0xb2, 0xb3, 0xb4, 0x00, 0x10, 0xbe, 0xef };
	assert_int_equal(parse(ackdc, sizeof(ackdc), F_ACK, &o), 0);
	assert_int_equal(o.mpc.form, MPTCP_CAP_APP_ACK_DATA);
	assert_true(o.mpc.has_csum);
	assert_int_equal(o.mpc.csum, 0xbeef);
	assert_int_equal(mptcp_opt_write(buf, sizeof(buf), &o), 16);
	assert_memory_equal(buf, ackdc, 16);
}

/* G next to the other flags: G|H on a SYN offers both (an RFC 8684 SYN);
 * G with RFC 8684's lengths is RFC 8684's form (needs H); B is refused;
 * G with E belongs to the EC forms; wrong lengths are malformed. */
static void test_app_option_flags_and_lengths(void **state)
{
	(void)state;
	struct mptcp_opt o, w;
	uint8_t buf[40];
	const uint8_t syn_gh[] = { 30, 4, 0x01, G | MPTCP_CAP_H_HMAC_SHA256 };
	assert_int_equal(parse(syn_gh, 4, F_SYN, &o), 0);
	assert_int_equal(o.mpc.form, MPTCP_CAP_SYN);
	assert_int_equal(o.mpc.flags & G, G);
	/* the writer never makes a G|H APP_SYN (it would read back as SYN) */
	w = app_mpc(MPTCP_CAP_APP_SYN, 0, 0);
	w.mpc.flags |= MPTCP_CAP_H_HMAC_SHA256;
	assert_int_equal(mptcp_opt_len(&w), 0);
	/* nor a token form without G, or with E */
	w = app_mpc(MPTCP_CAP_APP_SYNACK, 1, 0);
	w.mpc.flags = MPTCP_CAP_H_HMAC_SHA256;
	assert_int_equal(mptcp_opt_write(buf, sizeof(buf), &w), 0);
	w.mpc.flags = G | MPTCP_CAP_E_EC;
	assert_int_equal(mptcp_opt_len(&w), 0);
	/* B: an extension we do not know -> ignored (RFC 8684 §3.1) */
	const uint8_t syn_gb[] = { 30, 4, 0x01, G | MPTCP_CAP_B_EXTENSIBILITY };
	assert_int_equal(parse(syn_gb, 4, F_SYN, &o), -ENOTSUP);
	const uint8_t sa_gb[] = { 30, 8, 0x01, G | MPTCP_CAP_B_EXTENSIBILITY, 1, 2, 3, 4 };
	assert_int_equal(parse(sa_gb, 8, F_SYN | F_ACK, &o), -ENOTSUP);
	/* SYN/ACK of RFC 8684's length with G|H: Key-B, RFC 8684's form */
	const uint8_t sa12[] = { 30, 12, 0x01, G | MPTCP_CAP_H_HMAC_SHA256, 1, 2, 3, 4, 5, 6, 7, 8 };
	assert_int_equal(parse(sa12, 12, F_SYN | F_ACK, &o), 0);
	assert_int_equal(o.mpc.form, MPTCP_CAP_SYNACK);
	assert_true(o.mpc.snd_key == 0x0102030405060708ull);
	assert_int_equal(o.mpc.snd_token, 0);
	/* ... and with G alone no algorithm we know: ignored */
	uint8_t sa12g[12];
	memcpy(sa12g, sa12, 12);
	sa12g[3] = G;
	assert_int_equal(parse(sa12g, 12, F_SYN | F_ACK, &o), -ENOTSUP);
	/* lengths no form has */
	const uint8_t sa10[] = { 30, 10, 0x01, G, 1, 2, 3, 4, 5, 6 };
	assert_int_equal(parse(sa10, 10, F_SYN | F_ACK, &o), -EBADMSG);
	const uint8_t ack13[] = { 30, 13, 0x01, G, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	assert_int_equal(parse(ack13, 13, F_ACK, &o), -EBADMSG);
	const uint8_t syn8[] = { 30, 8, 0x01, G, 1, 2, 3, 4 };
	assert_int_equal(parse(syn8, 8, F_SYN, &o), -EBADMSG);
	/* truncated: the length byte beyond the buffer */
	assert_int_equal(parse(ack13, 12, F_ACK, &o), -EBADMSG);
}

/* ---- the handshake, stack as server (B) ---- */

/* The peer (A) opens with G: SYN (G) -> SYN/ACK (G, Token-B) -> ACK (G,
 * Token-A, Token-B). Fills t->our_token / t->peer_token and the data
 * sequence spaces from the tokens; keys are not known yet. */
static void app_server_open(struct mt *t)
{
	struct mflow *f = &t->f[0];
	assert_int_equal(mpdk_listen(t->h->e, 0, f->uport, 8, &mt_handler, t, &t->l), 0);
	struct mptcp_opt o = app_mpc(MPTCP_CAP_APP_SYN, 0, 0);
	f->pseq = f->peer_isn;
	mt_send_raw(t, 0, f->pseq, 0, F_SYN, &o, 1, NULL, 0);
	f->pseq++;
	struct mout s = mt_expect(t, 0, F_SYN | F_ACK);
	int k = mt_opt_idx(&s, MPTCP_SUB_CAPABLE);
	assert_true(k >= 0);
	/* slide "MP_CAPABLE handshake": SYN/ACK + MP_CAPABLE (G == 1, tokenB) */
	assert_int_equal(s.mp_len[k], 8);
	assert_int_equal(s.mp_raw[k][3], G);
	assert_int_equal(s.mp[k].mpc.form, MPTCP_CAP_APP_SYNACK);
	t->our_token = s.mp[k].mpc.snd_token;
	f->our_iss = s.seq;
	f->pack = s.seq + 1;
	t->peer_token = 0x7e570001u;
	t->peer_idsn = app_idsn(t->peer_token, t->our_token);
	t->our_idsn = app_idsn(t->our_token, t->peer_token);
	t->pdsn = t->peer_idsn + 1;
	t->dack = t->our_idsn + 1;
	o = app_mpc(MPTCP_CAP_APP_ACK, t->peer_token, t->our_token);
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, NULL, 0);
	assert_int_equal(t->n_accept, 1);
	assert_true(t->c != MPDK_CONN_INVALID);
	assert_int_equal(mt_ctr(t, "mptcp_app_established"), 1);
}

/* Data flows at once over the initial subflow, before any key is known
 * (draft section 2: the TLS handshake runs over it), in the data sequence
 * spaces of the tokens: the peer's data at IDSN-A + 1 is read, ours goes
 * at IDSN-B + 1. */
static void test_app_server_handshake_and_data(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	app_server_open(t);
	struct mpdk_conn_info i = mt_info(t);
	assert_true(i.mptcp);
	assert_false(i.mptcp_fallback);
	uint8_t d[300], r[400];
	bool eof;
	mt_pattern(d, sizeof(d), 9);
	mt_data(t, 0, d, sizeof(d));
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), sizeof(d));
	assert_memory_equal(r, d, sizeof(d));
	/* the DATA_ACK covers it */
	assert_int_equal(mt_drain_dack(t), sizeof(d));
	assert_int_equal(mpdk_send(t->c, d, 100), 100);
	struct mout s = mt_expect(t, 0, F_ACK);
	assert_int_equal(s.len, 100);
	struct mptcp_opt_dss dss = mt_dss_of(&s);
	assert_true(dss.has_map);
	assert_true(dss.dsn == t->our_idsn + 1);
	assert_memory_equal(s.data, d, 100);
	i = mt_info(t);
	assert_int_equal(i.bytes_in, sizeof(d));
	mt_free(t);
}

/* The join half, RFC 8684 §3.2 keyed with the application's keys. Peer is
 * A (the initiator): Key-A = t->peer_key, Key-B = t->our_key. */
static void set_app_keys(struct mt *t, uint64_t key_a, uint64_t key_b)
{
	t->peer_key = key_a;
	t->our_key = key_b;
	assert_int_equal(mpdk_mptcp_set_keys(t->c, key_a, key_b), 0);
}

/* A join SYN with the right token before the keys are set is refused with
 * a RST and counted (slide "MP JOIN handshake": the keys come from the
 * application; draft section 2: "the key exchange [must] have completed
 * before subflows can be created"). Once set, the same join succeeds with
 * HMACs keyed by Key-A || Key-B. */
static void test_app_join_refused_until_keys(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	app_server_open(t);
	struct mflow *f = &t->f[1];
	struct mptcp_opt o;
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_JOIN;
	o.mpj.form = MPTCP_JOIN_SYN;
	o.mpj.addr_id = 1;
	o.mpj.token = t->our_token;
	o.mpj.nonce = 0x11223344u;
	f->pseq = f->peer_isn;
	mt_send_raw(t, 1, f->pseq, 0, F_SYN, &o, 1, NULL, 0);
	struct mout s = mt_expect(t, 1, F_RST | F_ACK);
	(void)s;
	assert_int_equal(mt_ctr(t, "mptcp_app_join_nokeys"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_join_ack_rx"), 0);
	struct mpdk_mptcp_subflow_info sfi[4];
	assert_int_equal(mpdk_mptcp_subflows(t->c, sfi, 4), 1);
	/* keys set: the join goes through, both HMACs checked */
	set_app_keys(t, 0x1111222233334444ull, 0x5555666677778888ull);
	mt_join(t, 1, 1);
	assert_int_equal(mt_ctr(t, "mptcp_join_ack_rx"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_app_join_nokeys"), 1);
	assert_int_equal(mpdk_mptcp_subflows(t->c, sfi, 4), 2);
	/* data over the joined subflow reaches the application */
	uint8_t d[200], r[256];
	bool eof;
	mt_pattern(d, sizeof(d), 3);
	mt_data(t, 1, d, sizeof(d));
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), sizeof(d));
	assert_memory_equal(r, d, sizeof(d));
	mt_free(t);
}

/*
 * The attack of issue 5 ("eavesdropper in the initial handshake later
 * joins from its own address"; draft section 3): the attacker saw every
 * byte of the MP_CAPABLE exchange. It opens a join from 10.0.0.3 with the
 * token it saw (accepted: tokens are public), gets the SYN/ACK, and must
 * answer with HMAC-A. @app: against key mode app it only has tokens and
 * the nonces, so its best HMAC is keyed with what it saw; against rfc8684
 * it keyed the HMAC with the keys it saw. Returns whether the join got in.
 */
static bool eavesdropper_join(struct mt *t, bool app, uint64_t guess_a, uint64_t guess_b)
{
	struct mflow *f = &t->f[1];
	struct mptcp_opt o;
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_JOIN;
	o.mpj.form = MPTCP_JOIN_SYN;
	o.mpj.addr_id = 9;
	o.mpj.token = t->our_token;
	f->nonce_peer = 0xe0e0e0e0u;
	o.mpj.nonce = f->nonce_peer;
	f->pseq = f->peer_isn;
	mt_send_raw(t, 1, f->pseq, 0, F_SYN, &o, 1, NULL, 0);
	f->pseq++;
	struct mout s = mt_expect(t, 1, F_SYN | F_ACK);
	const struct mptcp_opt *j = mt_opt(&s, MPTCP_SUB_JOIN);
	assert_non_null(j);
	f->nonce_us = j->mpj.nonce;
	f->pack = s.seq + 1;
	uint8_t h[MPTCP_HMAC_LEN];
	mptcp_join_hmac(guess_a, guess_b, f->nonce_peer, f->nonce_us, h);
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_JOIN;
	o.mpj.form = MPTCP_JOIN_ACK;
	memcpy(o.mpj.hmac, h, MPTCP_JOIN_ACK_HMAC_LEN);
	mt_send_raw(t, 1, f->pseq, f->pack, F_ACK, &o, 1, NULL, 0);
	(void)app;
	struct mpdk_mptcp_subflow_info sfi[4];
	int n = mpdk_mptcp_subflows(t->c, sfi, 4);
	int alive = 0;
	for (int k = 0; k < n && k < 4; k++)
		alive += !sfi[k].closed && sfi[k].remote_addr == mt_ip("10.0.0.3");
	return alive > 0;
}

/* Key mode app: the eavesdropper's join fails on HMAC-A whatever it keys
 * it with from the MP_CAPABLE bytes it saw (tokens, tokens widened to
 * 64 bits, zero), counted as an HMAC failure with a RST; the connection
 * keeps working. */
static void test_app_eavesdropper_join_fails(void **state)
{
	(void)state;
	mt_conf.mptcp.max_subflows = 8;   /* every attempt takes a subflow slot */
	struct mt *t = mt_new();
	app_server_open(t);
	set_app_keys(t, 0x0a0b0c0d01020304ull, 0x1a1b1c1d11121314ull);
	const uint64_t guesses[][2] = {
		{ t->peer_token, t->our_token },
		{ (uint64_t)t->peer_token << 32 | t->our_token, (uint64_t)t->our_token << 32 | t->peer_token },
		{ t->peer_idsn, t->our_idsn },
		{ 0, 0 },
	};
	for (unsigned g = 0; g < sizeof(guesses) / sizeof(guesses[0]); g++) {
		assert_false(eavesdropper_join(t, true, guesses[g][0], guesses[g][1]));
		assert_int_equal(mt_ctr(t, "mptcp_join_ack_hmac_fail"), g + 1);
		struct mout s = mt_expect(t, 1, F_RST | F_ACK);
		(void)s;
		harness_advance(t->h, 10 * T_MS);
		mt_drain_dack(t);
	}
	assert_int_equal(mt_ctr(t, "mptcp_join_ack_rx"), 0);
	/* the real A, with the keys, still joins */
	mt_join(t, 1, 1);
	assert_int_equal(mt_ctr(t, "mptcp_join_ack_rx"), 1);
	mt_free(t);
}

/* The same attack against key mode rfc8684 succeeds: the keys were in the
 * MP_CAPABLE it saw (the known weakness, asserted as such). */
static void test_rfc8684_eavesdropper_join_succeeds(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	mt_server_open(t);
	/* what it read on the wire: Key-A in the third ACK, Key-B in the
	 * SYN/ACK (the harness' peer_key and our_key are exactly those) */
	assert_true(eavesdropper_join(t, false, t->peer_key, t->our_key));
	assert_int_equal(mt_ctr(t, "mptcp_join_ack_rx"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_join_ack_hmac_fail"), 0);
	mt_free(t);
}

/* mpdk_mptcp_set_keys() arguments and states. */
static void test_app_set_keys_errors(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	assert_int_equal(mpdk_mptcp_set_keys(MPDK_CONN_INVALID, 1, 2), -EBADF);
	app_server_open(t);
	assert_int_equal(mpdk_mptcp_set_keys(t->l, 1, 2), -EINVAL);     /* a listener */
	assert_int_equal(mpdk_mptcp_set_keys(t->c, 0, 2), -EINVAL);
	assert_int_equal(mpdk_mptcp_set_keys(t->c, 2, 0), -EINVAL);
	assert_int_equal(mpdk_mptcp_set_keys(t->c, 7, 7), -EINVAL);
	assert_int_equal(mt_ctr(t, "mptcp_app_keys_set"), 0);
	assert_int_equal(mpdk_mptcp_set_keys(t->c, 1, 2), 0);
	assert_int_equal(mpdk_mptcp_set_keys(t->c, 1, 2), -EALREADY);
	assert_int_equal(mpdk_mptcp_set_keys(t->c, 3, 4), -EALREADY);
	assert_int_equal(mt_ctr(t, "mptcp_app_keys_set"), 1);
	assert_string_not_equal(mpdk_strerror(-EALREADY), "");
	mt_free(t);
}

/* Key mode rfc8684: set_keys is not for this connection. */
static void test_rfc8684_set_keys_refused(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	mt_server_open(t);
	assert_int_equal(mpdk_mptcp_set_keys(t->c, 1, 2), -EOPNOTSUPP);
	mt_free(t);
}

/* A server in key mode app given an RFC 8684 SYN (H, no G; Linux's)
 * answers as plain TCP: keys in clear are what this mode avoids. */
static void test_app_server_rfc8684_syn_plain_tcp(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	assert_int_equal(mpdk_listen(t->h->e, 0, f->uport, 8, &mt_handler, t, &t->l), 0);
	struct mptcp_opt o = mt_mpc(MPTCP_CAP_SYN, 0, 0);
	f->pseq = f->peer_isn;
	mt_send_raw(t, 0, f->pseq, 0, F_SYN, &o, 1, NULL, 0);
	struct mout s = mt_expect(t, 0, F_SYN | F_ACK);
	assert_null(mt_opt(&s, MPTCP_SUB_CAPABLE));
	assert_int_equal(mt_ctr(t, "mptcp_app_not_offered"), 1);
	mt_free(t);
}

/* And a server in key mode rfc8684 ignores a G-only SYN (no algorithm it
 * knows, RFC 8684 §3.1): plain TCP, no keys sent. */
static void test_rfc8684_server_ignores_g_syn(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	assert_int_equal(mpdk_listen(t->h->e, 0, f->uport, 8, &mt_handler, t, &t->l), 0);
	struct mptcp_opt o = app_mpc(MPTCP_CAP_APP_SYN, 0, 0);
	f->pseq = f->peer_isn;
	mt_send_raw(t, 0, f->pseq, 0, F_SYN, &o, 1, NULL, 0);
	struct mout s = mt_expect(t, 0, F_SYN | F_ACK);
	assert_null(mt_opt(&s, MPTCP_SUB_CAPABLE));
	mt_free(t);
}

/* ---- stack as client (A) ---- */

static void app_client_open(struct mt *t, bool peer_takes_g)
{
	struct mflow *f = &t->f[0];
	f->uport = htons(50000);
	f->pport = htons(80);
	assert_int_equal(mpdk_connect(t->h->e, f->peer, f->pport, 0, f->uport, &mt_handler, t, &t->c), 0);
	struct mout s = mt_expect(t, 0, F_SYN);
	int k = mt_opt_idx(&s, MPTCP_SUB_CAPABLE);
	assert_true(k >= 0);
	/* slide: SYN + MP_CAPABLE (G = 1); length 4, no H: no RFC 8684 keys */
	assert_int_equal(s.mp_len[k], 4);
	assert_int_equal(s.mp_raw[k][3], G);
	assert_int_equal(s.mp[k].mpc.form, MPTCP_CAP_APP_SYN);
	f->our_iss = s.seq;
	f->pack = s.seq + 1;
	f->pseq = f->peer_isn;
	struct mptcp_opt o;
	t->peer_token = 0xb0b0b0b1u;
	if (peer_takes_g)
		o = app_mpc(MPTCP_CAP_APP_SYNACK, t->peer_token, 0);
	else
		o = mt_mpc(MPTCP_CAP_SYNACK, t->peer_key, 0);
	mt_send_raw(t, 0, f->pseq, f->pack, F_SYN | F_ACK, &o, 1, NULL, 0);
	f->pseq++;
	assert_int_equal(t->n_connected, 1);
}

/* The stack's third ACK carries G, Token-A (its own) and Token-B (draft
 * Figure 1: ACK + MP_CAPABLE(Token-A, Token-B)); its first data carries
 * them too with the Data-Level Length, mapped at IDSN-A + 1. */
static void test_app_client_handshake(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	app_client_open(t, true);
	struct mout s = mt_expect(t, 0, F_ACK);
	int k = mt_opt_idx(&s, MPTCP_SUB_CAPABLE);
	assert_true(k >= 0);
	assert_int_equal(s.mp_len[k], 12);
	assert_int_equal(s.mp[k].mpc.form, MPTCP_CAP_APP_ACK);
	assert_int_equal(s.mp[k].mpc.rcv_token, t->peer_token);
	t->our_token = s.mp[k].mpc.snd_token;
	t->our_idsn = app_idsn(t->our_token, t->peer_token);
	t->peer_idsn = app_idsn(t->peer_token, t->our_token);
	t->pdsn = t->peer_idsn + 1;
	t->dack = t->our_idsn + 1;
	uint8_t d[64];
	mt_pattern(d, sizeof(d), 21);
	assert_int_equal(mpdk_send(t->c, d, sizeof(d)), sizeof(d));
	s = mt_expect(t, 0, F_ACK);
	assert_int_equal(s.len, sizeof(d));
	k = mt_opt_idx(&s, MPTCP_SUB_CAPABLE);
	assert_true(k >= 0);
	assert_int_equal(s.mp_len[k], 14);
	assert_int_equal(s.mp[k].mpc.form, MPTCP_CAP_APP_ACK_DATA);
	assert_int_equal(s.mp[k].mpc.data_len, sizeof(d));
	assert_int_equal(s.mp[k].mpc.snd_token, t->our_token);
	/* the peer's data at IDSN-B + 1 arrives */
	uint8_t r[100];
	bool eof;
	t->f[0].pack = s.seq + s.len;
	mt_data(t, 0, d, 40);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 40);
	assert_memory_equal(r, d, 40);
	/* keys by role: Key-A is ours (the initiator's) */
	assert_int_equal(mpdk_mptcp_set_keys(t->c, 0x1234ull, 0x5678ull), 0);
	assert_true(mt_info(t).mptcp_local_key == 0x1234ull);
	mt_free(t);
}

/* A peer that answers without G (an RFC 8684 SYN/ACK with its key): the
 * connection is plain TCP, no MP_CAPABLE in the third ACK (RFC 8684
 * §3.7), counted; set_keys says it does not apply. */
static void test_app_client_peer_without_g(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	app_client_open(t, false);
	struct mout s = mt_expect(t, 0, F_ACK);
	assert_null(mt_opt(&s, MPTCP_SUB_CAPABLE));
	assert_int_equal(mt_ctr(t, "mptcp_app_not_offered"), 1);
	assert_int_equal(mpdk_mptcp_set_keys(t->c, 1, 2), -EOPNOTSUPP);
	mt_free(t);
}

/* ---- ADD_ADDR (RFC 8684 §3.4.1, HMAC keyed with the application's keys) ---- */

/* A `signal` endpoint is not announced before the keys are set (its HMAC
 * needs them); set_keys releases it, with the HMAC of Key-B || Key-A. An
 * ADD_ADDR that arrives before our keys are set cannot be checked yet: it
 * is held, and checked when they are (this one has a wrong HMAC). */
static void test_app_add_addr_waits_for_keys(void **state)
{
	(void)state;
	mt_two_local = true;
	mt_conf.mptcp.n_endpoints = 1;
	mt_conf.mptcp.endpoints[0].addr = mt_ip("10.0.0.4");
	mt_conf.mptcp.endpoints[0].flags = MPDK_MPTCP_EP_SIGNAL;
	mt_conf.mptcp.endpoints[0].id = 5;
	struct mt *t = mt_new();
	app_server_open(t);
	struct mout s;
	for (int k = 0; k < 4; k++) {
		while (mt_pop(t, &s))
			assert_null(mt_opt(&s, MPTCP_SUB_ADD_ADDR));
		harness_advance(t->h, 50 * T_MS);
	}
	assert_int_equal(mt_ctr(t, "mptcp_add_addr_tx"), 0);
	/* the peer announces an address before our keys: dropped */
	struct mptcp_opt o[2] = { mt_dss(t, true, 0, true, 0, 0, false) };
	memset(&o[1], 0, sizeof(o[1]));
	o[1].subtype = MPTCP_SUB_ADD_ADDR;
	o[1].add_addr.addr_id = 3;
	o[1].add_addr.family = MPTCP_ADDR_IPV4;
	o[1].add_addr.addr.v4 = mt_ip("10.0.0.3");
	o[1].add_addr.hmac = 0x0123456789abcdefull;
	mt_send_raw(t, 0, t->f[0].pseq, t->f[0].pack, F_ACK, o, 2, NULL, 0);
	assert_int_equal(mt_ctr(t, "mptcp_app_add_addr_nokeys"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_add_addr_rx"), 0);
	assert_int_equal(mt_ctr(t, "mptcp_add_addr_hmac_fail"), 0);
	set_app_keys(t, 0x0102030405060708ull, 0x1112131415161718ull);
	assert_int_equal(mt_ctr(t, "mptcp_add_addr_hmac_fail"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_add_addr_rx"), 0);
	const struct mptcp_opt *a = NULL;
	struct mptcp_opt got;
	for (int k = 0; k < 5 && a == NULL; k++) {
		while (mt_pop(t, &s)) {
			const struct mptcp_opt *x = mt_opt(&s, MPTCP_SUB_ADD_ADDR);
			if (x != NULL && a == NULL) {
				got = *x;
				a = &got;
			}
		}
		if (a == NULL)
			harness_advance(t->h, 50 * T_MS);
	}
	assert_non_null(a);
	assert_int_equal(a->add_addr.addr_id, 5);
	assert_true(a->add_addr.hmac == mptcp_add_addr_hmac(t->our_key, t->peer_key, &a->add_addr));
	mt_free(t);
}

/* An ADD_ADDR with the right HMAC (RFC 8684 §3.4.1, keyed Key-A || Key-B
 * by the peer A) that arrives before our keys is held; once they are set
 * it verifies and is echoed. More than HS_APP_HELD_MAX before the keys:
 * the extra ones are dropped and counted. */
static void test_app_add_addr_held_then_accepted(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	app_server_open(t);
	const uint64_t ka = 0x2122232425262728ull, kb = 0x3132333435363738ull;
	struct mptcp_opt o[2] = { mt_dss(t, true, 0, true, 0, 0, false) };
	for (int k = 0; k < 6; k++) {
		memset(&o[1], 0, sizeof(o[1]));
		o[1].subtype = MPTCP_SUB_ADD_ADDR;
		o[1].add_addr.addr_id = (uint8_t)(3 + k);
		o[1].add_addr.family = MPTCP_ADDR_IPV4;
		o[1].add_addr.addr.v4 = k == 0 ? mt_ip("10.0.0.3") : htonl(0x0a000a00u + (uint32_t)k);
		o[1].add_addr.hmac = mptcp_add_addr_hmac(ka, kb, &o[1].add_addr);
		mt_send_raw(t, 0, t->f[0].pseq, t->f[0].pack, F_ACK, o, 2, NULL, 0);
	}
	assert_int_equal(mt_ctr(t, "mptcp_app_add_addr_nokeys"), 4);
	assert_int_equal(mt_ctr(t, "mptcp_app_add_addr_dropped"), 2);
	mt_drain_dack(t);
	set_app_keys(t, ka, kb);
	assert_int_equal(mt_ctr(t, "mptcp_add_addr_hmac_fail"), 0);
	assert_int_equal(mt_ctr(t, "mptcp_add_addr_rx"), 4);
	/* echoed on the next ACK (the path manager keeps one echo pending:
	 * the last of the four) */
	struct mout s;
	bool echoed = false;
	for (int k = 0; k < 4 && !echoed; k++) {
		while (mt_pop(t, &s)) {
			const struct mptcp_opt *x = mt_opt(&s, MPTCP_SUB_ADD_ADDR);
			if (x != NULL && x->add_addr.echo && x->add_addr.addr_id == 6)
				echoed = true;
		}
		if (!echoed) {
			mt_ack(t, 0);
			harness_advance(t->h, 10 * T_MS);
		}
	}
	assert_true(echoed);
	mt_free(t);
}

/* RFC 8684 section 3.1, flag C: a server configured with
 * deny_join_initial sets C in its SYN/ACK. The app mode rewrites the
 * MP_CAPABLE to its G form and must keep C (it kept only A before). */
static void test_app_synack_keeps_c(void **state)
{
	(void)state;
	mt_conf.mptcp.deny_join_initial = true;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	assert_int_equal(mpdk_listen(t->h->e, 0, f->uport, 8, &mt_handler, t, &t->l), 0);
	struct mptcp_opt o = app_mpc(MPTCP_CAP_APP_SYN, 0, 0);
	mt_send_raw(t, 0, f->peer_isn, 0, F_SYN, &o, 1, NULL, 0);
	struct mout s = mt_expect(t, 0, F_SYN | F_ACK);
	int k = mt_opt_idx(&s, MPTCP_SUB_CAPABLE);
	assert_true(k >= 0);
	assert_int_equal(s.mp[k].mpc.form, MPTCP_CAP_APP_SYNACK);
	assert_int_equal(s.mp_raw[k][3], G | MPTCP_CAP_C_NO_NEW_SUBFLOW);
	assert_true(s.mp[k].mpc.flags & MPTCP_CAP_C_NO_NEW_SUBFLOW);
	mt_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_app_option_bytes),
		cmocka_unit_test(test_app_option_flags_and_lengths),
		cmocka_unit_test_setup_teardown(test_app_server_handshake_and_data, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_app_synack_keeps_c, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_app_join_refused_until_keys, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_app_eavesdropper_join_fails, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_rfc8684_eavesdropper_join_succeeds, setup_rfc8684,
						mt_teardown),
		cmocka_unit_test_setup_teardown(test_app_set_keys_errors, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_rfc8684_set_keys_refused, setup_rfc8684, mt_teardown),
		cmocka_unit_test_setup_teardown(test_app_server_rfc8684_syn_plain_tcp, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_rfc8684_server_ignores_g_syn, setup_rfc8684,
						mt_teardown),
		cmocka_unit_test_setup_teardown(test_app_client_handshake, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_app_client_peer_without_g, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_app_add_addr_waits_for_keys, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_app_add_addr_held_then_accepted, setup, mt_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

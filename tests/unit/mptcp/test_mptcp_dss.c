/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MPTCP v1 handshake and the DSS mapping logic (RFC 8684 §3.1, §3.3),
 * black box: the test plays a Linux peer byte by byte against one mpdk
 * stack on a virtual clock (tests/lib/harness.h), and checks what the
 * stack sends (MP_CAPABLE placements, DSS mappings and DATA_ACKs) and
 * what the application reads.
 */
#include "mptcp_test_util.h"

/* A key whose IDSN's low 32 bits are 0xfffffd95: the peer's data sequence
 * numbers cross 2^32 after 618 bytes (computed with Python hashlib:
 * SHA-256(0x11223344000e8cb4 as 8 big-endian bytes) ends in
 * ece5b890fffffd95). */
#define KEY_NEAR_WRAP 0x11223344000e8cb4ull
#define IDSN_NEAR_WRAP 0xece5b890fffffd95ull

static int setup(void **state)
{
	mt_conf_reset();
	*state = NULL;
	return 0;
}

static uint64_t be64_at(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/* RFC 8684 §3.1, server side: SYN with MP_CAPABLE v1 (no key) -> SYN/ACK
 * with a 12-byte MP_CAPABLE carrying Key-B; the third ACK with both keys
 * establishes MPTCP. The token of Key-B names the connection (a join with
 * it is accepted: test_mptcp_meta). */
static void test_mpc_server_handshake(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	assert_int_equal(mpdk_listen(t->h->e, 0, f->uport, 8, &mt_handler, t, &t->l), 0);
	struct mptcp_opt o = mt_mpc(MPTCP_CAP_SYN, 0, 0);
	f->pseq = f->peer_isn;
	mt_send_raw(t, 0, f->pseq, 0, F_SYN, &o, 1, NULL, 0);
	f->pseq++;
	struct mout s = mt_expect(t, 0, F_SYN | F_ACK);
	int i = mt_opt_idx(&s, MPTCP_SUB_CAPABLE);
	assert_true(i >= 0);
	const uint8_t *raw = s.mp_raw[i];
	assert_int_equal(s.mp_len[i], 12);
	assert_int_equal(raw[0], 30);
	assert_int_equal(raw[1], 12);
	assert_int_equal(raw[2], (MPTCP_SUB_CAPABLE << 4) | 1);   /* subtype 0, version 1 */
	assert_true(raw[3] & MPTCP_CAP_H_HMAC_SHA256);
	assert_false(raw[3] & MPTCP_CAP_B_EXTENSIBILITY);
	assert_false(raw[3] & MPTCP_CAP_A_CHECKSUM);       /* nobody asked for checksums */
	t->our_key = be64_at(raw + 4);
	assert_true(t->our_key != 0);
	assert_true(s.mp[i].mpc.snd_key == t->our_key);
	f->our_iss = s.seq;
	f->pack = s.seq + 1;
	mt_keys(t);
	/* not established before the third ACK */
	assert_int_equal(t->n_accept, 0);
	o = mt_mpc(MPTCP_CAP_ACK, t->peer_key, t->our_key);
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, NULL, 0);
	assert_int_equal(t->n_accept, 1);
	struct mpdk_conn_info ci = mt_info(t);
	assert_true(ci.mptcp);
	assert_false(ci.mptcp_fallback);
	assert_false(ci.mptcp_checksum);
	assert_int_equal(ci.mptcp_subflows, 1);
	assert_true(ci.mptcp_local_key == t->our_key);
	assert_int_equal(ci.state, MPDK_TCP_ESTABLISHED);
	assert_int_equal(mt_ctr(t, "mptcp_passive_open"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_established"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_fallback_ack"), 0);
	mt_free(t);
}

/* RFC 8684 §3.1: a third ACK echoing a Key-B that is not ours: the
 * connection must not become MPTCP (mpdk falls back and counts it). */
static void test_mpc_server_wrong_key_echo(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	assert_int_equal(mpdk_listen(t->h->e, 0, f->uport, 8, &mt_handler, t, &t->l), 0);
	struct mptcp_opt o = mt_mpc(MPTCP_CAP_SYN, 0, 0);
	f->pseq = f->peer_isn;
	mt_send_raw(t, 0, f->pseq, 0, F_SYN, &o, 1, NULL, 0);
	f->pseq++;
	struct mout s = mt_expect(t, 0, F_SYN | F_ACK);
	t->our_key = mt_opt(&s, MPTCP_SUB_CAPABLE)->mpc.snd_key;
	f->pack = s.seq + 1;
	o = mt_mpc(MPTCP_CAP_ACK, t->peer_key, t->our_key ^ 1);
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, NULL, 0);
	assert_int_equal(mt_ctr(t, "mptcp_key_mismatch"), 1);
	if (t->n_accept == 1) {
		struct mpdk_conn_info ci = mt_info(t);
		assert_false(ci.mptcp);
	}
	assert_int_equal(mt_ctr(t, "mptcp_established"), 0);
	mt_free(t);
}

/* RFC 8684 §3.1, client side: a 4-byte MP_CAPABLE on the SYN; the third
 * ACK carries Key-A then Key-B (20 bytes); the first data carries the
 * MP_CAPABLE form with Data-Level Length (22 bytes) until the peer shows
 * with a DSS that it has the keys; later data carries DSS mappings whose
 * data sequence starts at IDSN-A + 1. */
static void test_mpc_client_handshake_and_first_data(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	f->uport = htons(50000);
	f->pport = htons(80);
	assert_int_equal(mpdk_connect(t->h->e, f->peer, f->pport, 0, f->uport, &mt_handler, t, &t->c), 0);
	struct mout s = mt_expect(t, 0, F_SYN);
	int i = mt_opt_idx(&s, MPTCP_SUB_CAPABLE);
	assert_true(i >= 0);
	assert_int_equal(s.mp_len[i], 4);
	assert_int_equal(s.mp_raw[i][0], 30);
	assert_int_equal(s.mp_raw[i][1], 4);
	assert_int_equal(s.mp_raw[i][2], (MPTCP_SUB_CAPABLE << 4) | 1);
	assert_true(s.mp_raw[i][3] & MPTCP_CAP_H_HMAC_SHA256);
	assert_int_equal(mt_ctr(t, "mptcp_active_open"), 1);
	f->our_iss = s.seq;
	f->pack = s.seq + 1;
	f->pseq = f->peer_isn;
	struct mptcp_opt o = mt_mpc(MPTCP_CAP_SYNACK, t->peer_key, 0);
	mt_send_raw(t, 0, f->pseq, f->pack, F_SYN | F_ACK, &o, 1, NULL, 0);
	f->pseq++;
	s = mt_expect(t, 0, F_ACK);
	i = mt_opt_idx(&s, MPTCP_SUB_CAPABLE);
	assert_true(i >= 0);
	assert_int_equal(s.mp_len[i], 20);
	assert_int_equal(s.mp_raw[i][2], (MPTCP_SUB_CAPABLE << 4) | 1);
	struct mpdk_conn_info ci = mt_info(t);
	assert_true(ci.mptcp);
	t->our_key = ci.mptcp_local_key;
	/* Key-A (the sender of the SYN: the stack) first, then Key-B */
	assert_true(be64_at(s.mp_raw[i] + 4) == t->our_key);
	assert_true(be64_at(s.mp_raw[i] + 12) == t->peer_key);
	mt_keys(t);
	assert_int_equal(t->n_connected, 1);

	/* first data: MP_CAPABLE with Data-Level Length, no DSS */
	uint8_t d[300];
	mt_pattern(d, sizeof(d), 1);
	assert_int_equal(mpdk_send(t->c, d, 100), 100);
	s = mt_expect(t, 0, F_ACK);
	assert_int_equal(s.len, 100);
	assert_int_equal(s.seq, f->our_iss + 1);
	assert_memory_equal(s.data, d, 100);
	i = mt_opt_idx(&s, MPTCP_SUB_CAPABLE);
	assert_true(i >= 0);
	assert_int_equal(s.mp_len[i], 22);
	assert_int_equal(s.mp[i].mpc.form, MPTCP_CAP_ACK_DATA);
	assert_int_equal(s.mp[i].mpc.data_len, 100);
	assert_true(be64_at(s.mp_raw[i] + 4) == t->our_key);
	assert_true(be64_at(s.mp_raw[i] + 12) == t->peer_key);
	assert_null(mt_opt(&s, MPTCP_SUB_DSS));
	/* the peer ACKs with a DSS: DATA_ACK = IDSN-A + 1 + 100 */
	f->pack += 100;
	t->dack += 100;
	mt_ack(t, 0);
	mt_expect_none(t);
	ci = mt_info(t);
	assert_int_equal(ci.bytes_out, 100);
	assert_int_equal(ci.snd_queued, 0);
	/* now DSS mappings, 64-bit DSN continuing the data sequence */
	assert_int_equal(mpdk_send(t->c, d + 100, 50), 50);
	s = mt_expect(t, 0, F_ACK);
	assert_int_equal(s.len, 50);
	assert_null(mt_opt(&s, MPTCP_SUB_CAPABLE));
	struct mptcp_opt_dss x = mt_dss_of(&s);
	assert_true(x.has_map);
	assert_true(x.dsn64);
	assert_true(x.dsn == t->our_idsn + 1 + 100);
	assert_int_equal(x.ssn, 101);
	assert_int_equal(x.data_len, 50);
	assert_false(x.data_fin);
	assert_true(x.has_ack);
	assert_int_equal((uint32_t)x.data_ack, (uint32_t)(t->peer_idsn + 1));
	assert_memory_equal(s.data, d + 100, 50);
	mt_free(t);
}

/* RFC 8684 §3.1: the peer's first data carries MP_CAPABLE with
 * Data-Level Length (Linux sends it until it sees a DSS): its data starts
 * at IDSN-A + 1; the stack's ACK carries a DSS DATA_ACK for it. */
static void test_mpc_server_first_data_mpc_form(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	mt_server_open(t);
	uint8_t d[200], r[256];
	bool eof;
	mt_pattern(d, sizeof(d), 2);
	struct mptcp_opt o = mt_mpc(MPTCP_CAP_ACK_DATA, t->peer_key, t->our_key);
	o.mpc.data_len = 120;
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK | F_PSH, &o, 1, d, 120);
	f->pseq += 120;
	struct mout s = mt_expect(t, 0, F_ACK);
	assert_int_equal(s.ack, f->pseq);
	struct mptcp_opt_dss x = mt_dss_of(&s);
	assert_true(x.has_ack);
	assert_int_equal((uint32_t)x.data_ack, (uint32_t)(t->peer_idsn + 1 + 120));
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 120);
	assert_memory_equal(r, d, 120);
	/* and the next data with an ordinary DSS */
	t->pdsn += 120;
	mt_data(t, 0, d + 120, 80);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 80);
	assert_memory_equal(r, d + 120, 80);
	assert_int_equal(mt_drain_dack(t), 200);
	mt_free(t);
}

/* RFC 8684 §3.1: the third ACK itself carries data (MP_CAPABLE with
 * Data-Level Length on the ACK that completes the handshake). */
static void test_mpc_server_third_ack_with_data(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	assert_int_equal(mpdk_listen(t->h->e, 0, f->uport, 8, &mt_handler, t, &t->l), 0);
	struct mptcp_opt o = mt_mpc(MPTCP_CAP_SYN, 0, 0);
	f->pseq = f->peer_isn;
	mt_send_raw(t, 0, f->pseq, 0, F_SYN, &o, 1, NULL, 0);
	f->pseq++;
	struct mout s = mt_expect(t, 0, F_SYN | F_ACK);
	t->our_key = mt_opt(&s, MPTCP_SUB_CAPABLE)->mpc.snd_key;
	f->pack = s.seq + 1;
	mt_keys(t);
	uint8_t d[64], r[64];
	bool eof;
	mt_pattern(d, sizeof(d), 3);
	o = mt_mpc(MPTCP_CAP_ACK_DATA, t->peer_key, t->our_key);
	o.mpc.data_len = 64;
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK | F_PSH, &o, 1, d, 64);
	f->pseq += 64;
	assert_int_equal(t->n_accept, 1);
	assert_true(mt_info(t).mptcp);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 64);
	assert_memory_equal(r, d, 64);
	assert_int_equal(mt_drain_dack(t), 64);
	mt_free(t);
}

/* RFC 8684 §3.3.1: one mapping per segment, in order: the application
 * reads the stream, each ACK's DATA_ACK is exactly the data received. */
static void test_dss_in_order(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	mt_server_open(t);
	uint8_t d[3000], r[3000];
	bool eof;
	mt_pattern(d, sizeof(d), 4);
	for (int k = 0; k < 3; k++) {
		mt_data(t, 0, d + k * 1000, 1000);
		struct mout s = mt_expect(t, 0, F_ACK);
		assert_int_equal(s.ack, t->f[0].pseq);
		struct mptcp_opt_dss x = mt_dss_of(&s);
		assert_true(x.has_ack);
		assert_false(x.has_map);
		assert_int_equal((uint32_t)x.data_ack, (uint32_t)(t->peer_idsn + 1 + (uint64_t)(k + 1) * 1000));
	}
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 3000);
	assert_memory_equal(r, d, 3000);
	assert_false(eof);
	struct mpdk_conn_info ci = mt_info(t);
	assert_int_equal(ci.bytes_in, 3000);
	assert_int_equal(mt_ctr(t, "mptcp_dss_bad_map"), 0);
	mt_free(t);
}

/* RFC 8684 §3.3.1: "A Data Sequence Mapping does not need to be included
 * in every MPTCP packet, as long as the subflow sequence space in that
 * packet is covered by a mapping known at the receiver": one mapping of
 * 1500 bytes on the first of three segments. */
static void test_dss_mapping_covers_several_segments(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	mt_server_open(t);
	uint8_t d[1500], r[1500];
	bool eof;
	mt_pattern(d, sizeof(d), 5);
	struct mptcp_opt o = mt_dss(t, true, t->pdsn, true, f->pseq - f->peer_isn, 1500, false);
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, d, 500);
	f->pseq += 500;
	o = mt_dss(t, true, 0, true, 0, 0, false);   /* DATA_ACK only */
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, d + 500, 500);
	f->pseq += 500;
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK | F_PSH, NULL, 0, d + 1000, 500);   /* no option */
	f->pseq += 500;
	t->pdsn += 1500;
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 1500);
	assert_memory_equal(r, d, 1500);
	assert_int_equal(mt_drain_dack(t), 1500);
	assert_true(mt_info(t).mptcp);
	assert_false(mt_info(t).mptcp_fallback);
	/* and the next mapping picks up after it */
	mt_data(t, 0, d, 10);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 10);
	assert_memory_equal(r, d, 10);
	mt_free(t);
}

/* RFC 8684 §3.3.1: a mapping may arrive on a segment before the data it
 * covers: here a 1000-byte mapping on the first 400-byte segment, whose
 * subflow successor arrives first (subflow-level reordering). */
static void test_dss_mapping_with_subflow_reordering(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	mt_server_open(t);
	uint8_t d[1000], r[1000];
	bool eof;
	mt_pattern(d, sizeof(d), 6);
	uint32_t seq0 = f->pseq;
	/* second part first, with no mapping: it must wait */
	mt_send_raw(t, 0, seq0 + 400, f->pack, F_ACK, NULL, 0, d + 400, 600);
	assert_int_equal(mpdk_recv(t->c, r, sizeof(r)), -EAGAIN);
	struct mptcp_opt o = mt_dss(t, true, t->pdsn, true, seq0 - f->peer_isn, 1000, false);
	mt_send_raw(t, 0, seq0, f->pack, F_ACK, &o, 1, d, 400);
	f->pseq = seq0 + 1000;
	t->pdsn += 1000;
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 1000);
	assert_memory_equal(r, d, 1000);
	assert_int_equal(mt_drain_dack(t), 1000);
	mt_free(t);
}

/* RFC 8684 §3.3.1 / §3.7: a segment whose payload runs past the mapping
 * it carries (and no other mapping covers it) is a broken mapping. The
 * stack must not deliver any of it as data; resetting the subflow (with
 * MP_TCPRST, §3.6) is one of the allowed reactions. With one subflow
 * that ends the connection. */
static void test_dss_data_beyond_mapping(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	mt_server_open(t);
	uint8_t d[1000], r[1000];
	bool eof;
	mt_pattern(d, sizeof(d), 7);
	mt_data(t, 0, d, 100);
	mt_expect(t, 0, F_ACK);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 100);
	/* 600 bytes of payload, a mapping for 400 */
	struct mptcp_opt o = mt_dss(t, true, t->pdsn, true, f->pseq - f->peer_isn, 400, false);
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, d + 100, 600);
	assert_int_equal(mt_ctr(t, "mptcp_dss_bad_map"), 1);
	struct mout s;
	assert_true(mt_pop(t, &s));
	assert_true(s.flags & F_RST);
	const struct mptcp_opt *rst = mt_opt(&s, MPTCP_SUB_TCPRST);
	assert_non_null(rst);
	assert_int_equal(rst->tcprst.reason, MPTCP_RST_EMPTCP);
	assert_int_equal(t->n_closed, 1);
	assert_int_equal(t->closed_err, -ECONNRESET);
	/* nothing of the bad segment reached the application */
	ssize_t n = mpdk_recv(t->c, r, sizeof(r));
	assert_true(n <= 0);
	mt_free(t);
}

/* RFC 8684 §3.3.1 / §3.7: the same, the segment starts before its
 * mapping. */
static void test_dss_data_before_mapping(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	mt_server_open(t);
	uint8_t d[600], r[600];
	mt_pattern(d, sizeof(d), 8);
	struct mptcp_opt o = mt_dss(t, true, t->pdsn, true, f->pseq - f->peer_isn + 100, 500, false);
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, d, 600);
	assert_int_equal(mt_ctr(t, "mptcp_dss_bad_map"), 1);
	assert_int_equal(t->n_closed, 1);
	assert_true(mpdk_recv(t->c, r, sizeof(r)) <= 0);
	mt_free(t);
}

/* RFC 8684 §3.3: a 4-byte DSN is the low half of the 64-bit one and is
 * expanded against the current data sequence; here the peer's data
 * sequence crosses 2^32 (its IDSN's low half is 0xfffffd95), with chunks
 * arriving in order and out of order (the chunk after the wrap first). */
static void test_dss_dsn32_across_wrap(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	t->peer_key = KEY_NEAR_WRAP;
	mt_server_open(t);
	assert_true(t->peer_idsn == IDSN_NEAR_WRAP);
	uint8_t d[2000], r[2000];
	bool eof;
	mt_pattern(d, sizeof(d), 9);
	uint64_t base = t->pdsn;
	/* [0,400) in order, 32-bit DSN */
	struct mptcp_opt o = mt_dss(t, true, base, false, f->pseq - f->peer_isn, 400, false);
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, d, 400);
	f->pseq += 400;
	/* [400,800) crosses 2^32; [800,1200) lies beyond it. The subflow
	 * carries them in that order but [800,1200) comes on a segment that
	 * arrives first (subflow reordering) */
	uint32_t s1 = f->pseq, s2 = f->pseq + 400;
	assert_true(((base + 800) >> 32) != (base >> 32));
	o = mt_dss(t, true, base + 800, false, s2 - f->peer_isn, 400, false);
	mt_send_raw(t, 0, s2, f->pack, F_ACK, &o, 1, d + 800, 400);
	o = mt_dss(t, true, base + 400, false, s1 - f->peer_isn, 400, false);
	mt_send_raw(t, 0, s1, f->pack, F_ACK, &o, 1, d + 400, 400);
	f->pseq += 800;
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 1200);
	assert_memory_equal(r, d, 1200);
	/* DATA_ACK (32 bits on the wire) has wrapped too */
	struct mout s;
	uint32_t last = 0;
	while (mt_pop(t, &s)) {
		const struct mptcp_opt *x = mt_opt(&s, MPTCP_SUB_DSS);
		if (x && x->dss.has_ack)
			last = (uint32_t)x->dss.data_ack;
	}
	assert_int_equal(last, (uint32_t)(base + 1200));
	assert_true(last < 0x1000);
	/* a 64-bit DSN afterwards agrees */
	t->pdsn = base + 1200;
	mt_data(t, 0, d + 1200, 300);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 300);
	assert_memory_equal(r, d + 1200, 300);
	assert_int_equal(mt_info(t).bytes_in, 1500);
	mt_free(t);
}

/* RFC 8684 §3.3.2: a 4-byte DATA_ACK is expanded against what we sent;
 * it frees the send buffer up to it and no further. */
static void test_data_ack_32bit(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	mt_server_open(t);
	uint8_t d[1000];
	mt_pattern(d, sizeof(d), 10);
	assert_int_equal(mpdk_send(t->c, d, 1000), 1000);
	struct mout s = mt_expect(t, 0, F_ACK);
	assert_int_equal(s.len, 1000);
	struct mptcp_opt_dss x = mt_dss_of(&s);
	assert_true(x.has_map);
	assert_true(x.dsn == t->our_idsn + 1);
	assert_int_equal(x.ssn, 1);
	assert_int_equal(x.data_len, 1000);
	assert_memory_equal(s.data, d, 1000);
	/* subflow ACK of everything, DATA_ACK (32-bit) of 600 */
	f->pack += 1000;
	struct mptcp_opt o = mt_dss(t, true, 0, true, 0, 0, false);
	o.dss.ack64 = false;
	o.dss.data_ack = (uint32_t)(t->our_idsn + 1 + 600);
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, NULL, 0);
	struct mpdk_conn_info ci = mt_info(t);
	assert_int_equal(ci.bytes_out, 600);
	assert_int_equal(ci.snd_queued, 400);
	/* a DATA_ACK beyond what was sent is ignored */
	o.dss.data_ack = (uint32_t)(t->our_idsn + 1 + 5000);
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, NULL, 0);
	assert_int_equal(mt_info(t).bytes_out, 600);
	o.dss.data_ack = (uint32_t)(t->our_idsn + 1 + 1000);
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, NULL, 0);
	ci = mt_info(t);
	assert_int_equal(ci.bytes_out, 1000);
	assert_int_equal(ci.snd_queued, 0);
	mt_free(t);
}

/* Count the data bytes the stack sent (and check their mappings follow
 * the data sequence). */
static uint32_t sent_data(struct mt *t, uint64_t *next_dsn, const uint8_t *src)
{
	struct mout s;
	uint32_t n = 0;
	while (mt_pop(t, &s)) {
		if (s.len == 0)
			continue;
		struct mptcp_opt_dss x = mt_dss_of(&s);
		assert_true(x.has_map);
		assert_true(x.dsn64);
		/* this segment's data is at x.dsn + (seq - mapping start) */
		uint64_t at = x.dsn + (s.seq - (t->f[0].our_iss + x.ssn));
		assert_true(at == *next_dsn);
		assert_memory_equal(s.data, src + (at - (t->our_idsn + 1)), s.len);
		*next_dsn += s.len;
		n += s.len;
		t->f[0].pack = s.seq + s.len;
	}
	return n;
}

/* RFC 8684 §3.3.4: the receive window is relative to the DATA_ACK: with
 * the peer's window W, the stack sends up to DATA_ACK + W and no more,
 * even when the subflow-level ACK covers what it sent; a DATA_ACK moving
 * forward opens room for more. */
static void test_data_ack_moves_window(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	f->wnd = 3000;
	mt_server_open(t);
	assert_int_equal(mpdk_conn_set_nodelay(t->c, true), 0);
	uint8_t d[6000];
	mt_pattern(d, sizeof(d), 11);
	assert_int_equal(mpdk_send(t->c, d, 6000), 6000);
	uint64_t nx = t->our_idsn + 1;
	uint32_t n = sent_data(t, &nx, d);
	assert_true(n > 0 && n <= 3000);
	/* subflow ACK of all of it, DATA_ACK unchanged */
	mt_ack(t, 0);
	uint32_t n2 = sent_data(t, &nx, d);
	assert_true(n + n2 <= 3000);
	harness_advance(t->h, 10 * T_MS);
	n2 += sent_data(t, &nx, d);
	assert_true(n + n2 <= 3000);
	/* DATA_ACK of all of it: up to DATA_ACK + 3000 */
	uint32_t total = n + n2;
	t->dack = nx;
	mt_ack(t, 0);
	uint32_t n3 = sent_data(t, &nx, d);
	assert_true(n3 > 0 && n3 <= 3000);
	total += n3;
	/* go on until everything is through */
	for (int k = 0; k < 20 && total < 6000; k++) {
		t->dack = nx;
		mt_ack(t, 0);
		uint32_t m = sent_data(t, &nx, d);
		harness_advance(t->h, 1 * T_MS);
		m += sent_data(t, &nx, d);
		assert_true(m <= 3000);
		total += m;
	}
	assert_int_equal(total, 6000);
	mt_free(t);
}

/* RFC 8684 §3.3.4 with RFC 9293 §3.8.6.2.1: a peer window smaller than one
 * MSS must not stall the data level forever (the sender may send when the
 * usable window is at least half the largest window the peer offered). */
static void test_small_window_no_stall(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	f->wnd = 1000;
	mt_server_open(t);
	assert_int_equal(mpdk_conn_set_nodelay(t->c, true), 0);
	uint8_t d[4000];
	mt_pattern(d, sizeof(d), 12);
	assert_int_equal(mpdk_send(t->c, d, 4000), 4000);
	uint64_t nx = t->our_idsn + 1;
	uint32_t total = sent_data(t, &nx, d);
	for (int k = 0; k < 40 && total < 4000; k++) {
		t->dack = nx;
		mt_ack(t, 0);
		total += sent_data(t, &nx, d);
		harness_advance(t->h, 50 * T_MS);
		total += sent_data(t, &nx, d);
	}
	assert_int_equal(total, 4000);
	mt_free(t);
}

/* RFC 8684 §3.3.3: DATA_FIN on the last data segment (Data-Level Length
 * counts it): the application reads all the data, then end of stream;
 * the DATA_ACK covers the DATA_FIN. */
static void test_data_fin_with_data(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	mt_server_open(t);
	uint8_t d[800], r[800];
	bool eof;
	mt_pattern(d, sizeof(d), 13);
	mt_data(t, 0, d, 500);
	struct mptcp_opt o = mt_dss(t, true, t->pdsn, true, f->pseq - f->peer_isn, 300, true);
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, d + 500, 300);
	f->pseq += 300;
	t->pdsn += 300;
	assert_int_equal(mt_ctr(t, "mptcp_data_fin_rx"), 1);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 800);
	assert_memory_equal(r, d, 800);
	assert_int_equal(mpdk_recv(t->c, r, sizeof(r)), 0);
	assert_int_equal(mt_drain_dack(t), 801);
	assert_int_equal(mt_info(t).state, MPDK_TCP_CLOSE_WAIT);
	mt_free(t);
}

/* RFC 8684 §3.3.3: a DATA_FIN alone (length 1, subflow sequence 0, on a
 * pure ACK, as Linux sends it) received before a data-level gap is
 * filled: end of stream only after all the data. */
static void test_data_fin_alone_after_gap(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	mt_server_open(t);
	uint8_t d[1000], r[1000];
	bool eof;
	mt_pattern(d, sizeof(d), 14);
	uint32_t s0 = f->pseq;
	/* the second half on the subflow first (subflow reordering) */
	struct mptcp_opt o = mt_dss(t, true, t->pdsn + 500, true, s0 + 500 - f->peer_isn, 500, false);
	mt_send_raw(t, 0, s0 + 500, f->pack, F_ACK, &o, 1, d + 500, 500);
	/* DATA_FIN alone at DSN + 1000 */
	o = mt_dss(t, true, t->pdsn + 1000, true, 0, 0, true);
	mt_send_raw(t, 0, s0 + 1000, f->pack, F_ACK, &o, 1, NULL, 0);
	assert_int_equal(mpdk_recv(t->c, r, sizeof(r)), -EAGAIN);
	assert_int_equal(mt_ctr(t, "mptcp_data_fin_rx"), 0);
	o = mt_dss(t, true, t->pdsn, true, s0 - f->peer_isn, 500, false);
	mt_send_raw(t, 0, s0, f->pack, F_ACK, &o, 1, d, 500);
	f->pseq = s0 + 1000;
	t->pdsn += 1000;
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 1000);
	assert_memory_equal(r, d, 1000);
	assert_int_equal(mpdk_recv(t->c, r, sizeof(r)), 0);
	assert_int_equal(mt_ctr(t, "mptcp_data_fin_rx"), 1);
	assert_int_equal(mt_drain_dack(t), 1001);
	mt_free(t);
}

/* RFC 8684 §3.3.3: the stack's own DATA_FIN after its data (shutdown):
 * DSN = end of data, Data-Level Length 1, and the connection finishes
 * when the peer DATA_ACKs it and sends its own. */
static void test_data_fin_sent(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	mt_server_open(t);
	assert_int_equal(mpdk_conn_set_nodelay(t->c, true), 0);
	assert_int_equal(mpdk_send(t->c, "hello", 5), 5);
	assert_int_equal(mpdk_shutdown(t->c, MPDK_SHUT_WR), 0);
	bool fin_seen = false, tcp_fin = false;
	struct mout s;
	while (mt_pop(t, &s)) {
		tcp_fin |= (s.flags & F_FIN) != 0;
		const struct mptcp_opt *x = mt_opt(&s, MPTCP_SUB_DSS);
		assert_non_null(x);
		if (s.len)
			f->pack = s.seq + s.len;
		if (x->dss.data_fin) {
			fin_seen = true;
			/* the mapping covers the data and the DATA_FIN, or is the
			 * DATA_FIN alone at the end of the data */
			assert_true(x->dss.dsn + x->dss.data_len == t->our_idsn + 1 + 5 + 1);
		}
	}
	assert_true(fin_seen);
	assert_false(tcp_fin);   /* data level only; the subflow stays */
	t->dack = t->our_idsn + 1 + 6;
	/* the peer's DATA_FIN too */
	struct mptcp_opt o = mt_dss(t, true, t->pdsn, true, 0, 0, true);
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, NULL, 0);
	assert_int_equal(t->n_closed, 1);
	assert_int_equal(t->closed_err, 0);
	mt_free(t);
}

/* Server open where the peer asks for DSS checksums (flag A, §3.3.1). */
static void server_open_csum(struct mt *t)
{
	struct mflow *f = &t->f[0];
	assert_int_equal(mpdk_listen(t->h->e, 0, f->uport, 8, &mt_handler, t, &t->l), 0);
	struct mptcp_opt o = mt_mpc(MPTCP_CAP_SYN, 0, 0);
	o.mpc.flags |= MPTCP_CAP_A_CHECKSUM;
	f->pseq = f->peer_isn;
	mt_send_raw(t, 0, f->pseq, 0, F_SYN, &o, 1, NULL, 0);
	f->pseq++;
	struct mout s = mt_expect(t, 0, F_SYN | F_ACK);
	const struct mptcp_opt *mpc = mt_opt(&s, MPTCP_SUB_CAPABLE);
	assert_non_null(mpc);
	/* §3.1: "if either host requires the use of checksums, checksums
	 * MUST be used": the SYN/ACK says so too */
	assert_true(mpc->mpc.flags & MPTCP_CAP_A_CHECKSUM);
	t->our_key = mpc->mpc.snd_key;
	f->our_iss = s.seq;
	f->pack = s.seq + 1;
	mt_keys(t);
	o = mt_mpc(MPTCP_CAP_ACK, t->peer_key, t->our_key);
	o.mpc.flags |= MPTCP_CAP_A_CHECKSUM;
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, NULL, 0);
	assert_int_equal(t->n_accept, 1);
	assert_true(mt_info(t).mptcp_checksum);
}

/* A DSS mapping [dsn, dsn+len) at relative subflow sequence @ssn with
 * the checksum of @payload (the whole mapping). */
static struct mptcp_opt dss_csum(struct mt *t, uint64_t dsn, uint32_t ssn, const uint8_t *payload,
				 uint16_t len)
{
	struct mptcp_opt o = mt_dss(t, true, dsn, true, ssn, len, false);
	o.dss.has_csum = true;
	o.dss.csum = mptcp_dss_csum(dsn, ssn, len, mptcp_csum_partial(payload, len, 0));
	return o;
}

/* RFC 8684 §3.3.1: with checksums negotiated, a mapping spread over two
 * segments of odd sizes with the right checksum is delivered; a mapping
 * whose payload does not match its checksum is counted, and on this
 * connection's only subflow MP_FAIL is sent on an ACK, not a RST (§3.7). */
static void test_dss_checksum_rx(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	server_open_csum(t);
	uint8_t d[2000], r[2000];
	bool eof;
	mt_pattern(d, sizeof(d), 30);
	uint32_t ssn = f->pseq - f->peer_isn;
	struct mptcp_opt o = dss_csum(t, t->pdsn, ssn, d, 1000);
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, d, 333);
	assert_int_equal(mpdk_recv(t->c, r, sizeof(r)), -EAGAIN);
	mt_send_raw(t, 0, f->pseq + 333, f->pack, F_ACK, &o, 1, d + 333, 667);
	f->pseq += 1000;
	t->pdsn += 1000;
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 1000);
	assert_memory_equal(r, d, 1000);
	assert_int_equal(mt_ctr(t, "mptcp_dss_csum_bad"), 0);
	harness_clear_tx(t->h);
	/* corrupted payload (as a middlebox would): checksum over d, data
	 * sent is different */
	uint8_t bad[500];
	memcpy(bad, d + 1000, 500);
	bad[77] ^= 0x20;
	o = dss_csum(t, t->pdsn, f->pseq - f->peer_isn, d + 1000, 500);
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, bad, 500);
	assert_int_equal(mt_ctr(t, "mptcp_dss_csum_bad"), 1);
	/* the only subflow: MP_FAIL on an ACK (§3.7), the bytes delivered as
	 * TCP delivered them (test_mptcp_fail has the fallback) */
	struct mout s;
	bool rst = false, fail = false;
	while (mt_pop(t, &s)) {
		rst |= (s.flags & F_RST) != 0;
		fail |= mt_opt(&s, MPTCP_SUB_FAIL) != NULL;
	}
	assert_false(rst);
	assert_true(fail);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 500);
	assert_memory_equal(r, bad, 500);
	mt_free(t);
}

/* RFC 8684 §3.3.1: the checksums the stack puts on its mappings verify
 * over the payload, also for a mapping made of several application
 * buffers of odd sizes (a chunk at an odd offset of the mapping). */
static void test_dss_checksum_tx(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	server_open_csum(t);
	static const uint16_t sizes[] = { 1, 3, 501, 700, 2, 999, 1234 };
	uint8_t d[4000];
	mt_pattern(d, sizeof(d), 31);
	uint32_t total = 0;
	for (unsigned i = 0; i < RTE_DIM(sizes); i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(t->h->stack->pool);
		assert_non_null(m);
		uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, sizes[i]);
		assert_non_null(p);
		memcpy(p, d + total, sizes[i]);
		assert_int_equal(mpdk_send_mbuf(t->c, m), 0);
		total += sizes[i];
	}
	/* collect every mapping with its payload, ACK as we go */
	static uint8_t got[8000];
	uint64_t base = t->our_idsn + 1;
	unsigned n_maps = 0, n_checked = 0;
	struct { uint64_t dsn; uint32_t ssn; uint16_t len, csum; } maps[64];
	for (int round = 0; round < 20; round++) {
		struct mout s;
		while (mt_pop(t, &s)) {
			if (s.len == 0)
				continue;
			struct mptcp_opt_dss x = mt_dss_of(&s);
			assert_true(x.has_map);
			assert_true(x.has_csum);
			uint64_t at = x.dsn + (s.seq - (f->our_iss + x.ssn));
			memcpy(got + (at - base), s.data, s.len);
			bool known = false;
			for (unsigned k = 0; k < n_maps; k++)
				known |= maps[k].dsn == x.dsn && maps[k].ssn == x.ssn;
			if (!known) {
				assert_true(n_maps < RTE_DIM(maps));
				maps[n_maps].dsn = x.dsn;
				maps[n_maps].ssn = x.ssn;
				maps[n_maps].len = x.data_len;
				maps[n_maps].csum = x.csum;
				n_maps++;
			}
			if (SEQ_GT(s.seq + s.len, f->pack))
				f->pack = s.seq + s.len;
		}
		t->dack = base;
		for (unsigned k = 0; k < n_maps; k++)
			if (maps[k].dsn + maps[k].len > t->dack)
				t->dack = maps[k].dsn + maps[k].len;
		mt_ack(t, 0);
		harness_advance(t->h, 50 * T_MS);
	}
	assert_int_equal(t->dack - base, total);
	assert_memory_equal(got, d, total);
	for (unsigned k = 0; k < n_maps; k++) {
		uint32_t sum = mptcp_csum_partial(got + (maps[k].dsn - base), maps[k].len, 0);
		if (!mptcp_dss_csum_ok(maps[k].dsn, maps[k].ssn, maps[k].len, maps[k].csum, sum))
			fail_msg("mapping %u (dsn +%llu len %u) has a wrong checksum 0x%04x", k,
				 (unsigned long long)(maps[k].dsn - base), maps[k].len, maps[k].csum);
		n_checked++;
	}
	assert_true(n_checked >= 2);
	mt_free(t);
}

/* RFC 8684 §3.7: data without any DSS on the only subflow before any
 * mapping was seen (a middlebox strips the options after the handshake):
 * fall back to TCP, deliver the data in order. */
static void test_fallback_data_without_dss(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	mt_server_open(t);
	uint8_t d[1500], r[1500];
	bool eof;
	mt_pattern(d, sizeof(d), 32);
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, NULL, 0, d, 1000);
	f->pseq += 1000;
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, NULL, 0, d + 1000, 500);
	f->pseq += 500;
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 1500);
	assert_memory_equal(r, d, 1500);
	struct mpdk_conn_info ci = mt_info(t);
	assert_true(ci.mptcp_fallback);
	assert_false(ci.mptcp);
	assert_int_equal(mt_ctr(t, "mptcp_fallback_infinite"), 1);
	mt_free(t);
}

/* RFC 8684 §3.7 (and §3.1): the SYN/ACK comes back without MP_CAPABLE:
 * the connection is plain TCP, no MPTCP option follows, data flows. */
static void test_mpc_client_fallback_plain_synack(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	f->uport = htons(50000);
	f->pport = htons(80);
	assert_int_equal(mpdk_connect(t->h->e, f->peer, f->pport, 0, f->uport, &mt_handler, t, &t->c), 0);
	struct mout s = mt_expect(t, 0, F_SYN);
	assert_non_null(mt_opt(&s, MPTCP_SUB_CAPABLE));
	f->our_iss = s.seq;
	f->pack = s.seq + 1;
	f->pseq = f->peer_isn;
	mt_send_raw(t, 0, f->pseq, f->pack, F_SYN | F_ACK, NULL, 0, NULL, 0);
	f->pseq++;
	s = mt_expect(t, 0, F_ACK);
	assert_int_equal(s.n_mp, 0);
	assert_int_equal(t->n_connected, 1);
	struct mpdk_conn_info ci = mt_info(t);
	assert_false(ci.mptcp);
	assert_true(ci.mptcp_fallback);
	assert_int_equal(mt_ctr(t, "mptcp_fallback_synack"), 1);
	assert_int_equal(mpdk_send(t->c, "abc", 3), 3);
	s = mt_expect(t, 0, F_ACK);
	assert_int_equal(s.len, 3);
	assert_int_equal(s.n_mp, 0);
	uint8_t r[8];
	mt_send_raw(t, 0, f->pseq, s.seq + 3, F_ACK, NULL, 0, "xyz", 3);
	assert_int_equal(mpdk_recv(t->c, r, sizeof(r)), 3);
	assert_memory_equal(r, "xyz", 3);
	mt_free(t);
}

/* RFC 8684 §3.1: an MP_CAPABLE of version 0 (RFC 6824) is not ours: the
 * SYN/ACK is plain TCP (no MPTCP option), the connection works as TCP. */
static void test_mpc_server_version0_plain_tcp(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	assert_int_equal(mpdk_listen(t->h->e, 0, f->uport, 8, &mt_handler, t, &t->l), 0);
	/* RFC 6824 SYN: kind 30, length 12, subtype 0 version 0, flags,
	 * Key-A (written by hand: the codec speaks v1 only) */
	uint8_t seg[64], frame[200];
	memset(seg, 0, sizeof(seg));
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)seg;
	uint8_t *op = seg + 20;
	const uint8_t opts[] = { 2, 4, 0x05, 0xb4, 30, 12, 0x00, 0x01, 1, 2, 3, 4, 5, 6, 7, 8 };
	memcpy(op, opts, sizeof(opts));
	size_t hl = 20 + sizeof(opts);
	th->src_port = f->pport;
	th->dst_port = f->uport;
	th->sent_seq = htonl(f->peer_isn);
	th->data_off = (uint8_t)((hl / 4) << 4);
	th->tcp_flags = F_SYN;
	th->rx_win = htons(65535);
	uint32_t sum = cksum_pseudo_ipv4(f->peer, t->us, IPPROTO_TCP, (uint16_t)hl);
	th->cksum = cksum_finish(cksum_partial(seg, hl, sum));
	size_t fl = harness_build_ipv4(frame, &t->peer_mac, &t->our_mac, f->peer, t->us, IPPROTO_TCP, seg, hl);
	harness_inject(t->h, 0, frame, fl);
	harness_poll(t->h);
	struct mout s = mt_expect(t, 0, F_SYN | F_ACK);
	assert_int_equal(s.n_mp, 0);
	f->pseq = f->peer_isn + 1;
	f->pack = s.seq + 1;
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, NULL, 0, NULL, 0);
	assert_int_equal(t->n_accept, 1);
	assert_false(mt_info(t).mptcp);
	assert_int_equal(mt_ctr(t, "mptcp_passive_open"), 0);
	mt_free(t);
}

/* RFC 8684 §3.3.4: the receive window is shared by the subflows and
 * relative to the DATA_ACK: with the application not reading, the
 * advertised window shrinks as data arrives; reading reopens it. */
static void test_shared_receive_window(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	mt_server_open(t);
	static uint8_t d[60000], r[60000];
	bool eof;
	mt_pattern(d, sizeof(d), 33);
	uint32_t last_wnd = 0;
	struct mout s;
	for (uint32_t off = 0; off < sizeof(d); off += 1200) {
		mt_data(t, 0, d + off, 1200);
		while (mt_pop(t, &s))
			last_wnd = s.wnd;
	}
	/* 60000 of 65535 used: at most 5535 left (no window scaling) */
	assert_true(last_wnd <= 65535 - 60000);
	size_t got = mt_read(t, r, sizeof(r), &eof);
	assert_int_equal(got, sizeof(d));
	assert_memory_equal(r, d, sizeof(d));
	bool update = false;
	for (int k = 0; k < 10 && !update; k++) {
		harness_advance(t->h, 50 * T_MS);
		while (mt_pop(t, &s))
			if (s.wnd > 30000)
				update = true;
	}
	assert_true(update);
	mt_free(t);
}

/* RFC 8684 §3.1 and §3.3.1: the peer's SYN/ACK asks for checksums (flag
 * A): the stack's third ACK says A too, and its first data (MP_CAPABLE
 * with Data-Level Length, 24 bytes) carries a checksum that verifies
 * over DSN IDSN-A + 1, subflow sequence 1, the length and the payload. */
static void test_mpc_client_first_data_checksum(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	f->uport = htons(50000);
	f->pport = htons(80);
	assert_int_equal(mpdk_connect(t->h->e, f->peer, f->pport, 0, f->uport, &mt_handler, t, &t->c), 0);
	struct mout s = mt_expect(t, 0, F_SYN);
	f->our_iss = s.seq;
	f->pack = s.seq + 1;
	f->pseq = f->peer_isn;
	struct mptcp_opt o = mt_mpc(MPTCP_CAP_SYNACK, t->peer_key, 0);
	o.mpc.flags |= MPTCP_CAP_A_CHECKSUM;
	mt_send_raw(t, 0, f->pseq, f->pack, F_SYN | F_ACK, &o, 1, NULL, 0);
	f->pseq++;
	s = mt_expect(t, 0, F_ACK);
	const struct mptcp_opt *mpc = mt_opt(&s, MPTCP_SUB_CAPABLE);
	assert_non_null(mpc);
	assert_true(mpc->mpc.flags & MPTCP_CAP_A_CHECKSUM);
	t->our_key = mpc->mpc.snd_key;
	mt_keys(t);
	assert_true(mt_info(t).mptcp_checksum);
	uint8_t d[333];
	mt_pattern(d, sizeof(d), 34);
	assert_int_equal(mpdk_send(t->c, d, sizeof(d)), (ssize_t)sizeof(d));
	s = mt_expect(t, 0, F_ACK);
	int i = mt_opt_idx(&s, MPTCP_SUB_CAPABLE);
	assert_true(i >= 0);
	assert_int_equal(s.mp_len[i], 24);
	assert_int_equal(s.mp[i].mpc.form, MPTCP_CAP_ACK_DATA);
	assert_true(s.mp[i].mpc.has_csum);
	assert_int_equal(s.mp[i].mpc.data_len, sizeof(d));
	assert_int_equal(s.len, sizeof(d));
	uint32_t sum = mptcp_csum_partial(s.data, s.len, 0);
	assert_true(mptcp_dss_csum_ok(t->our_idsn + 1, 1, sizeof(d), s.mp[i].mpc.csum, sum));
	mt_free(t);
}

/* Shared by the two tests below: the stack sent @n bytes at subflow
 * sequence @seq0; the peer acknowledges them at TCP level only (no MPTCP
 * option: a middlebox strips them after the handshake). RFC 8684 §3.7:
 * "if a subflow ... the first data ... is acknowledged without a DATA_ACK
 * ... the sender MUST fall back": the connection goes on as plain TCP,
 * the sent data counts as delivered and is never sent again at a new
 * subflow sequence number (which would corrupt the TCP peer's stream). */
static void acked_without_dss(struct mt *t, const uint8_t *d, uint32_t n)
{
	struct mflow *f = &t->f[0];
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, NULL, 0, NULL, 0);
	/* more data after it, then a long wait with everything TCP-ACKed */
	assert_int_equal(mpdk_send(t->c, d + n, 200), 200);
	uint32_t stream_end = f->pack;   /* our next subflow sequence */
	for (int k = 0; k < 60; k++) {
		struct mout s;
		while (mt_pop(t, &s)) {
			if (s.len == 0)
				continue;
			/* each byte goes out at the subflow sequence it had
			 * in the TCP stream: data at seq maps to d[seq - iss - 1] */
			uint32_t off = s.seq - (f->our_iss + 1);
			assert_true(off + s.len <= n + 200);
			if (memcmp(s.data, d + off, s.len) != 0)
				fail_msg("bytes at subflow offset %u are not the stream's (data resent "
					 "at a new subflow sequence?)", off);
			if (SEQ_GT(s.seq + s.len, stream_end))
				stream_end = s.seq + s.len;
		}
		f->pack = stream_end;
		mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, NULL, 0, NULL, 0);
		harness_advance(t->h, 100 * T_MS);
	}
	assert_int_equal(stream_end - (f->our_iss + 1), n + 200);
	struct mpdk_conn_info ci = mt_info(t);
	assert_int_equal(ci.snd_queued, 0);
	assert_true(ci.mptcp_fallback);
}

/* RFC 8684 §3.7, the stack as client (see acked_without_dss). */
static void test_fallback_client_first_data_acked_without_dss(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	mt_client_open(t);
	uint8_t d[400];
	mt_pattern(d, sizeof(d), 35);
	assert_int_equal(mpdk_send(t->c, d, 100), 100);
	struct mout s = mt_expect(t, 0, F_ACK);
	assert_int_equal(s.len, 100);
	t->f[0].pack = s.seq + 100;
	acked_without_dss(t, d, 100);
	mt_free(t);
}

/* RFC 8684 §3.7, the stack as server (see acked_without_dss). */
static void test_fallback_server_first_data_acked_without_dss(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	mt_server_open(t);
	assert_int_equal(mpdk_conn_set_nodelay(t->c, true), 0);
	uint8_t d[400];
	mt_pattern(d, sizeof(d), 36);
	assert_int_equal(mpdk_send(t->c, d, 100), 100);
	struct mout s = mt_expect(t, 0, F_ACK);
	assert_int_equal(s.len, 100);
	t->f[0].pack = s.seq + 100;
	acked_without_dss(t, d, 100);
	mt_free(t);
}

/* RFC 8684 §3.1: a retransmitted SYN (and the SYN/ACK's own RTO) get the
 * same Key-B: a SYN/ACK with another key would leave the two ends with
 * different keys. */
static void test_mpc_server_synack_retransmit_same_key(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	assert_int_equal(mpdk_listen(t->h->e, 0, f->uport, 8, &mt_handler, t, &t->l), 0);
	struct mptcp_opt o = mt_mpc(MPTCP_CAP_SYN, 0, 0);
	mt_send_raw(t, 0, f->peer_isn, 0, F_SYN, &o, 1, NULL, 0);
	struct mout s = mt_expect(t, 0, F_SYN | F_ACK);
	uint64_t k1 = mt_opt(&s, MPTCP_SUB_CAPABLE)->mpc.snd_key;
	uint32_t iss = s.seq;
	mt_send_raw(t, 0, f->peer_isn, 0, F_SYN, &o, 1, NULL, 0);
	s = mt_expect(t, 0, F_SYN | F_ACK);
	assert_int_equal(s.seq, iss);
	assert_non_null(mt_opt(&s, MPTCP_SUB_CAPABLE));
	assert_true(mt_opt(&s, MPTCP_SUB_CAPABLE)->mpc.snd_key == k1);
	harness_advance(t->h, 1100 * T_MS);
	s = mt_expect(t, 0, F_SYN | F_ACK);
	assert_non_null(mt_opt(&s, MPTCP_SUB_CAPABLE));
	assert_true(mt_opt(&s, MPTCP_SUB_CAPABLE)->mpc.snd_key == k1);
	/* and the handshake completes with it */
	t->our_key = k1;
	f->pseq = f->peer_isn + 1;
	f->pack = iss + 1;
	mt_keys(t);
	o = mt_mpc(MPTCP_CAP_ACK, t->peer_key, t->our_key);
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, NULL, 0);
	assert_int_equal(t->n_accept, 1);
	assert_true(mt_info(t).mptcp);
	mt_free(t);
}

/* RFC 8684 §3.7: SYNs with MP_CAPABLE that go unanswered: after a couple
 * of tries the SYN goes without it (a middlebox may drop unknown
 * options), counted; the connection is then plain TCP. */
static void test_mpc_client_syn_retries_fall_back(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	f->uport = htons(50000);
	f->pport = htons(80);
	assert_int_equal(mpdk_connect(t->h->e, f->peer, f->pport, 0, f->uport, &mt_handler, t, &t->c), 0);
	struct mout s = mt_expect(t, 0, F_SYN);
	assert_non_null(mt_opt(&s, MPTCP_SUB_CAPABLE));
	bool plain = false;
	for (int k = 0; k < 8 && !plain; k++) {
		harness_advance(t->h, 1000 * T_MS);
		while (mt_pop(t, &s))
			if ((s.flags & F_SYN) && mt_opt(&s, MPTCP_SUB_CAPABLE) == NULL)
				plain = true;
	}
	assert_true(plain);
	assert_int_equal(mt_ctr(t, "mptcp_fallback_syn_retries"), 1);
	f->our_iss = s.seq;
	f->pack = s.seq + 1;
	f->pseq = f->peer_isn;
	struct mptcp_opt o = mt_mpc(MPTCP_CAP_SYNACK, t->peer_key, 0);
	mt_send_raw(t, 0, f->pseq, f->pack, F_SYN | F_ACK, &o, 1, NULL, 0);
	s = mt_expect(t, 0, F_ACK);
	assert_int_equal(s.n_mp, 0);
	assert_int_equal(t->n_connected, 1);
	assert_false(mt_info(t).mptcp);
	mt_free(t);
}

/* RFC 8684 §3.1: data (and a shutdown) queued before the handshake
 * completes becomes the first data of the data sequence space: the first
 * data segment carries MP_CAPABLE with Data-Level Length, then the
 * DATA_FIN follows at IDSN-A + 1 + length. */
static void test_mpc_client_data_before_established(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	f->uport = htons(50000);
	f->pport = htons(80);
	assert_int_equal(mpdk_connect(t->h->e, f->peer, f->pport, 0, f->uport, &mt_handler, t, &t->c), 0);
	struct mout s = mt_expect(t, 0, F_SYN);
	uint8_t d[700];
	mt_pattern(d, sizeof(d), 37);
	assert_int_equal(mpdk_send(t->c, d, sizeof(d)), (ssize_t)sizeof(d));
	assert_int_equal(mpdk_shutdown(t->c, MPDK_SHUT_WR), 0);
	f->our_iss = s.seq;
	f->pack = s.seq + 1;
	f->pseq = f->peer_isn;
	struct mptcp_opt o = mt_mpc(MPTCP_CAP_SYNACK, t->peer_key, 0);
	mt_send_raw(t, 0, f->pseq, f->pack, F_SYN | F_ACK, &o, 1, NULL, 0);
	f->pseq++;
	struct mpdk_conn_info ci = mt_info(t);
	assert_true(ci.mptcp);
	t->our_key = ci.mptcp_local_key;
	mt_keys(t);
	uint32_t data = 0;
	bool mpc_data = false, dfin = false, tcp_fin = false;
	int dfin_round = -1;
	for (int k = 0; k < 60 && !dfin; k++) {
		while (mt_pop(t, &s)) {
			tcp_fin |= (s.flags & F_FIN) != 0;
			const struct mptcp_opt *m = mt_opt(&s, MPTCP_SUB_CAPABLE);
			if (s.len > 0) {
				assert_memory_equal(s.data, d + (s.seq - f->our_iss - 1), s.len);
				data += s.len;
				if (s.seq == f->our_iss + 1) {
					assert_non_null(m);
					assert_int_equal(m->mpc.form, MPTCP_CAP_ACK_DATA);
					mpc_data = true;
				}
			}
			const struct mptcp_opt *x = mt_opt(&s, MPTCP_SUB_DSS);
			if (x != NULL && x->dss.data_fin) {
				dfin = true;
				dfin_round = k;
				assert_true(x->dss.dsn + x->dss.data_len == t->our_idsn + 1 + sizeof(d) + 1);
			}
			if (SEQ_GT(s.seq + s.len, f->pack))
				f->pack = s.seq + s.len;
		}
		/* the peer's ACK with a DSS (DATA_ACK of what arrived) */
		t->dack = t->our_idsn + 1 + data;
		mt_ack(t, 0);
		harness_advance(t->h, 50 * T_MS);
	}
	assert_int_equal(data, sizeof(d));
	assert_true(mpc_data);
	assert_true(dfin);
	assert_false(tcp_fin);
	/* without delay: not only when the data-level retransmission timer
	 * (2 RTOs) fires */
	if (dfin_round > 2)
		fail_msg("DATA_FIN only after %d ms", dfin_round * 50);
	mt_free(t);
}

/* RFC 8684 §3.3.3, passive close at the data level: the peer's DATA_FIN
 * first (CLOSE_WAIT), the application still sends, then closes: data
 * and our DATA_FIN go out; when the peer DATA_ACKs the DATA_FIN the
 * subflow is closed with a TCP FIN. */
static void test_passive_close_data_level(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	mt_server_open(t);
	assert_int_equal(mpdk_conn_set_nodelay(t->c, true), 0);
	struct mptcp_opt o = mt_dss(t, true, t->pdsn, true, 0, 0, true);
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, NULL, 0);
	t->pdsn++;
	uint8_t r[8];
	assert_int_equal(mpdk_recv(t->c, r, sizeof(r)), 0);
	assert_int_equal(mt_info(t).state, MPDK_TCP_CLOSE_WAIT);
	harness_clear_tx(t->h);
	assert_int_equal(mpdk_send(t->c, "bye", 3), 3);
	assert_int_equal(mpdk_close(t->c), 0);
	struct mout s;
	uint32_t data = 0;
	bool dfin = false, fin = false;
	for (int k = 0; k < 5; k++) {
		while (mt_pop(t, &s)) {
			if (s.len) {
				assert_memory_equal(s.data, "bye", 3);
				data += s.len;
				f->pack = s.seq + s.len;
			}
			const struct mptcp_opt *x = mt_opt(&s, MPTCP_SUB_DSS);
			if (x != NULL && x->dss.data_fin) {
				dfin = true;
				assert_true(x->dss.dsn + x->dss.data_len == t->our_idsn + 1 + 3 + 1);
			}
			if (s.flags & F_FIN) {
				fin = true;
				f->pack = s.seq + s.len + 1;
			}
		}
		if (dfin && !fin) {
			t->dack = t->our_idsn + 1 + 4;
			mt_ack(t, 0);
		}
		harness_advance(t->h, 20 * T_MS);
	}
	assert_int_equal(data, 3);
	assert_true(dfin);
	assert_true(fin);
	/* the peer closes its side of the subflow too: nothing more after */
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK | F_FIN, NULL, 0, NULL, 0);
	s = mt_expect(t, 0, F_ACK);
	assert_int_equal(s.ack, f->pseq + 1);
	mt_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mpc_server_handshake, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_mpc_server_wrong_key_echo, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_mpc_client_handshake_and_first_data, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_mpc_server_first_data_mpc_form, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_mpc_server_third_ack_with_data, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_dss_in_order, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_dss_mapping_covers_several_segments, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_dss_mapping_with_subflow_reordering, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_dss_data_beyond_mapping, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_dss_data_before_mapping, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_dss_dsn32_across_wrap, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_data_ack_32bit, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_data_ack_moves_window, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_small_window_no_stall, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_data_fin_with_data, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_data_fin_alone_after_gap, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_data_fin_sent, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_dss_checksum_rx, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_dss_checksum_tx, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_fallback_data_without_dss, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_mpc_client_fallback_plain_synack, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_mpc_server_version0_plain_tcp, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_shared_receive_window, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_mpc_client_first_data_checksum, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_fallback_client_first_data_acked_without_dss, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_fallback_server_first_data_acked_without_dss, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_mpc_server_synack_retransmit_same_key, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_mpc_client_syn_retries_fall_back, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_mpc_client_data_before_established, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_passive_close_data_level, setup, mt_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
